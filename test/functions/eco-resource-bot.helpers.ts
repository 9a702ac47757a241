// Shared by eco-resource-bot's Prometheus tests: cAdvisor-shaped history whose KRR answer the test
// can compute by hand. Values change only on 75 s step edges, sampled every 25 s, so every rate
// window holds one segment's slope exactly (slopes are k/64 cores: exact in binary).
import { MIB } from '../../functions/eco-resource-bot/krr.ts';
import { counterSamples, gridTimes } from '../helpers/prometheus.ts';
import type { MetricSeries } from '../helpers/prometheus.ts';

export const STEP = 75; // KRR's 1.25 min
export const SCRAPE = 25;
const DAY = 86_400;

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface PodPlan {
  namespace: string;
  pod: string;
  container: string;
  /** Seconds of history before `end`. */
  history: number;
  /** Per 75 s segment: CPU cores (k/64, exact in binary) and working-set bytes. */
  cpuAt: (segment: number) => number;
  memoryAt: (segment: number) => number;
}

export function busyPod(
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

/** Samples on the 25 s grid; values change only on 75 s segment edges (so each rate window is one segment). */
export function seriesOf(plan: PodPlan, end: number): MetricSeries[] {
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
export function quantile(q: number, values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return (sorted[lower] as number) * (1 - weight) + (sorted[upper] as number) * weight;
}

/** What KRR should answer for a container, from the plan alone. */
export function expected(container: PodPlan[]): {
  cpu?: number;
  memory?: number;
  cpuRaw: number;
  points: number;
} {
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
