// The objects whose env eco-secrets-bot scans and whose pods it may restart: top-level workloads
// (not what a controller manages) and bare pods, each with its pod spec, and the running pods that
// belong to each workload (through ReplicaSets for Deployments).
import type { KubeObject, ResourceType } from '../../shared/index.ts';
import { apiVersionOf } from '../../shared/index.ts';
import { managedByWorkload } from '../../shared/workloads/index.ts';
import type { PodSpecRefs } from './rollout.ts';

interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name?: string } };
}
export interface PodSpecLike extends PodSpecRefs {
  containers?: { name: string; env?: EnvVar[]; envFrom?: { secretRef?: { name?: string } }[] }[];
  initContainers?: { name: string; env?: EnvVar[]; envFrom?: { secretRef?: { name?: string } }[] }[];
}

export interface Workload {
  object: KubeObject;
  type: ResourceType;
  spec: PodSpecLike;
  /** Pod template annotations (Reloader's opt-in lives on the workload's metadata, read from object). */
  prefix: string;
}

export function workloadsOf(lists: readonly (readonly [ResourceType, readonly KubeObject[]])[]): Workload[] {
  const out: Workload[] = [];
  for (const [type, objects] of lists) {
    for (const raw of objects) {
      const object: KubeObject = { ...raw, kind: type.kind, apiVersion: apiVersionOf(type) };
      if (managedByWorkload(object)) continue;
      const spec = object.spec as
        | ({
            template?: { spec?: PodSpecLike };
            jobTemplate?: { spec?: { template?: { spec?: PodSpecLike } } };
          } & PodSpecLike)
        | undefined;
      if (type.kind === 'Pod' && spec) out.push({ object, type, spec, prefix: 'spec' });
      else if (type.kind === 'CronJob' && spec?.jobTemplate?.spec?.template?.spec)
        out.push({
          object,
          type,
          spec: spec.jobTemplate.spec.template.spec,
          prefix: 'spec.jobTemplate.spec.template.spec',
        });
      else if (spec?.template?.spec)
        out.push({ object, type, spec: spec.template.spec, prefix: 'spec.template.spec' });
    }
  }
  return out;
}

/** Pods of a workload: owned directly (StatefulSet, DaemonSet) or through a ReplicaSet (Deployment). */
export function podsOf(
  workload: KubeObject,
  pods: readonly KubeObject[],
  replicaSets: readonly KubeObject[],
): KubeObject[] {
  const uid = workload.metadata.uid;
  if (!uid) return [];
  const owners = new Set([uid]);
  if (workload.kind === 'Deployment')
    for (const rs of replicaSets)
      if (rs.metadata.ownerReferences?.some((r) => r.uid === uid) && rs.metadata.uid)
        owners.add(rs.metadata.uid);
  return pods.filter(
    (p) =>
      p.metadata.namespace === workload.metadata.namespace &&
      p.metadata.ownerReferences?.some((r) => owners.has(r.uid)),
  );
}

/** Reloader's opt-in annotations: restart on any Secret change, or on these Secrets. */
export function optedIn(workload: KubeObject, secret: string): boolean {
  const a = workload.metadata.annotations ?? {};
  if (a['reloader.stakater.com/auto'] === 'true' || a['eco.bsw-arch.org/restart-on-secret-change'] === 'true')
    return true;
  const list = a['secret.reloader.stakater.com/reload'];
  return (
    list !== undefined &&
    list
      .split(',')
      .map((s) => s.trim())
      .includes(secret)
  );
}
