// eco-snapshot-bot decisions: Velero CSI (10-minute readiness timeout), Robusta create_pvc_snapshot
// (a snapshot on an alert), keep-last-N and GFS that never delete a not-ready or the newest ready one.
import { describe, expect, it } from 'vitest';
import {
  duePvcs,
  health,
  retention,
  snapshotFor,
  snapshotName,
  snapshotState,
} from '../../functions/eco-snapshot-bot/plan.ts';
import type { KubeObject } from '../../shared/index.ts';

const now = new Date('2026-12-04T12:00:00Z');
const ago = (hours: number): string => new Date(now.getTime() - hours * 3_600_000).toISOString();
const snap = (
  name: string,
  pvc: string,
  hours: number,
  status: Record<string, unknown> = { readyToUse: true },
  ours = true,
): KubeObject => ({
  apiVersion: 'snapshot.storage.k8s.io/v1',
  kind: 'VolumeSnapshot',
  metadata: {
    name,
    namespace: 'payments',
    creationTimestamp: ago(hours),
    ...(ours ? { labels: { 'eco.bsw-arch.org/snapshot-of': pvc } } : {}),
  },
  spec: { source: { persistentVolumeClaimName: pvc } },
  status: { creationTime: ago(hours), ...status },
});
const pvc = (name: string, optedIn = true, phase = 'Bound'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: {
    name,
    namespace: 'payments',
    ...(optedIn ? { annotations: { 'eco.bsw-arch.org/snapshot': 'true' } } : {}),
  },
  status: { phase },
});

describe('what is due', () => {
  const states = [snap('a-1', 'a', 30), snap('b-1', 'b', 2)].map(snapshotState);
  it.each([
    ['newest older than the interval', [pvc('a')], undefined, ['a schedule']],
    ['newest younger than the interval', [pvc('b')], undefined, []],
    ['never snapshotted', [pvc('c')], undefined, ['c schedule']],
    ['not opted in', [pvc('d', false)], undefined, []],
    ['not bound', [pvc('e', true, 'Pending')], undefined, []],
    ['an alert names it (Robusta create_pvc_snapshot)', [pvc('b')], new Set(['payments/b']), ['b alert']],
  ] as Array<[string, KubeObject[], Set<string> | undefined, string[]]>)(
    '%s',
    (_name, pvcs, alerted, expected) => {
      const due = duePvcs(pvcs, states, { now, intervalHours: 24, ...(alerted ? { alerted } : {}) });
      expect(due.map((d) => `${d.pvc.metadata.name} ${d.reason}`)).toEqual(expected);
    },
  );

  it('names and labels the snapshot it creates', () => {
    expect(snapshotName('data-ledger-db-0', now)).toBe('data-ledger-db-0-20261204120000');
    expect(snapshotName('x'.repeat(80), now)).toHaveLength(63);
    expect(snapshotFor(pvc('data-ledger-db-0'), now, 'csi-snapclass')).toMatchObject({
      metadata: {
        name: 'data-ledger-db-0-20261204120000',
        labels: { 'eco.bsw-arch.org/snapshot-of': 'data-ledger-db-0' },
      },
      spec: {
        source: { persistentVolumeClaimName: 'data-ledger-db-0' },
        volumeSnapshotClassName: 'csi-snapclass',
      },
    });
  });
});

describe('readiness (Velero CSI 10-minute timeout)', () => {
  it.each([
    [snap('r', 'a', 1), { state: 'ready' }],
    [snap('p', 'a', 0.1, { readyToUse: false }), { state: 'pending', minutes: 6 }],
    [snap('s', 'a', 0.5, { readyToUse: false }), { state: 'stuck', minutes: 30 }],
    [
      snap('f', 'a', 1, { readyToUse: false, error: { message: 'driver refused' } }),
      { state: 'failed', message: 'driver refused' },
    ],
  ] as Array<[KubeObject, unknown]>)('%#', (snapshot, expected) => {
    expect(health(snapshotState(snapshot), now)).toEqual(expected);
  });
});

describe('retention (keep-last-N, GFS, Velero TTL)', () => {
  const policy = { keepLast: 3, keepDaily: 7, keepWeekly: 0, keepMonthly: 0, maxAgeDays: 14 };
  const deleted = (snaps: KubeObject[]): string[] =>
    retention(snaps.map(snapshotState), policy, now)
      .filter((d) => !d.keep)
      .map((d) => d.id);

  it('the demo cluster ledger-db snapshots (1, 2, 3, 9, 16 days): the 16-day one goes', () => {
    expect(
      deleted(
        [1, 2, 3, 9, 16].map((d) => snap(`ledger-db-data-ledger-db-0-${d}d`, 'data-ledger-db-0', d * 24)),
      ),
    ).toEqual(['payments/ledger-db-data-ledger-db-0-16d']);
  });
  it('never deletes one that is not ready, nor a failed one, nor the newest ready one', () => {
    const snaps = [
      snap('new-pending', 'a', 1, { readyToUse: false }),
      snap('failed', 'a', 200, { readyToUse: false, error: { message: 'x' } }),
      snap('only-ready', 'a', 24 * 40),
    ];
    expect(deleted(snaps)).toEqual([]);
  });
  it('never touches snapshots it did not make', () => {
    expect(deleted([snap('manual', 'a', 24 * 60, { readyToUse: true }, false)])).toEqual([]);
  });
});
