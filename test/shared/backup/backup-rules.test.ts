// Velero's rules as table-driven checks; each case names the Velero rule it reproduces.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyNamespaceMapping,
  backupKeys,
  backupName,
  backupSkipReason,
  cleanForBackup,
  cleanForRestore,
  compareRestoreOrder,
  itemPath,
  listBackups,
  parseItemPath,
  parseLabelSelector,
  parseNamespaceMapping,
  restoreSkipReason,
} from '../../../shared/backup/index.ts';
import type { KubeObject } from '../../../shared/k8s/types.ts';
import { createDirectoryStore } from '../../../shared/objectstore/index.ts';

const live = (extra: Partial<KubeObject> & { kind: string; apiVersion: string }): KubeObject => ({
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: '6f1c0b8e-1111-2222-3333-444455556666',
    resourceVersion: '48213',
    generation: 4,
    creationTimestamp: '2026-06-01T10:00:00Z',
    labels: { app: 'web' },
    annotations: { note: 'kept' },
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
    selfLink: '/apis/apps/v1/namespaces/shop/deployments/web',
  } as KubeObject['metadata'],
  ...extra,
});

describe('cleaning (Velero resetMetadataAndStatus and item actions)', () => {
  it('backup drops status and source-cluster metadata, keeps labels, annotations and spec', () => {
    const deployment = live({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { replicas: 3 },
      status: { readyReplicas: 3 },
    });
    expect(cleanForBackup(deployment)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations: { note: 'kept' } },
      spec: { replicas: 3 },
    });
    expect(deployment.status).toEqual({ readyReplicas: 3 }); // input untouched
  });

  it('restore also drops ownerReferences and generateName (resetMetadata)', () => {
    const cm = live({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' } });
    cm.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' }];
    (cm.metadata as unknown as Record<string, unknown>).generateName = 'web-';
    const out = cleanForRestore(cm);
    expect(out.metadata).toEqual({
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web' },
      annotations: { note: 'kept' },
    });
  });

  it.each([
    [
      'ClusterIP Service loses its addresses',
      { type: 'ClusterIP', clusterIP: '10.96.0.12', clusterIPs: ['10.96.0.12'], ports: [{ port: 80 }] },
      { type: 'ClusterIP', ports: [{ port: 80 }] },
    ],
    [
      'headless Service keeps None',
      { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] },
      { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] },
    ],
    [
      'NodePort Service loses node ports',
      { type: 'NodePort', clusterIP: '10.96.0.9', ports: [{ port: 80, nodePort: 30080 }] },
      { type: 'NodePort', ports: [{ port: 80 }] },
    ],
  ])('%s (Velero service action)', (_name, spec, expected) => {
    const svc = live({ apiVersion: 'v1', kind: 'Service', spec });
    expect(cleanForRestore(svc).spec).toEqual(expected);
  });

  it('keeps node ports with preserveNodePorts (Velero restore option)', () => {
    const svc = live({
      apiVersion: 'v1',
      kind: 'Service',
      spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] },
    });
    expect(cleanForRestore(svc, { preserveNodePorts: true }).spec).toEqual({
      type: 'NodePort',
      ports: [{ port: 80, nodePort: 30080 }],
    });
  });

  it('PersistentVolume loses claimRef uid/resourceVersion and binding annotations (Velero resetVolumeBindingInfo)', () => {
    const volume = live({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      spec: {
        claimRef: { namespace: 'shop', name: 'data', uid: 'old', resourceVersion: '9' },
        capacity: { storage: '5Gi' },
      },
    });
    volume.metadata.annotations = {
      'pv.kubernetes.io/bound-by-controller': 'yes',
      'pv.kubernetes.io/bind-completed': 'yes',
    };
    const out = cleanForRestore(volume);
    expect(out.spec).toEqual({ claimRef: { namespace: 'shop', name: 'data' }, capacity: { storage: '5Gi' } });
    expect(out.metadata.annotations).toBeUndefined();
  });
});

