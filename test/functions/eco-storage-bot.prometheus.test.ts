// eco-storage-bot against the real Prometheus (Debian package, started by the test on history it
// backfills) and the emulator's demo cluster: the kubernetes-mixin's KubePersistentVolumeFillingUp
// rules (critical < 3 % free; warning < 15 % free with the 6 h trend empty within 4 days), a stable
// 10 %-free volume left alone, Popeye 1003 for the planted pending PVC, and expansion through the
// rails only for an opted-in PVC whose StorageClass allows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-storage-bot/handler.ts';
import type { Bot } from '../../shared/bot/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import {
  gridTimes,
  startPrometheusWith,
  type MetricSeries,
  type PrometheusServer,
} from '../helpers/prometheus.ts';

const GIB = 1024 ** 3;
const end = Math.floor(Date.now() / 1000 / 60) * 60;
const times = gridTimes(end - 8 * 3600, end, 60);

/** Volume stats of one PVC whose free share at time t is free(t). */
function volume(
  namespace: string,
  pvc: string,
  capacityGiB: number,
  free: (t: number) => number,
): MetricSeries[] {
  const labels = { namespace, persistentvolumeclaim: pvc, job: 'kubelet' };
  const capacity = capacityGiB * GIB;
  const at = (f: (t: number) => number) => times.map((t) => [t, f(t)] as const);
  return [
    { name: 'kubelet_volume_stats_capacity_bytes', labels, samples: at(() => capacity) },
    { name: 'kubelet_volume_stats_available_bytes', labels, samples: at((t) => capacity * free(t)) },
    { name: 'kubelet_volume_stats_used_bytes', labels, samples: at((t) => capacity * (1 - free(t))) },
    { name: 'kubelet_volume_stats_inodes', labels, samples: at(() => 1_000_000) },
    { name: 'kubelet_volume_stats_inodes_free', labels, samples: at(() => 900_000) },
    { name: 'kubelet_volume_stats_inodes_used', labels, samples: at(() => 100_000) },
  ];
}

describe('eco-storage-bot with Prometheus', () => {
  let prometheus: PrometheusServer;
  let harness: BotHarness;
  beforeAll(async () => {
    prometheus = await startPrometheusWith([
      // 20 % free 8 h ago, 12 % now: empty in about a day.
      ...volume('data', 'minio-store', 100, (t) => 0.12 + (0.08 * (end - t)) / (8 * 3600)),
      ...volume('payments', 'data-ledger-db-0', 20, () => 0.02),
      // The look-alike: 10 % free but not moving.
      ...volume('shop', 'data-redis-0', 5, () => 0.1),
    ]);
    harness = await startBotHarness(bot as Bot, { demo: true });
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
    await prometheus?.stop();
  });

  it('without PROMETHEUS_URL still checks phases and says fill levels were not checked', async () => {
    const report = await harness.run({});
    const checks = report.findings.map((f) => `${f.check} ${f.object.namespace ?? ''}/${f.object.name}`);
    expect(checks).toContain('storage.pvc-pending data/scratch');
    expect(checks).toContain('eco-storage-bot.unconfigured /PROMETHEUS_URL');
    expect(report.errors).toEqual([]);
  });

  it('reports critical and trending volumes by the mixin rules and leaves the stable one alone', async () => {
    const report = await harness.run({}, { env: { PROMETHEUS_URL: prometheus.url } });
    expect(report.errors).toEqual([]);
    const filling = report.findings
      .filter((f) => f.check === 'storage.pvc-filling-up')
      .map((f) => [
        f.object.namespace,
        f.object.name,
        f.severity,
        (f.evidence as { freePercent: number }).freePercent,
      ]);
    expect(filling).toEqual([
      ['data', 'minio-store', 'warning', 12],
      ['payments', 'data-ledger-db-0', 'critical', 2],
    ]);
    expect(report.actions).toEqual([]);
  });

  it('expands an opted-in PVC whose StorageClass allows it, through the rails', async () => {
    const pvc = harness.emulator.store.get('persistentvolumeclaims', 'minio-store', 'data');
    harness.emulator.store.put({
      ...pvc!,
      metadata: { ...pvc!.metadata, annotations: { 'eco.bsw-arch.org/auto-expand': 'true' } },
    });
    const dry = await harness.run({ namespace: 'data' }, { env: { PROMETHEUS_URL: prometheus.url } });
    expect(dry.actions.map((a) => [a.verb, a.object.name, a.status, a.reason])).toEqual([
      ['patch', 'minio-store', 'planned', 'filling up (12 % free): expand 100Gi -> 150Gi'],
    ]);
    const applied = await harness.run(
      { namespace: 'data' },
      { env: { PROMETHEUS_URL: prometheus.url, ECO_MODE: 'apply' } },
    );
    expect(applied.actions.map((a) => a.status)).toEqual(['applied']);
    const after = harness.emulator.store.get('persistentvolumeclaims', 'minio-store', 'data');
    expect((after?.spec as { resources: { requests: { storage: string } } }).resources.requests.storage).toBe(
      '150Gi',
    );
  });

  it('does not expand when the StorageClass forbids it (fast-ssd), and says so', async () => {
    const pvc = harness.emulator.store.get('persistentvolumeclaims', 'data-ledger-db-0', 'payments');
    harness.emulator.store.put({
      ...pvc!,
      metadata: { ...pvc!.metadata, annotations: { 'eco.bsw-arch.org/auto-expand': 'true' } },
    });
    const report = await harness.run(
      { namespace: 'payments' },
      { env: { PROMETHEUS_URL: prometheus.url, ECO_MODE: 'apply' } },
    );
    expect(report.actions).toEqual([]);
    expect(report.findings.find((f) => f.object.name === 'data-ledger-db-0')?.fix).toContain(
      'does not allow expansion',
    );
  });

  it('names Prometheus and the failure when it cannot be reached', async () => {
    const report = await harness.run(
      {},
      { env: { PROMETHEUS_URL: 'http://127.0.0.1:9', PROMETHEUS_RETRIES: '0' } },
    );
    expect(report.errors.map((e) => e.code)).toEqual(['prometheus-unavailable']);
    expect(report.findings.map((f) => f.check)).toContain('storage.pvc-pending');
  });
});

describe('eco-storage-bot woken by an alert', () => {
  it('accepts the KubePersistentVolumeFillingUp alert eco-alert-bot routes and narrows to its namespace', async () => {
    const harness = await startBotHarness(bot as Bot, { demo: true });
    try {
      const report = await harness.run(
        {
          alertname: 'KubePersistentVolumeFillingUp',
          status: 'firing',
          severity: 'warning',
          labels: {
            alertname: 'KubePersistentVolumeFillingUp',
            namespace: 'data',
            persistentvolumeclaim: 'minio-store',
          },
          annotations: {},
          fingerprint: 'abc',
          startsAt: '2026-12-04T00:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          targets: ['eco-storage-bot'],
        },
        { trigger: 'cloudevent' },
      );
      expect(report.summary).toMatch(/^3 PVCs/);
      expect(report.findings.map((f) => f.check)).toContain('storage.pvc-pending');
    } finally {
      await harness.close();
    }
  });
});
