// KRR `simple` end to end against the real Prometheus: 13 days of cAdvisor-shaped history in the
// 14-day window (a 25 s scrape: three samples per 75 s step), backfilled with promtool,
// queried once per namespace through the bot's queries, and the recommendations checked against
// values computed here, independently, from the samples the test wrote:
//   CPU = max over pods of the p95 (linear interpolation, as PromQL's quantile) of the per-step rate,
//   memory = max working set × 1.15, floors 10m / 100Mi, rounded up to 1m / 1Mi, none under 100 points.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../shared/prometheus/index.ts';
import type { PrometheusClient } from '../../shared/prometheus/index.ts';
import { KRR_SIMPLE, MIB, recommend } from '../../functions/eco-resource-bot/krr.ts';
import { loadNamespaceUsage } from '../../functions/eco-resource-bot/history.ts';
import { alignedNow, startPrometheusWith } from '../helpers/prometheus.ts';
import type { PrometheusServer } from '../helpers/prometheus.ts';
import { busyPod, expected, seriesOf, STEP } from './eco-resource-bot.helpers.ts';
import type { PodPlan } from './eco-resource-bot.helpers.ts';

const end = alignedNow(STEP);

const plans: PodPlan[] = [
  busyPod('shop', 'web-7d9f-a', 'app', 1, 1, 300 * MIB),
  busyPod('shop', 'web-7d9f-b', 'app', 2, 1.5, 420 * MIB),
  // A sidecar in the same pods: recommended separately.
  busyPod('shop', 'web-7d9f-a', 'proxy', 3, 0.2, 20 * MIB),
  // Only an hour of history: 48 points, under KRR's 100.
  { ...busyPod('shop', 'worker-5c-a', 'worker', 4, 1, 200 * MIB), history: 48 * STEP },
  // Nearly idle: the floors (10m, 100Mi) apply.
  { ...busyPod('tiny', 'idle-6b-a', 'app', 5, 0, 10 * MIB), cpuAt: () => 1 / 1024 },
];

let server: PrometheusServer;
let client: PrometheusClient;

beforeAll(async () => {
  server = await startPrometheusWith(plans.flatMap((plan) => seriesOf(plan, end)));
  client = createPrometheusClient({ url: server.url, timeoutMs: 60_000 });
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe('KRR simple on real Prometheus history (14-day window, 75 s step)', () => {
  it('recommends CPU = max pod p95 and memory = peak × 1.15 for a two-pod workload, as computed from the samples', async () => {
    const { usage, queries } = await loadNamespaceUsage(client, 'shop', KRR_SIMPLE, { time: end });
    expect(queries.cpuPercentile).toBe(
      'quantile_over_time(0.95, max(rate(container_cpu_usage_seconds_total{namespace="shop",container!="",container!="POD"}[75s])) by (namespace, pod, container)[1209600s:75s])',
    );
    const app = [...(usage.get('app')?.values() ?? [])];
    expect(app.map((u) => u.pod).sort()).toEqual(['web-7d9f-a', 'web-7d9f-b']);
    const want = expected(plans.filter((p) => p.container === 'app' && p.namespace === 'shop'));
    const got = recommend({ usage: app });
    expect(got.explanation.cpu?.rawCores).toBeCloseTo(want.cpuRaw, 12);
    expect(got.explanation.cpu?.points).toBe(want.points);
    expect(got.cpuRequest).toEqual({ kind: 'value', value: want.cpu });
    expect(got.cpuLimit).toEqual({ kind: 'unset' });
    expect(got.memoryRequest).toEqual({ kind: 'value', value: want.memory });
    expect(got.memoryLimit).toEqual(got.memoryRequest);
    // The per-pod p95s differ; the larger wins.
    expect(got.explanation.cpu?.maxPod).toBe('web-7d9f-b');
  });

  it('recommends the sidecar on its own numbers', async () => {
    const { usage } = await loadNamespaceUsage(client, 'shop', KRR_SIMPLE, { time: end });
    const proxy = [...(usage.get('proxy')?.values() ?? [])];
    const want = expected(plans.filter((p) => p.container === 'proxy'));
    const got = recommend({ usage: proxy });
    expect(got.cpuRequest).toEqual({ kind: 'value', value: want.cpu });
    expect(got.memoryRequest).toEqual({ kind: 'value', value: want.memory });
  });

  it('gives no answer under 100 data points', async () => {
    const { usage } = await loadNamespaceUsage(client, 'shop', KRR_SIMPLE, { time: end });
    const worker = [...(usage.get('worker')?.values() ?? [])];
    expect(worker[0]?.cpuPoints).toBe(48);
    const got = recommend({ usage: worker });
    expect(got.cpuRequest).toEqual({ kind: 'none', reason: 'Not enough data (48 of 100 points)' });
    expect(got.memoryRequest).toEqual({ kind: 'none', reason: 'Not enough data (49 of 100 points)' });
  });

  it('applies the floors of 10m and 100Mi to a nearly idle container', async () => {
    const { usage } = await loadNamespaceUsage(client, 'tiny', KRR_SIMPLE, { time: end });
    const idle = [...(usage.get('app')?.values() ?? [])];
    const got = recommend({ usage: idle });
    expect(got.explanation.cpu?.rawCores).toBeCloseTo(1 / 1024, 12);
    expect(got.cpuRequest).toEqual({ kind: 'value', value: 0.01 });
    expect(got.memoryRequest).toEqual({ kind: 'value', value: 100 * MIB });
  });

  it('keeps namespaces apart: one query set per namespace returns only its pods', async () => {
    const { usage } = await loadNamespaceUsage(client, 'tiny', KRR_SIMPLE, { time: end });
    expect([...usage.keys()]).toEqual(['app']);
    expect([...(usage.get('app')?.keys() ?? [])]).toEqual(['idle-6b-a']);
  });
});