describe('what a backup skips', () => {
  const ctx = { includeSecrets: false };
  const owned = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u', controller: true };
  it.each([
    ['an Event', { apiVersion: 'v1', kind: 'Event' }, ctx, 'event'],
    [
      'a Pod owned by a ReplicaSet',
      { apiVersion: 'v1', kind: 'Pod', owners: [owned] },
      ctx,
      'owned-by-controller',
    ],
    ['a bare Pod', { apiVersion: 'v1', kind: 'Pod' }, ctx, undefined],
    [
      'a Pod with a non-controller owner',
      { apiVersion: 'v1', kind: 'Pod', owners: [{ ...owned, controller: false }] },
      ctx,
      undefined,
    ],
    [
      'a PVC owned by its StatefulSet (data must be kept)',
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', owners: [owned] },
      ctx,
      undefined,
    ],
    [
      'an object labelled velero.io/exclude-from-backup',
      { apiVersion: 'v1', kind: 'ConfigMap', labels: { 'velero.io/exclude-from-backup': 'true' } },
      ctx,
      'excluded-by-label',
    ],
    [
      'an object in an excluded namespace',
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { ...ctx, namespaceLabels: { 'velero.io/exclude-from-backup': 'true' } },
      'excluded-by-label',
    ],
    [
      'a Secret not asked for',
      { apiVersion: 'v1', kind: 'Secret', type: 'Opaque' },
      ctx,
      'secret-not-requested',
    ],
    [
      'a Secret asked for',
      { apiVersion: 'v1', kind: 'Secret', type: 'Opaque' },
      { includeSecrets: true },
      undefined,
    ],
    [
      'a service-account token even when asked',
      { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token' },
      { includeSecrets: true },
      'service-account-token',
    ],
    [
      'kube-root-ca.crt',
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'kube-root-ca.crt' },
      ctx,
      'cluster-managed',
    ],
  ] as const)('%s', (_name, shape, context, expected) => {
    const obj: KubeObject = {
      apiVersion: shape.apiVersion,
      kind: shape.kind,
      metadata: {
        name: 'name' in shape ? shape.name : 'x',
        namespace: 'shop',
        ...('labels' in shape ? { labels: { ...shape.labels } } : {}),
        ...('owners' in shape ? { ownerReferences: shape.owners.map((o) => ({ ...o })) } : {}),
      },
      ...('type' in shape ? { type: shape.type } : {}),
    };
    expect(backupSkipReason(obj, context)).toBe(expected);
  });

  it.each([
    ['a Succeeded Pod', { kind: 'Pod', apiVersion: 'v1', status: { phase: 'Succeeded' } }, 'completed'],
    ['a running Pod', { kind: 'Pod', apiVersion: 'v1', status: { phase: 'Running' } }, undefined],
    [
      'a completed Job',
      { kind: 'Job', apiVersion: 'batch/v1', status: { completionTime: '2026-12-01T00:00:00Z' } },
      'completed',
    ],
    ['a Node', { kind: 'Node', apiVersion: 'v1' }, 'never-restored'],
    ['a Velero Backup', { kind: 'Backup', apiVersion: 'velero.io/v1' }, 'never-restored'],
  ])('restore skips %s (Velero isCompleted / non-restorable)', (_name, shape, expected) => {
    expect(restoreSkipReason({ ...shape, metadata: { name: 'x' } })).toBe(expected);
  });
});

describe('restore order (Velero defaultRestorePriorities)', () => {
  it('sorts CRDs, namespaces, storage, PVs, PVCs, RBAC, secrets, config, limits, quotas, then workloads', () => {
    const items = [
      { plural: 'deployments', group: 'apps', namespace: 'shop', name: 'web' },
      { plural: 'resourcequotas', group: '', namespace: 'shop', name: 'q' },
      { plural: 'configmaps', group: '', namespace: 'shop', name: 'c' },
      { plural: 'secrets', group: '', namespace: 'shop', name: 's' },
      { plural: 'persistentvolumeclaims', group: '', namespace: 'shop', name: 'data' },
      { plural: 'namespaces', group: '', name: 'shop' },
      { plural: 'customresourcedefinitions', group: 'apiextensions.k8s.io', name: 'widgets.example.com' },
      { plural: 'persistentvolumes', group: '', name: 'pv-1' },
      { plural: 'storageclasses', group: 'storage.k8s.io', name: 'standard' },
      { plural: 'serviceaccounts', group: '', namespace: 'shop', name: 'sa' },
      { plural: 'limitranges', group: '', namespace: 'shop', name: 'l' },
      { plural: 'statefulsets', group: 'apps', namespace: 'shop', name: 'db' },
      { plural: 'services', group: '', namespace: 'shop', name: 'web' },
    ];
    expect([...items].sort(compareRestoreOrder).map((i) => i.plural)).toEqual([
      'customresourcedefinitions',
      'namespaces',
      'storageclasses',
      'persistentvolumes',
      'persistentvolumeclaims',
      'serviceaccounts',
      'secrets',
      'configmaps',
      'limitranges',
      'resourcequotas',
      'services',
      'deployments',
      'statefulsets',
    ]);
  });
});

