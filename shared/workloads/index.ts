// Pods grouped under the workload that owns them (Deployment via its ReplicaSet, StatefulSet,
// DaemonSet, CronJob via its Job, else the bare pod), and a container's requests and limits as
// numbers: what the optimisation bots judge and charge per workload.

import { parseQuantity } from '../k8s/quantity.ts';
import { resources } from '../k8s/resources.ts';
import type { KubeObject, ResourceType } from '../k8s/types.ts';

export interface ContainerSpec {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface ContainerResources {
  requests: { cpu?: number; memory?: number; gpu?: number };
  limits: { cpu?: number; memory?: number };
}

const GPU_RESOURCES = ['nvidia.com/gpu', 'amd.com/gpu', 'gpu.intel.com/i915'];

export function containerResources(container: ContainerSpec): ContainerResources {
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  const out: ContainerResources = { requests: {}, limits: {} };
  const cpu = parseQuantity(requests['cpu'] ?? limits['cpu']);
  const memory = parseQuantity(requests['memory'] ?? limits['memory']);
  // A request left out defaults to the limit (as the API server does).
  if (cpu !== undefined) out.requests.cpu = cpu;
  if (memory !== undefined) out.requests.memory = memory;
  let gpu = 0;
  for (const name of GPU_RESOURCES) gpu += parseQuantity(limits[name] ?? requests[name]) ?? 0;
  if (gpu > 0) out.requests.gpu = gpu;
  const cpuLimit = parseQuantity(limits['cpu']);
  const memoryLimit = parseQuantity(limits['memory']);
  if (cpuLimit !== undefined) out.limits.cpu = cpuLimit;
  if (memoryLimit !== undefined) out.limits.memory = memoryLimit;
  return out;
}

export type WorkloadKind =
  'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' | 'Job' | 'ReplicaSet' | 'Pod';

export interface Workload {
  kind: WorkloadKind;
  type: ResourceType;
  /** The workload object (the pod itself for a bare pod). */
  object: KubeObject;
  namespace: string;
  name: string;
  pods: KubeObject[];
}

const TYPE_OF: Record<WorkloadKind, ResourceType> = {
  Deployment: resources.deployments,
  StatefulSet: resources.statefulsets,
  DaemonSet: resources.daemonsets,
  CronJob: resources.cronjobs,
  Job: resources.jobs,
  ReplicaSet: resources.replicasets,
  Pod: resources.pods,
};

function controllerOf(object: KubeObject): { kind: string; name: string } | undefined {
  const refs = object.metadata.ownerReferences ?? [];
  return refs.find((ref) => ref.controller === true) ?? refs[0];
}

/** The kinds groupWorkloads reads, as a snapshot's kind map: spread into a bot's KINDS. */
export const WORKLOAD_RESOURCES = Object.freeze({
  pods: resources.pods,
  replicasets: resources.replicasets,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  daemonsets: resources.daemonsets,
  jobs: resources.jobs,
  cronjobs: resources.cronjobs,
});

export interface WorkloadObjects {
  pods: readonly KubeObject[];
  replicasets?: readonly KubeObject[];
  deployments?: readonly KubeObject[];
  statefulsets?: readonly KubeObject[];
  daemonsets?: readonly KubeObject[];
  jobs?: readonly KubeObject[];
  cronjobs?: readonly KubeObject[];
}

/** `<namespace>/<name>` keys. */
const key = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

/**
 * Every workload with its pods, in a stable order. Workloads without pods are included (a
 * Deployment scaled to 0 is still a workload). A pod whose owner is not in the lists counts under
 * the nearest owner that is, or as a bare pod.
 */
export function groupWorkloads(objects: WorkloadObjects): Workload[] {
  const byKind = new Map<string, Map<string, KubeObject>>();
  const index = (kind: WorkloadKind, list: readonly KubeObject[] | undefined): void => {
    const map = new Map<string, KubeObject>();
    for (const object of list ?? []) map.set(key(object.metadata.namespace, object.metadata.name), object);
    byKind.set(kind, map);
  };
  index('ReplicaSet', objects.replicasets);
  index('Deployment', objects.deployments);
  index('StatefulSet', objects.statefulsets);
  index('DaemonSet', objects.daemonsets);
  index('Job', objects.jobs);
  index('CronJob', objects.cronjobs);

  const workloads = new Map<string, Workload>();
  const add = (kind: WorkloadKind, object: KubeObject): Workload => {
    const id = `${kind}/${key(object.metadata.namespace, object.metadata.name)}`;
    let workload = workloads.get(id);
    if (!workload) {
      workload = {
        kind,
        type: TYPE_OF[kind],
        object,
        namespace: object.metadata.namespace ?? '',
        name: object.metadata.name,
        pods: [],
      };
      workloads.set(id, workload);
    }
    return workload;
  };
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'] as const) {
    for (const object of byKind.get(kind)?.values() ?? []) add(kind, object);
  }

  /** Walks owner references up to the top workload the lists know. */
  const topOwner = (object: KubeObject): { kind: WorkloadKind; object: KubeObject } | undefined => {
    let current: { kind: WorkloadKind; object: KubeObject } | undefined;
    let cursor: KubeObject = object;
    for (let depth = 0; depth < 4; depth += 1) {
      const ref = controllerOf(cursor);
      if (!ref) break;
      const owner = byKind.get(ref.kind)?.get(key(cursor.metadata.namespace, ref.name));
      if (!owner) break;
      current = { kind: ref.kind as WorkloadKind, object: owner };
      cursor = owner;
    }
    return current;
  };

  for (const pod of objects.pods) {
    const owner = topOwner(pod);
    const workload = owner ? add(owner.kind, owner.object) : add('Pod', pod);
    workload.pods.push(pod);
  }
  return [...workloads.values()].sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
}

/** The containers of a workload's pod template (the pod's own spec for a bare pod). */
export function templateContainers(workload: Pick<Workload, 'kind' | 'object'>): ContainerSpec[] {
  const spec = workload.object['spec'] as Record<string, unknown> | undefined;
  if (workload.kind === 'Pod') return ((spec?.['containers'] as ContainerSpec[] | undefined) ?? []).slice();
  if (workload.kind === 'CronJob') {
    const jobTemplate = spec?.['jobTemplate'] as
      { spec?: { template?: { spec?: { containers?: ContainerSpec[] } } } } | undefined;
    return jobTemplate?.spec?.template?.spec?.containers?.slice() ?? [];
  }
  const template = spec?.['template'] as { spec?: { containers?: ContainerSpec[] } } | undefined;
  return template?.spec?.containers?.slice() ?? [];
}

/** Desired replicas: spec.replicas (default 1), a DaemonSet's scheduled pods, else the running pods. */
export function replicasOf(workload: Workload): number {
  const spec = workload.object['spec'] as { replicas?: number } | undefined;
  if (workload.kind === 'Deployment' || workload.kind === 'StatefulSet' || workload.kind === 'ReplicaSet') {
    return spec?.replicas ?? 1;
  }
  if (workload.kind === 'DaemonSet') {
    const status = workload.object['status'] as { desiredNumberScheduled?: number } | undefined;
    return status?.desiredNumberScheduled ?? workload.pods.length;
  }
  return Math.max(1, workload.pods.length);
}

/** Whether a pod is running or pending (counts for requests). */
export function isActivePod(pod: KubeObject): boolean {
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  return phase === 'Running' || phase === 'Pending';
}

export { POD_TEMPLATE_KINDS, isFinishedPod, isTopLevelWorkload, managedByWorkload } from './top-level.ts';
