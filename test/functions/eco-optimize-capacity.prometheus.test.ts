// eco-optimize-bot's throttling ratio and eco-capacity-bot's request trend against the real
// Prometheus (Debian `prometheus` + `promtool`), each checked against values computed in the test
// from the samples it wrote: the mixin's CPUThrottlingHigh ratio (> 25 %, sustained 15 minutes)
// and the least-squares growth of requested CPU over 14 days (also cross-checked with PromQL deriv).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient } from '../../shared/prometheus/index.ts';
import type { PrometheusClient } from '../../shared/prometheus/index.ts';
import { loadThrottling } from '../../functions/eco-optimize-bot/history.ts';
import { throttled } from '../../functions/eco-optimize-bot/performance.ts';
import { loadRequestTrend, requestsQuery } from '../../functions/eco-capacity-bot/history.ts';
import { daysUntil } from '../../functions/eco-capacity-bot/capacity.ts';
import { alignedNow, counterSamples, gridTimes, startPrometheusWith } from '../helpers/prometheus.ts';
import type { MetricSeries, PrometheusServer } from '../helpers/prometheus.ts';

const DAY = 86_400;
const HOUR = 3_600;
const end = alignedNow(HOUR);

// Throttling: 10 CFS periods a second (100 ms periods); throttled = ratio × periods.
const throttlePlans = [
  { pod: 'api-1', container: 'app', ratio: () => 0.4 }, // throttled for the whole hour
  { pod: 'api-1', container: 'proxy', ratio: () => 0.1 }, // never
  { pod: 'api-2', container: 'app', ratio: (t: number) => (t > end - 300 ? 0.6 : 0.05) }, // only the last 5 minutes
];

function throttleSeries(): MetricSeries[] {
  const times = gridTimes(end - HOUR, end, 15);
  return throttlePlans.flatMap((plan) => {
    const labels = { namespace: 'shop', pod: plan.pod, container: plan.container };
    return [
      { name: 'container_cpu_cfs_periods_total', labels, samples: counterSamples(times, () => 10) },
      {
        name: 'container_cpu_cfs_throttled_periods_total',
        labels,
        samples: counterSamples(times, (t) => 10 * plan.ratio(t), 0),
      },
    ];
  });
}

// Requests: a pod of 0.5 cores joins every other day; pods 0 and 1 existed before the window.
const podStarts = [-20, -16, -12, -10, -8, -6, -4, -2].map((days) => end + days * DAY);
const REQUEST = 0.5;

function requestSeries(): MetricSeries[] {
  return podStarts.flatMap((start, i) => {
    const times = gridTimes(Math.max(start, end - 15 * DAY), end, 60);
    const labels = { namespace: 'shop', pod: `web-${i}`, container: 'app' };
    return [
      {
        name: 'kube_pod_container_resource_requests',
        labels: { ...labels, resource: 'cpu', unit: 'core' },
        samples: times.map((t) => [t, REQUEST] as const),
      },
      {
        name: 'kube_pod_status_phase',
        labels: { namespace: 'shop', pod: `web-${i}`, phase: 'Running' },
        samples: times.map((t) => [t, 1] as const),
      },
    ];
  });
}

/** Least squares by the closed form over (x, y): slope = (nΣxy − ΣxΣy) / (nΣx² − (Σx)²), x in days from the first point. */
function slopePerDay(points: Array<[number, number]>): number {
  const n = points.length;
  const xs = points.map(([t]) => (t - points[0]![0]) / DAY);
  const ys = points.map(([, y]) => y);
  const sx = xs.reduce((a, b) => a + b, 0);
  const sy = ys.reduce((a, b) => a + b, 0);
  const sxy = xs.reduce((a, x, i) => a + x * ys[i]!, 0);
  const sxx = xs.reduce((a, x) => a + x * x, 0);
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

let server: PrometheusServer;
let client: PrometheusClient;

beforeAll(async () => {
  server = await startPrometheusWith([...throttleSeries(), ...requestSeries()]);
  client = createPrometheusClient({ url: server.url, timeoutMs: 60_000 });
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe('CPUThrottlingHigh on real Prometheus', () => {
  it('computes the throttled share of CFS periods per container, and only a sustained one counts', async () => {
    const { samples } = await loadThrottling(client, 'shop', { time: end });
    const byKey = Object.fromEntries(samples.map((s) => [`${s.pod}/${s.container}`, s]));
    expect(byKey['api-1/app']?.now).toBeCloseTo(0.4, 9);
    expect(byKey['api-1/app']?.sustained).toBeCloseTo(0.4, 9);
    expect(byKey['api-1/proxy']?.now).toBeCloseTo(0.1, 9);
    // The last 5 minutes are at 60 %, but 15 minutes ago it was at 5 %: not the mixin's alert yet.
    expect(byKey['api-2/app']?.now).toBeCloseTo(0.6, 1);
    expect(byKey['api-2/app']?.sustained).toBeLessThan(0.25);
    expect(samples.filter((s) => throttled(s.sustained)).map((s) => `${s.pod}/${s.container}`)).toEqual([
      'api-1/app',
    ]);
  });
});

describe('requested CPU trend on real Prometheus', () => {
  it('fits the 14-day growth of requests as the test computes it, and as PromQL deriv does', async () => {
    const window = { end, seconds: 14 * DAY, stepSeconds: HOUR };
    const { trend, points } = await loadRequestTrend(client, 'cpu', window);
    // Independently: the requested sum at each hourly step, from the pods' start times.
    const expectedPoints: Array<[number, number]> = gridTimes(end - 14 * DAY, end, HOUR).map((t) => [
      t,
      podStarts.filter((start) => start <= t).length * REQUEST,
    ]);
    expect(points).toBe(expectedPoints.length);
    expect(trend?.slopePerDay).toBeCloseTo(slopePerDay(expectedPoints), 9);
    // The fitted line at the last step: mean + slope × (last − mean time).
    const meanY = expectedPoints.reduce((a, [, y]) => a + y, 0) / expectedPoints.length;
    const meanDays = (14 * DAY) / 2 / DAY;
    expect(trend?.current).toBeCloseTo(meanY + slopePerDay(expectedPoints) * (14 - meanDays), 6);
    const deriv = await client.queryVector(`deriv((${requestsQuery('cpu')})[14d:1h])`, { time: end });
    expect((deriv[0]?.value[1] ?? 0) * DAY).toBeCloseTo(trend!.slopePerDay, 6);
    // At that rate, 8 allocatable cores are reached in (8 − current) / slope days.
    expect(daysUntil(trend!, 8)).toBeCloseTo((8 - trend!.current) / trend!.slopePerDay, 9);
  });
});
