// eco-optimize-bot with its own RBAC token against the emulator and the real Prometheus (Debian
// `prometheus` + `promtool`): OOMKilled containers with VPA's OOM bump (× 1.2, at least + 100Mi),
// the mixin's CPUThrottlingHigh (> 25 % for 15 minutes) and a CPU limit that causes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-optimize-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';
import { alignedNow, counterSamples, gridTimes, startPrometheusWith } from '../helpers/prometheus.ts';
import type { MetricSeries, PrometheusServer } from '../helpers/prometheus.ts';

const end = alignedNow(60);
const NOW = new Date(end * 1000);
const created = '2026-06-01T00:00:00Z';
const pod = (
  name: string,
  containers: Array<{ name: string; limits?: Record<string, string> }>,
  statuses: unknown[] = [],
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, creationTimestamp: created },
  spec: {
    nodeName: 'n1',
    containers: containers.map((c) => ({
      name: c.name,
      image: 'registry.example/app:1',
      resources: c.limits ? { limits: c.limits } : {},
    })),
  },
  status: { phase: 'Running', containerStatuses: statuses },
});
const objects: KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop', uid: 'uid-shop', creationTimestamp: created },
  },
  pod('api-1', [
    { name: 'app', limits: { cpu: '500m', memory: '256Mi' } },
    { name: 'proxy', limits: { cpu: '1' } },
  ]),
  pod('worker-1', [{ name: 'worker', limits: { cpu: '2' } }]),
  pod(
    'memhog-1',
    [{ name: 'memhog', limits: { memory: '128Mi' } }],
    [
      {
        name: 'memhog',
        restartCount: 6,
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-12-04T11:00:00Z' } },
      },
    ],
  ),
  pod(
    'crashy-1',
    [{ name: 'app', limits: { memory: '1Gi' } }],
    [{ name: 'app', restartCount: 2, lastState: { terminated: { reason: 'Error', exitCode: 1 } } }],
  ),
];

/** CFS counters (10 periods a second) and CPU usage, for the last hour on a 15 s grid. */
function series(
  podName: string,
  container: string,
  throttledShare: number,
  cpuCores: number,
): MetricSeries[] {
  const times = gridTimes(end - 3_600, end, 15);
  const labels = { namespace: 'shop', pod: podName, container };
  return [
    { name: 'container_cpu_cfs_periods_total', labels, samples: counterSamples(times, () => 10) },
    {
      name: 'container_cpu_cfs_throttled_periods_total',
      labels,
      samples: counterSamples(times, () => 10 * throttledShare, 0),
    },
    { name: 'container_cpu_usage_seconds_total', labels, samples: counterSamples(times, () => cpuCores) },
  ];
}

let prometheus: PrometheusServer;
let harness: BotHarness;

beforeAll(async () => {
  prometheus = await startPrometheusWith([
    ...series('api-1', 'app', 0.4, 0.45), // throttled, at 90 % of its 500m limit: the limit throttles it
    ...series('api-1', 'proxy', 0.05, 0.1), // fine
    ...series('worker-1', 'worker', 0.3, 0.2), // throttled (bursts), far under its 2-core limit
  ]);
  harness = await startBotHarness(bot, { objects, now: () => NOW, env: { PROMETHEUS_URL: prometheus.url } });
}, 180_000);

afterAll(async () => {
  await harness?.close();
  await prometheus?.stop();
});

describe('eco-optimize-bot', () => {
  it("reports OOMKilled containers with VPA's bump, not other terminations", async () => {
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const oom = report.findings.filter((f) => f.check === 'optimize.oom-killed');
    expect(oom.map((f) => f.object.name)).toEqual(['memhog-1']);
    // 128Mi: + 100Mi (228Mi) beats × 1.2 (154Mi).
    expect(oom[0]?.evidence).toMatchObject({
      restartCount: 6,
      memoryLimit: '128Mi',
      vpaOomBump: { recommended: '228Mi' },
    });
  });

  it('reports containers throttled over 25 % (mixin CPUThrottlingHigh) and which limit causes it', async () => {
    const report = await harness.run({});
    const throttling = report.findings
      .filter((f) => f.check === 'optimize.cpu-throttling')
      .map((f) => `${f.object.name}/${String(f.evidence?.['cpuLimit'])}`);
    expect(throttling.sort()).toEqual(['api-1/500m', 'worker-1/2000m']);
    const api = report.findings.find(
      (f) => f.check === 'optimize.cpu-throttling' && f.object.name === 'api-1',
    );
    expect(api?.evidence?.['throttledRatio5m']).toBeCloseTo(0.4, 3);
    const limits = report.findings.filter((f) => f.check === 'optimize.limit-throttling');
    expect(limits.map((f) => f.object.name)).toEqual(['api-1']);
    // p95 0.45 cores at 80 % → 563m (rounded up to 10m: 570m).
    expect(limits[0]?.evidence?.['suggestedLimit']).toBe('570m');
  });
});
