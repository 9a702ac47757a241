// The cluster-scoped objects that selected namespaced objects need on restore: the PV bound to a PVC,
// the StorageClass of a PVC or PV, the ClusterRole a RoleBinding grants, the IngressClass of an
// Ingress, the VolumeSnapshotClass and VolumeSnapshotContent of a VolumeSnapshot.
import { resources, type KubeObject, type ResourceType } from '../../shared/index.ts';

export interface ClusterRef {
  type: ResourceType;
  name: string;
  /** Who needs it, for the report (`PersistentVolumeClaim data/minio-store`). */
  neededBy: string;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function field(obj: KubeObject, ...path: string[]): unknown {
  let at: unknown = obj;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const who = (obj: KubeObject): string =>
  `${obj.kind ?? 'object'} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;

/** What one object depends on (its direct references). */
export function dependenciesOf(obj: KubeObject): ClusterRef[] {
  const out: ClusterRef[] = [];
  const add = (type: ResourceType, name: string | undefined): void => {
    if (name !== undefined) out.push({ type, name, neededBy: who(obj) });
  };
  switch (obj.kind) {
    case 'PersistentVolumeClaim':
      add(resources.persistentvolumes, str(field(obj, 'spec', 'volumeName')));
      add(resources.storageclasses, str(field(obj, 'spec', 'storageClassName')));
      break;
    case 'PersistentVolume':
      add(resources.storageclasses, str(field(obj, 'spec', 'storageClassName')));
      break;
    case 'RoleBinding':
      if (field(obj, 'roleRef', 'kind') === 'ClusterRole') {
        add(resources.clusterroles, str(field(obj, 'roleRef', 'name')));
      }
      break;
    case 'Ingress':
      add(resources.ingressclasses, str(field(obj, 'spec', 'ingressClassName')));
      break;
    case 'VolumeSnapshot':
      add(resources.volumesnapshotclasses, str(field(obj, 'spec', 'volumeSnapshotClassName')));
      add(resources.volumesnapshotcontents, str(field(obj, 'status', 'boundVolumeSnapshotContentName')));
      break;
    case 'VolumeSnapshotContent':
      add(resources.volumesnapshotclasses, str(field(obj, 'spec', 'volumeSnapshotClassName')));
      break;
  }
  return out;
}

/**
 * Every cluster-scoped object the selection needs, following references of references (a PVC's PV
 * has a StorageClass too), each once. `resolve` fetches one; undefined when it does not exist (then it
 * is reported as missing, not fatal: a restore recreates the namespaced object anyway).
 */
export async function collectDependencies(
  selected: readonly KubeObject[],
  resolve: (ref: ClusterRef) => Promise<KubeObject | undefined>,
): Promise<{ found: Array<{ ref: ClusterRef; object: KubeObject }>; missing: ClusterRef[] }> {
  const seen = new Set<string>();
  const found: Array<{ ref: ClusterRef; object: KubeObject }> = [];
  const missing: ClusterRef[] = [];
  const queue = selected.flatMap(dependenciesOf);
  while (queue.length > 0) {
    const ref = queue.shift() as ClusterRef;
    const key = `${ref.type.plural}.${ref.type.group}/${ref.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const object = await resolve(ref);
    if (object === undefined) {
      missing.push(ref);
      continue;
    }
    found.push({ ref, object });
    queue.push(...dependenciesOf({ ...object, kind: object.kind ?? ref.type.kind }));
  }
  return { found, missing };
}