describe('item paths (Velero archive layout)', () => {
  it.each([
    [
      { plural: 'deployments', group: 'apps', namespace: 'shop', name: 'web' },
      'resources/deployments.apps/namespaces/shop/web.json',
    ],
    [
      { plural: 'configmaps', group: '', namespace: 'shop', name: 'cfg' },
      'resources/configmaps/namespaces/shop/cfg.json',
    ],
    [
      { plural: 'storageclasses', group: 'storage.k8s.io', name: 'fast-ssd' },
      'resources/storageclasses.storage.k8s.io/cluster/fast-ssd.json',
    ],
    [
      { plural: 'volumesnapshots', group: 'snapshot.storage.k8s.io', namespace: 'payments', name: 'snap.1' },
      'resources/volumesnapshots.snapshot.storage.k8s.io/namespaces/payments/snap.1.json',
    ],
  ])('%j <-> %s', (address, path) => {
    expect(itemPath(address)).toBe(path);
    expect(parseItemPath(path)).toEqual({ namespace: undefined, ...address });
  });

  it('refuses a path outside the layout', () => {
    expect(() => parseItemPath('manifest.json')).toThrow(/is not resources/);
    expect(() => parseItemPath('resources/pods/namespaces/../x.json')).toThrow(/is not resources/);
  });
});

describe('namespace mapping (Velero namespaceMapping)', () => {
  it('moves the object, a Namespace itself, ServiceAccount subjects and PV claimRefs', () => {
    const mapping = { shop: 'shop-restored' };
    const binding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rb', namespace: 'shop' },
      subjects: [
        { kind: 'ServiceAccount', name: 'web', namespace: 'shop' },
        { kind: 'ServiceAccount', name: 'mon', namespace: 'monitoring' },
        { kind: 'User', name: 'alice' },
      ],
    };
    expect(applyNamespaceMapping(binding, mapping)).toMatchObject({
      metadata: { namespace: 'shop-restored' },
      subjects: [{ namespace: 'shop-restored' }, { namespace: 'monitoring' }, { name: 'alice' }],
    });
    expect(
      applyNamespaceMapping({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, mapping)
        .metadata.name,
    ).toBe('shop-restored');
    const volume: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv' },
      spec: { claimRef: { namespace: 'shop', name: 'd' } },
    };
    expect(applyNamespaceMapping(volume, mapping).spec).toEqual({
      claimRef: { namespace: 'shop-restored', name: 'd' },
    });
    expect(binding.metadata.namespace).toBe('shop');
  });

  it.each([
    ['shop:shop-2,data:data-2', { shop: 'shop-2', data: 'data-2' }],
    [{ shop: 'x' }, { shop: 'x' }],
    ['shop', 'is not old:new'],
    ['Shop:x', 'is not old:new'],
  ] as const)('parses %j', (input, expected) => {
    const parsed = parseNamespaceMapping(input);
    if (typeof expected === 'string') expect(parsed).toContain(expected);
    else expect(parsed).toEqual(expected);
  });
});

describe('backup layout in the store', () => {
  it('names backups sortably and lists complete and incomplete ones', async () => {
    expect(backupName('nightly', new Date('2026-12-04T02:00:05Z'))).toBe('nightly-20261204020005');
    const root = await mkdtemp(join(tmpdir(), 'eco-layout-'));
    try {
      const store = createDirectoryStore({ root });
      const done = backupKeys('backups/', 'nightly-20261203020000');
      await store.put(done.archive, Buffer.from('a'));
      await store.put(done.manifest, Buffer.from('{}'));
      await store.put(backupKeys('backups/', 'nightly-20261204020000').archive, Buffer.from('half'));
      await store.put('backups/stray.txt', Buffer.from('x'));
      const listed = await listBackups(store, 'backups/');
      expect(listed.map((b) => [b.name, b.complete, b.archiveSize])).toEqual([
        ['nightly-20261203020000', true, 1],
        ['nightly-20261204020000', false, 4],
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app==web,tier!=db', { app: 'web', tier: 'fe' }, true],
    ['env in (prod, staging)', { env: 'staging' }, true],
    ['env notin (prod)', {}, true],
    ['backup', { backup: '' }, true],
    ['!legacy', { legacy: 'yes' }, false],
    ['', {}, true],
  ] as const)('%j on %j is %s', (selector, labels, expected) => {
    const match = parseLabelSelector(selector);
    if (typeof match === 'string') throw new Error(match);
    expect(match(labels)).toBe(expected);
  });
  it('names a malformed requirement', () => {
    expect(parseLabelSelector('app=(x')).toContain('is not a label selector');
    expect(parseLabelSelector('app=web,=x')).toContain('is not a label selector requirement');
  });
});
