// eco-volume-bot on the demo cluster with its own RBAC token: the planted unused PVC and Released PV
// are found and priced, the mounted look-alike is left alone, and the optional deletion goes through
// the rails (dry-run by default; an excluded PVC is never touched).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-volume-bot/handler.ts';
import type { Bot } from '../../shared/bot/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

describe('eco-volume-bot on the demo cluster', () => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await startBotHarness(bot as Bot, { demo: true });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('finds the planted unused PVC and Released PV, priced, and leaves the mounted one alone', async () => {
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const found = report.findings.map((f) => `${f.check} ${f.object.namespace ?? ''}/${f.object.name}`);
    expect(found).toContain('volume.unused-pvc data/old-export');
    expect(found).toContain('volume.released-pv /pv-legacy-reports');
    expect(found.some((f) => f.includes('minio-store'))).toBe(false);
    const unused = report.findings.find((f) => f.object.name === 'old-export');
    // 200 GiB at OpenCost's 0.04 per GiB-month.
    expect(unused?.impact).toEqual({ monthlyCost: 8, currency: 'USD' });
    expect(unused?.evidence).toMatchObject({ sizeGiB: 200 });
    expect(report.actions).toEqual([]);
  });

  it('with deletion on, plans the delete in dry-run and deletes it in apply', async () => {
    const dry = await harness.run(
      { checks: ['volume.unused-pvc'] },
      { env: { ECO_VOLUME_DELETE_UNUSED: 'true' } },
    );
    expect(dry.actions.map((a) => [a.verb, a.object.name, a.status])).toEqual([
      ['delete', 'old-export', 'planned'],
    ]);
    expect(harness.emulator.store.get('persistentvolumeclaims', 'old-export', 'data')).toBeDefined();
  });

  it('never deletes an excluded PVC', async () => {
    const pvc = harness.emulator.store.get('persistentvolumeclaims', 'old-export', 'data');
    expect(pvc).toBeDefined();
    harness.emulator.store.put({
      ...pvc!,
      metadata: { ...pvc!.metadata, annotations: { 'eco.bsw-arch.org/exclude': 'true' } },
    });
    const report = await harness.run({}, { env: { ECO_VOLUME_DELETE_UNUSED: 'true', ECO_MODE: 'apply' } });
    expect(report.actions.map((a) => [a.verb, a.object.name, a.status])).toEqual([
      ['delete', 'old-export', 'skipped'],
    ]);
    expect(report.actions[0]?.reason).toMatch(/^excluded/);
  });

  it('deletes it in apply once the exclusion is gone (and posts the audit Event)', async () => {
    const pvc = harness.emulator.store.get('persistentvolumeclaims', 'old-export', 'data');
    harness.emulator.store.put({ ...pvc!, metadata: { ...pvc!.metadata, annotations: {} } });
    const report = await harness.run({}, { env: { ECO_VOLUME_DELETE_UNUSED: 'true', ECO_MODE: 'apply' } });
    expect(report.actions.map((a) => [a.verb, a.object.name, a.status])).toEqual([
      ['delete', 'old-export', 'applied'],
    ]);
    const left = harness.emulator.store.get('persistentvolumeclaims', 'old-export', 'data');
    expect(left === undefined || left.metadata.deletionTimestamp !== undefined).toBe(true);
  });
});
