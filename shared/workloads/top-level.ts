// Which objects a per-workload check judges: top-level workloads and bare pods. A Deployment's
// ReplicaSets, a CronJob's Jobs and any controller's Pods are judged through their owner (a finding
// there is fixed there), and a finished pod (Succeeded, Failed) runs nothing any more. An object
// owned by something that is not a workload kind (an operator's custom resource) is judged itself.

interface OwnedLike {
  kind?: string;
  metadata: { ownerReferences?: readonly { kind?: string; controller?: boolean }[] };
  status?: unknown;
}

/** The kinds that run pods: the pod template carriers and the pod itself. */
export const POD_TEMPLATE_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'ReplicationController',
  'Pod',
]);

/** Whether a controller of a workload kind owns the object (its checks belong to that owner). */
export function managedByWorkload(object: OwnedLike): boolean {
  const owner = (object.metadata.ownerReferences ?? []).find((r) => r.controller !== false);
  return owner !== undefined && POD_TEMPLATE_KINDS.has(owner.kind ?? '');
}

/** Whether the object is a pod that has finished (Succeeded or Failed). */
export function isFinishedPod(object: OwnedLike): boolean {
  const phase = (object.status as { phase?: string } | undefined)?.phase;
  return object.kind === 'Pod' && (phase === 'Succeeded' || phase === 'Failed');
}

/** A top-level workload or a running bare pod: what a per-workload check judges. */
export function isTopLevelWorkload(object: OwnedLike): boolean {
  return POD_TEMPLATE_KINDS.has(object.kind ?? '') && !managedByWorkload(object) && !isFinishedPod(object);
}
