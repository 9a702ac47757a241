// eco-restore-bot's plan: Velero's restore order, namespaceMapping, restore-time skips, filters, and
// existingResourcePolicy (none -> skip, update).
import { describe, expect, it } from 'vitest';
import { decide, planRestore } from '../../functions/eco-restore-bot/plan.ts';
import type { KubeObject } from '../../shared/index.ts';
import { itemPath, type ArchiveItem } from '../../shared/storage/index.ts';

const item = (plural: string, group: string, obj: KubeObject): ArchiveItem => ({
  path: itemPath({ plural, group, namespace: obj.metadata.namespace, name: obj.metadata.name }),
  data: obj,
});
const items: ArchiveItem[] = [
  item('deployments', 'apps', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', resourceVersion: '1' },
    spec: { replicas: 2 },
    status: { readyReplicas: 2 },
  }),
  item('configmaps', '', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cfg', namespace: 'shop' },
    data: { a: '1' },
  }),
  item('namespaces', '', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop', labels: { team: 'web' } },
  }),
  item('pods', '', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'done', namespace: 'shop' },
    status: { phase: 'Succeeded' },
  }),
  item('services', '', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { clusterIP: '10.0.0.1', ports: [{ port: 80 }] },
  }),
  item('persistentvolumeclaims', '', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'data' },
    spec: {},
  }),
];

describe('restore plan', () => {
  it('orders as Velero, cleans, and skips completed pods', () => {
    const plan = planRestore(items, { mapping: {} });
    expect(plan.map((p) => `${p.plural}/${p.name}${p.skip ? ` (${p.skip})` : ''}`)).toEqual([
      'namespaces/data',
      'namespaces/shop',
      'persistentvolumeclaims/data',
      'configmaps/cfg',
      'pods/done (completed)',
      'services/web',
      'deployments/web',
    ]);
    const deployment = plan.find((p) => p.plural === 'deployments');
    expect(deployment?.object).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas: 2 },
    });
    expect(plan.find((p) => p.plural === 'services')?.object.spec).toEqual({ ports: [{ port: 80 }] });
    // The archive had no Namespace object for `data`: one is created (Velero getNamespace).
    expect(plan.find((p) => p.name === 'data' && p.plural === 'namespaces')?.source.path).toBe(
      '(created for the restore)',
    );
  });

  it('maps namespaces, the Namespace object included, keeping its labels', () => {
    const plan = planRestore(items, { mapping: { shop: 'shop-copy' }, namespaces: ['shop'] });
    const active = plan.filter((p) => !p.skip);
    expect(active.map((p) => `${p.namespace ?? '-'}/${p.name}`)).toEqual([
      '-/shop-copy',
      'shop-copy/cfg',
      'shop-copy/web',
      'shop-copy/web',
    ]);
    expect(active[0]?.object.metadata.labels).toEqual({ team: 'web' });
    expect(plan.find((p) => p.plural === 'persistentvolumeclaims')?.skip).toBe('namespace-not-selected');
  });

  it('filters resources (Velero includedResources / excludedResources)', () => {
    const only = planRestore(items, { mapping: {}, includeResources: ['configmaps'] }).filter((p) => !p.skip);
    expect(only.map((p) => p.plural)).toEqual(['namespaces', 'configmaps']);
    const without = planRestore(items, { mapping: {}, excludeResources: ['Deployment'] });
    expect(without.find((p) => p.plural === 'deployments')?.skip).toBe('resource-not-selected');
  });
});

describe('existing objects (Velero existingResourcePolicy)', () => {
  const [planned] = planRestore([items[1] as ArchiveItem], { mapping: {} }).filter(
    (p) => p.plural === 'configmaps',
  );
  const live = (data: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'cfg',
      namespace: 'shop',
      uid: 'new',
      resourceVersion: '77',
      creationTimestamp: '2026-12-04T00:00:00Z',
    },
    data,
  });
  it.each([
    ['absent', undefined, 'skip', { action: 'create' }],
    ['equal after cleaning', live({ a: '1' }), 'skip', { action: 'unchanged' }],
    [
      'different, policy none/skip',
      live({ a: '2' }),
      'skip',
      { action: 'skip-exists', differences: ['/data/a'] },
    ],
    ['different, policy update', live({ a: '2' }), 'update', { action: 'update', differences: ['/data/a'] }],
  ] as const)('%s', (_name, existing, policy, expected) => {
    expect(decide(planned!, existing, policy)).toEqual(expected);
  });
});
