// eco-storage-bot's pure parts: Popeye 1000-1004 phase checks, the kubernetes-mixin filling-up
// expressions and their answers, and volume expansion through the StorageClass's allowVolumeExpansion.
import { describe, expect, it } from 'vitest';
import { planExpansion } from '../../functions/eco-storage-bot/expansion.ts';
import { fillingQueries, fillingVolumes } from '../../functions/eco-storage-bot/filling.ts';
import { phaseProblems, type PhaseInput } from '../../functions/eco-storage-bot/phases.ts';
import type { KubeObject } from '../../shared/index.ts';

const now = new Date('2026-12-04T12:00:00Z');
const ago = (minutes: number): string => new Date(now.getTime() - minutes * 60_000).toISOString();
const sc = (name: string, mode = 'Immediate', extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner: 'csi.eco.local',
  volumeBindingMode: mode,
  ...extra,
});
const claim = (
  name: string,
  phase: string,
  className: string | undefined,
  ageMinutes: number,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'data', creationTimestamp: ago(ageMinutes) },
  spec: {
    ...(className ? { storageClassName: className } : {}),
    resources: { requests: { storage: '10Gi' } },
  },
  status: { phase },
});
const run = (over: Partial<PhaseInput>): string[] =>
  phaseProblems({
    pvcs: [],
    pvs: [],
    storageClasses: [sc('standard')],
    pods: [],
    now,
    pendingGraceMinutes: 15,
    ...over,
  }).map((p) => `${p.check} ${p.object.name}`);

describe('PV/PVC phases (Popeye 1000-1004)', () => {
  it.each([
    [
      '1003 pending claim, class missing (planted data/scratch)',
      { pvcs: [claim('scratch', 'Pending', 'nvme-local', 2880)] },
      ['storage.pvc-pending scratch'],
    ],
    [
      'a claim pending 5 minutes on an existing class: too early',
      { pvcs: [claim('new', 'Pending', 'standard', 5)] },
      [],
    ],
    [
      'a claim pending an hour on an existing class',
      { pvcs: [claim('stuck', 'Pending', 'standard', 60)] },
      ['storage.pvc-pending stuck'],
    ],
    [
      'WaitForFirstConsumer with no pod yet: by design, left alone',
      {
        pvcs: [claim('wffc', 'Pending', 'standard', 600)],
        storageClasses: [sc('standard', 'WaitForFirstConsumer')],
      },
      [],
    ],
    ['1004 lost claim', { pvcs: [claim('gone', 'Lost', 'standard', 600)] }, ['storage.pvc-lost gone']],
    ['a bound claim', { pvcs: [claim('ok', 'Bound', 'standard', 600)] }, []],
    [
      'PV phases 1000/1001/1002',
      {
        pvs: ['Available', 'Pending', 'Failed', 'Bound', 'Released'].map((phase) => ({
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: `pv-${phase.toLowerCase()}` },
          spec: {},
          status: { phase },
        })),
      },
      ['storage.pv-available pv-available', 'storage.pv-pending pv-pending', 'storage.pv-failed pv-failed'],
    ],
  ] as Array<[string, Partial<PhaseInput>, string[]]>)('%s', (_name, over, expected) => {
    expect(run(over)).toEqual(expected);
  });

  it('says why a claim is pending, with the numbers', () => {
    const [problem] = phaseProblems({
      pvcs: [claim('scratch', 'Pending', 'nvme-local', 2880)],
      pvs: [],
      storageClasses: [sc('standard'), sc('fast-ssd')],
      pods: [],
      now,
      pendingGraceMinutes: 15,
    });
    expect(problem?.message).toBe(
      'PVC data/scratch has been Pending for 2 days: StorageClass nvme-local does not exist.',
    );
    expect(problem?.evidence).toMatchObject({
      pendingMinutes: 2880,
      storageClass: 'nvme-local',
      storageClassExists: false,
    });
    expect(problem?.fix).toContain('standard, fast-ssd');
  });
});

describe('filling up (kubernetes-mixin KubePersistentVolumeFillingUp)', () => {
  it('uses the mixin thresholds: 3 % critical, 15 % with a 6 h trend reaching zero within 4 days', () => {
    const q = fillingQueries();
    expect(q.critical).toContain(
      'kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.03',
    );
    expect(q.warning).toContain('< 0.15');
    expect(q.warning).toContain(
      'predict_linear(kubelet_volume_stats_available_bytes[6h], 4 * 24 * 3600) < 0',
    );
    expect(q.critical).toContain('label_excluded_from_alerts="true"');
    expect(q.inodesCritical).toContain(
      'kubelet_volume_stats_inodes_free / kubelet_volume_stats_inodes < 0.03',
    );
  });

  it('merges the answers, critical over warning', () => {
    const s = (pvc: string, value: string) => ({
      metric: { namespace: 'monitoring', persistentvolumeclaim: pvc },
      value: [0, value] as [number, string],
    });
    expect(
      fillingVolumes({
        critical: [s('a', '0.021')],
        warning: [s('a', '0.021'), s('b', '0.12')],
        inodesCritical: [],
        inodesWarning: [],
      }),
    ).toEqual([
      { namespace: 'monitoring', pvc: 'a', severity: 'critical', kind: 'bytes', freePercent: 2.1 },
      { namespace: 'monitoring', pvc: 'b', severity: 'warning', kind: 'bytes', freePercent: 12 },
    ]);
  });
});

describe('expansion (allowVolumeExpansion, opt-in annotation)', () => {
  const pvc = (annotations: Record<string, string>, size = '50Gi'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'prom', namespace: 'monitoring', annotations },
    spec: { resources: { requests: { storage: size } } },
  });
  const optedIn = { 'eco.bsw-arch.org/auto-expand': 'true' };
  const opts = { stepPercent: 50, maxBytes: 1024 ** 4 };
  it.each([
    [
      'opted in, class allows',
      pvc(optedIn),
      sc('standard', 'Immediate', { allowVolumeExpansion: true }),
      { expand: true, from: '50Gi', to: '75Gi' },
    ],
    [
      'not opted in',
      pvc({}),
      sc('standard', 'Immediate', { allowVolumeExpansion: true }),
      { expand: false, reason: 'not-opted-in' },
    ],
    [
      'class forbids (fast-ssd)',
      pvc(optedIn),
      sc('fast-ssd', 'Immediate', { allowVolumeExpansion: false }),
      { expand: false, reason: 'class-forbids' },
    ],
    ['class missing', pvc(optedIn), undefined, { expand: false, reason: 'class-missing' }],
    [
      'capped by the PVC maximum',
      pvc({ ...optedIn, 'eco.bsw-arch.org/auto-expand-max': '60Gi' }),
      sc('s', 'Immediate', { allowVolumeExpansion: true }),
      { expand: true, to: '60Gi' },
    ],
    [
      'already at the maximum',
      pvc({ ...optedIn, 'eco.bsw-arch.org/auto-expand-max': '50Gi' }),
      sc('s', 'Immediate', { allowVolumeExpansion: true }),
      { expand: false, reason: 'at-maximum' },
    ],
  ] as Array<[string, KubeObject, KubeObject | undefined, Record<string, unknown>]>)(
    '%s',
    (_name, claimObj, cls, expected) => {
      expect(planExpansion(claimObj, cls, opts)).toMatchObject(expected);
    },
  );
});
