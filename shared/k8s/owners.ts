// Which workload a pod belongs to, the way a person names it: a Deployment (through its
// ReplicaSet), a CronJob (through its Job), a StatefulSet, DaemonSet or Job, else the pod itself.
// Built from one list of ReplicaSets (and Jobs) per run, so a run reads each kind once.
import type { ObjectRef } from '../bot/types.ts';
import type { KubeObject } from './types.ts';

const API_VERSION: Record<string, string> = {
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

export interface OwnerIndex {
  /** The top workload of a pod (or of a ReplicaSet/Job); the object itself when it has no controller. */
  workloadOf(object: KubeObject): ObjectRef;
  /** The Deployment name owning a ReplicaSet `namespace/name`, if any. */
  deploymentOfReplicaSet(namespace: string, name: string): string | undefined;
}

export function createOwnerIndex(owned: { replicaSets?: KubeObject[]; jobs?: KubeObject[] }): OwnerIndex {
  const parents = new Map<string, { kind: string; name: string }>();
  for (const object of [...(owned.replicaSets ?? []), ...(owned.jobs ?? [])]) {
    const owner = object.metadata.ownerReferences?.find((o) => o.controller === true);
    const kind = owned.replicaSets?.includes(object) ? 'ReplicaSet' : 'Job';
    if (owner) parents.set(`${kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`, owner);
  }
  const ref = (
    kind: string,
    name: string,
    namespace: string | undefined,
    apiVersion?: string,
  ): ObjectRef => ({
    apiVersion: apiVersion ?? API_VERSION[kind] ?? 'v1',
    kind,
    ...(namespace ? { namespace } : {}),
    name,
  });
  return {
    workloadOf(object) {
      const namespace = object.metadata.namespace;
      const controller = object.metadata.ownerReferences?.find((o) => o.controller === true);
      if (!controller) {
        return ref(object.kind ?? 'Pod', object.metadata.name, namespace, object.apiVersion);
      }
      const parent = parents.get(`${controller.kind}/${namespace ?? ''}/${controller.name}`);
      if (parent && (parent.kind === 'Deployment' || parent.kind === 'CronJob')) {
        return ref(parent.kind, parent.name, namespace);
      }
      return ref(controller.kind, controller.name, namespace, controller.apiVersion);
    },
    deploymentOfReplicaSet(namespace, name) {
      const parent = parents.get(`ReplicaSet/${namespace}/${name}`);
      return parent?.kind === 'Deployment' ? parent.name : undefined;
    },
  };
}
