// eco-volume-bot checks; each case names the anchor rule (k8s-cleaner unused PVC / unbound PV,
// kube-janitor PVC rule) it reproduces.
import { describe, expect, it } from 'vitest';
import { volumeProblems, type VolumeInput } from '../../functions/eco-volume-bot/checks.ts';
import type { KubeObject } from '../../shared/index.ts';

const now = new Date('2026-12-04T12:00:00Z');
const daysAgo = (d: number): string => new Date(now.getTime() - d * 86_400_000).toISOString();
const pvc = (
  name: string,
  extra: { phase?: string; size?: string; age?: number; annotations?: Record<string, string> } = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: {
    name,
    namespace: 'data',
    creationTimestamp: daysAgo(extra.age ?? 30),
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  },
  spec: { resources: { requests: { storage: extra.size ?? '200Gi' } }, volumeName: `pv-${name}` },
  status: { phase: extra.phase ?? 'Bound', capacity: { storage: extra.size ?? '200Gi' } },
});
const pod = (claim: string, phase = 'Running'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${claim}`, namespace: 'data' },
  spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }] },
  status: { phase },
});
const pv = (name: string, phase: string, policy: string, claim = 'x'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: {
    capacity: { storage: '50Gi' },
    persistentVolumeReclaimPolicy: policy,
    claimRef: { namespace: 'data', name: claim },
  },
  status: { phase },
});
const input = (over: Partial<VolumeInput>): VolumeInput => ({
  pvcs: [],
  pvs: [],
  pods: [],
  workloads: [],
  snapshots: [],
  now,
  priceOf: (bytes) => (bytes / 1024 ** 3) * 0.04,
  graceDays: 4,
  ...over,
});
const checks = (over: Partial<VolumeInput>): string[] =>
  volumeProblems(input(over)).map((p) => `${p.check} ${p.object.name}`);

describe('volume.unused-pvc (k8s-cleaner unused PVC, kube-janitor PVC rule)', () => {
  it.each([
    ['mounted by no pod: found', { pvcs: [pvc('old-export')] }, ['volume.unused-pvc old-export']],
    ['mounted by a running pod: left alone', { pvcs: [pvc('minio-store')], pods: [pod('minio-store')] }, []],
    [
      'mounted only by a finished pod: found',
      { pvcs: [pvc('x')], pods: [pod('x', 'Succeeded')] },
      ['volume.unused-pvc x'],
    ],
    ['pending (not bound): left to eco-storage-bot', { pvcs: [pvc('scratch', { phase: 'Pending' })] }, []],
    [
      'a StatefulSet template would claim it (scaled down): left alone',
      {
        pvcs: [pvc('data-ledger-db-3')],
        workloads: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            metadata: { name: 'ledger-db', namespace: 'data' },
            spec: { replicas: 3, volumeClaimTemplates: [{ metadata: { name: 'data' } }] },
          },
        ],
      },
      [],
    ],
    [
      'referenced by a Deployment scaled to 0: left alone',
      {
        pvcs: [pvc('reports')],
        workloads: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'r', namespace: 'data' },
            spec: {
              replicas: 0,
              template: {
                spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'reports' } }] },
              },
            },
          },
        ],
      },
      [],
    ],
    [
      'referenced by a CronJob template: left alone',
      {
        pvcs: [pvc('nightly')],
        workloads: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            metadata: { name: 'c', namespace: 'data' },
            spec: {
              jobTemplate: {
                spec: {
                  template: {
                    spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'nightly' } }] },
                  },
                },
              },
            },
          },
        ],
      },
      [],
    ],
  ] as const)('%s', (_name, over, expected) => {
    expect(checks(over as Partial<VolumeInput>)).toEqual(expected);
  });

  it('prices it from the price book and knows whether the grace period is over', () => {
    const [old] = volumeProblems(input({ pvcs: [pvc('old-export', { age: 120 })] }));
    expect(old).toMatchObject({ monthlyCost: 8, pastGrace: true, evidence: { sizeGiB: 200, ageDays: 120 } });
    const [fresh] = volumeProblems(input({ pvcs: [pvc('fresh', { age: 1 })] }));
    expect(fresh?.pastGrace).toBe(false);
  });
});

describe('PVs (k8s-cleaner unbound PV; reclaim-policy risk)', () => {
  it.each([
    [
      'a Released PV is found with its cost',
      [pv('pv-legacy-reports', 'Released', 'Retain', 'reports-data')],
      [],
      [],
      ['volume.released-pv pv-legacy-reports'],
    ],
    [
      'a Bound Delete PV without snapshots is a risk',
      [pv('pv-a', 'Bound', 'Delete', 'a')],
      [pvc('a')],
      [],
      ['volume.reclaim-delete-unprotected pv-a'],
    ],
    [
      'a Bound Delete PV with a ready snapshot is covered',
      [pv('pv-a', 'Bound', 'Delete', 'a')],
      [pvc('a')],
      [
        {
          apiVersion: 'snapshot.storage.k8s.io/v1',
          kind: 'VolumeSnapshot',
          metadata: { name: 's', namespace: 'data' },
          spec: { source: { persistentVolumeClaimName: 'a' } },
          status: { readyToUse: true },
        },
      ],
      [],
    ],
    [
      'a Bound Delete PV opted in to snapshots is covered',
      [pv('pv-a', 'Bound', 'Delete', 'a')],
      [pvc('a', { annotations: { 'eco.bsw-arch.org/snapshot': 'true' } })],
      [],
      [],
    ],
    ['a Bound Retain PV is not a risk', [pv('pv-a', 'Bound', 'Retain', 'a')], [pvc('a')], [], []],
  ] as Array<[string, KubeObject[], KubeObject[], KubeObject[], string[]]>)(
    '%s',
    (_name, pvs, pvcs, snapshots, expected) => {
      const pods = pvcs.map((c) => pod(c.metadata.name));
      expect(checks({ pvs, pvcs, pods, snapshots })).toEqual(expected);
    },
  );

  it('puts the cost of a 50 GiB Released PV at 2.00 a month', () => {
    const [released] = volumeProblems(input({ pvs: [pv('p', 'Released', 'Retain')] }));
    expect(released?.monthlyCost).toBe(2);
  });
});
