// eco-snapshot-bot on the demo cluster with its own RBAC token: the planted ledger-db snapshots
// (1, 2, 3, 9, 16 days) lose only the 16-day one; an opted-in PVC gets a snapshot on schedule and on
// a KubePersistentVolumeFillingUp alert (Robusta create_pvc_snapshot); a stuck one is reported
// (Velero CSI 10-minute timeout); dry-run plans, apply acts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-snapshot-bot/handler.ts';
import type { Bot } from '../../shared/bot/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

describe('eco-snapshot-bot on the demo cluster', () => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await startBotHarness(bot as Bot, { demo: true });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('plans deleting only the snapshot beyond retention (planted snapshot.retention)', async () => {
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.name}`)).toEqual([
      'snapshot.retention ledger-db-data-ledger-db-0-16d',
    ]);
    expect(report.actions.map((a) => [a.verb, a.object.name, a.status])).toEqual([
      ['delete', 'ledger-db-data-ledger-db-0-16d', 'planned'],
    ]);
  });

  it('snapshots an opted-in PVC on schedule, with its driver’s class', async () => {
    const pvc = harness.emulator.store.get('persistentvolumeclaims', 'data-ledger-db-1', 'payments');
    harness.emulator.store.put({
      ...pvc!,
      metadata: { ...pvc!.metadata, annotations: { 'eco.bsw-arch.org/snapshot': 'true' } },
    });
    const report = await harness.run({ namespace: 'payments', retention: false });
    expect(report.actions.map((a) => [a.verb, a.object.kind, a.status, a.reason])).toEqual([
      ['create', 'VolumeSnapshot', 'planned', 'opted in and never snapshotted'],
    ]);
    expect(report.actions[0]?.object.name).toMatch(/^data-ledger-db-1-\d{14}$/);
  });

  it('snapshots on a KubePersistentVolumeFillingUp alert even when the newest is recent', async () => {
    const alert = {
      alertname: 'KubePersistentVolumeFillingUp',
      status: 'firing',
      severity: 'warning',
      labels: {
        alertname: 'KubePersistentVolumeFillingUp',
        namespace: 'payments',
        persistentvolumeclaim: 'data-ledger-db-1',
      },
      annotations: {},
    };
    const applied = await harness.run(
      { namespace: 'payments', retention: false },
      { env: { ECO_MODE: 'apply' } },
    );
    expect(applied.actions.map((a) => a.status)).toEqual(['applied']);
    const again = await harness.run({ namespace: 'payments', retention: false });
    expect(again.actions).toEqual([]); // not due: the newest is minutes old
    const report = await harness.run(alert, { trigger: 'alertmanager' });
    expect(report.actions.map((a) => [a.verb, a.status, a.reason])).toEqual([
      ['create', 'planned', 'KubePersistentVolumeFillingUp fired for payments/data-ledger-db-1'],
    ]);
  });

  it('reports a snapshot that is not ready after 10 minutes, and never deletes it', async () => {
    const created = new Date(Date.now() - 30 * 60_000).toISOString();
    harness.emulator.store.put({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: {
        name: 'stuck-1',
        namespace: 'payments',
        creationTimestamp: created,
        labels: { 'eco.bsw-arch.org/snapshot-of': 'data-ledger-db-2' },
      },
      spec: { source: { persistentVolumeClaimName: 'data-ledger-db-2' } },
      status: { readyToUse: false },
    });
    const report = await harness.run(
      { namespace: 'payments' },
      { env: { ECO_SNAPSHOT_MAX_AGE_DAYS: '1', ECO_SNAPSHOT_KEEP_LAST: '0', ECO_SNAPSHOT_KEEP_DAILY: '0' } },
    );
    const stuck = report.findings.find((f) => f.object.name === 'stuck-1');
    expect(stuck?.check).toBe('snapshot.not-ready');
    expect(stuck?.evidence).toMatchObject({ minutes: 30 });
    expect(report.actions.some((a) => a.verb === 'delete' && a.object.name === 'stuck-1')).toBe(false);
  });
});
