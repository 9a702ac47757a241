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
import { alignedNow, counterSamples, gridTimes, startPrometheusWith } from '../helpers/prometheus.ts';
import type { MetricSeries, PrometheusServer } from '../helpers/prometheus.ts';

const STEP = 75; // KRR's 1.25 min
const SCRAPE = 25;
const DAY = 86_400;
const end = alignedNow(STEP);

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface PodPlan {
  namespace: string;
  pod: string;
  container: string;
  /** Seconds of history before `end`. */
  history: number;
  /** Per 75 s segment: CPU cores (k/64, exact in binary) and working-set bytes. */
  cpuAt: (segment: number) => number;
  memoryAt: (segment: number) => number;
}

function busyPod(
  namespace: string,
  pod: string,
  container: string,
  seed: number,
  cpuScale: number,
  memBase: number,
): PodPlan {
  const next = random(seed);
  const cpu: number[] = [];
  const mem: number[] = [];
  return {
    namespace,
    pod,
    container,
    history: 13 * DAY,
    cpuAt: (segment) => {
      // Memoised: the series writer and the expectation read the same value for a segment.
      while (cpu.length <= segment) {
        // Mostly calm, sometimes a burst: the p95 sits in the bursts' shoulder.
        const burst = next() < 0.07;
        cpu.push(Math.min(63, Math.floor(next() * (burst ? 40 : 12) * cpuScale) + 1) / 64);
      }
      return cpu[segment] as number;
    },
    memoryAt: (segment) => {
      while (mem.length <= segment) mem.push(memBase + Math.floor(next() * 50 * MIB));
      return mem[segment] as number;
    },
  };
}

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

/** Samples on the 25 s grid; values change only on 75 s segment edges (so each rate window is one segment). */
function seriesOf(plan: PodPlan): MetricSeries[] {
  const start = end - plan.history;
  const times = gridTimes(start, end, SCRAPE);
  const labels = { namespace: plan.namespace, pod: plan.pod, container: plan.container, job: 'kubelet' };
  return [
    {
      name: 'container_cpu_usage_seconds_total',
      labels,
      // The increment into sample t covers (t − 25, t]: the segment that interval lies in.
      samples: counterSamples(times, (t) => plan.cpuAt(Math.floor((t - SCRAPE - start) / STEP))),
    },
    {
      name: 'container_memory_working_set_bytes',
      labels,
      samples: times.map((t) => [t, plan.memoryAt(Math.floor((t - start) / STEP))] as const),
    },
  ];
}

/** PromQL's quantile: linear interpolation between the closest ranks of the sorted values. */
function quantile(q: number, values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return (sorted[lower] as number) * (1 - weight) + (sorted[upper] as number) * weight;
}

/** What KRR should answer for a container, from the plan alone. */
function expected(container: PodPlan[]): { cpu?: number; memory?: number; cpuRaw: number; points: number } {
  let cpuRaw = 0;
  let memoryPeak = 0;
  let points = 0;
  for (const plan of container) {
    const segments = plan.history / STEP; // rate points: windows ending at start+75 … end
    const rates = Array.from({ length: segments }, (_, i) => plan.cpuAt(i));
    cpuRaw = Math.max(cpuRaw, quantile(0.95, rates));
    for (let i = 0; i <= segments; i += 1) memoryPeak = Math.max(memoryPeak, plan.memoryAt(i));
    points += segments;
  }
  if (points < 100) return { cpuRaw, points };
  return {
    cpuRaw,
    points,
    cpu: Math.max(Math.ceil(cpuRaw * 1000) / 1000, 0.01),
    memory: Math.max(Math.ceil((memoryPeak * 1.15) / MIB) * MIB, 100 * MIB),
  };
}

let server: PrometheusServer;
let client: PrometheusClient;

beforeAll(async () => {
  server = await startPrometheusWith(plans.flatMap(seriesOf));
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
