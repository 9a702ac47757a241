// eco-backup-bot's pure parts: which types it reads (Velero includedResources/excludedResources) and
// which cluster-scoped objects a namespace backup carries along.
import { describe, expect, it } from 'vitest';
import { selectTypes, typeName } from '../../functions/eco-backup-bot/catalog.ts';
import { collectDependencies, dependenciesOf } from '../../functions/eco-backup-bot/dependencies.ts';
import type { KubeObject } from '../../shared/index.ts';

describe('type selection (Velero includedResources / excludedResources)', () => {
  it.each([
    [{}, 21, []],
    [{ include: ['deployments.apps', 'ConfigMap'] }, 2, []],
    [{ exclude: ['secrets', 'pods'] }, 19, []],
    [{ include: ['deployments'], exclude: ['Deployment'] }, 0, []],
    [{ include: ['widgets.example.com'] }, 0, ['widgets.example.com']],
  ] as const)('%j', (selection, count, unknown) => {
    const result = selectTypes(selection);
    expect(result.types).toHaveLength(count);
    expect(result.unknown).toEqual(unknown);
  });

  it('names types as Velero does', () => {
    expect(selectTypes({ include: ['statefulsets'] }).types.map(typeName)).toEqual(['statefulsets.apps']);
  });
});

describe('cluster-scoped dependencies', () => {
  const pvc: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'minio-store', namespace: 'data' },
    spec: { volumeName: 'pvc-123', storageClassName: 'standard' },
  };
  it.each([
    [pvc, ['persistentvolumes/pvc-123', 'storageclasses/standard']],
    [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'rb', namespace: 'x' },
        roleRef: { kind: 'ClusterRole', name: 'view' },
      },
      ['clusterroles/view'],
    ],
    [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'rb', namespace: 'x' },
        roleRef: { kind: 'Role', name: 'own' },
      },
      [],
    ],
    [
      {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: { name: 's', namespace: 'p' },
        spec: { volumeSnapshotClassName: 'csi-snapclass' },
        status: { boundVolumeSnapshotContentName: 'snapcontent-1' },
      },
      ['volumesnapshotclasses/csi-snapclass', 'volumesnapshotcontents/snapcontent-1'],
    ],
    [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'i', namespace: 'x' },
        spec: {},
      },
      [],
    ],
  ] as const)('%#: %j', (obj, expected) => {
    expect(dependenciesOf(obj as KubeObject).map((r) => `${r.type.plural}/${r.name}`)).toEqual(expected);
  });

  it('follows references of references once, and reports what is missing', async () => {
    const cluster: Record<string, KubeObject> = {
      'persistentvolumes/pvc-123': {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pvc-123' },
        spec: { storageClassName: 'standard' },
      },
      'storageclasses/standard': {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'standard' },
      },
    };
    const asked: string[] = [];
    const other: KubeObject = {
      ...pvc,
      metadata: { name: 'other', namespace: 'data' },
      spec: { storageClassName: 'gone' },
    };
    const { found, missing } = await collectDependencies([pvc, other], async (ref) => {
      asked.push(`${ref.type.plural}/${ref.name}`);
      return cluster[`${ref.type.plural}/${ref.name}`];
    });
    expect(found.map((f) => f.object.metadata.name)).toEqual(['pvc-123', 'standard']);
    expect(missing.map((m) => `${m.name} needed by ${m.neededBy}`)).toEqual([
      'gone needed by PersistentVolumeClaim data/other',
    ]);
    expect(asked).toEqual(['persistentvolumes/pvc-123', 'storageclasses/standard', 'storageclasses/gone']);
  });
});
