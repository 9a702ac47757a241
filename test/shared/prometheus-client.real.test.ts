// The Prometheus client against the real Prometheus (Debian `prometheus` + `promtool`): 14 days of
// history backfilled through the test harness, then instant and range queries, the 11,000-points
// chunking, the API's error body, targets, TSDB status, rules and alerts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/gateway/free-port.ts';
import { createPrometheusClient, PrometheusError } from '../../shared/prometheus/index.ts';
import type { PrometheusClient } from '../../shared/prometheus/index.ts';
import { alignedNow, counterSamples, gridTimes, startPrometheusWith } from '../helpers/prometheus.ts';
import type { PrometheusServer } from '../helpers/prometheus.ts';

const DAY = 86_400;
const STEP = 60;
const end = alignedNow(STEP);
const start = end - 14 * DAY;
const times = gridTimes(start, end, STEP);
const pod = { namespace: 'shop', pod: 'web-1', container: 'app' };
/** A distinct value per grid time, so any missing, duplicated or shifted sample shows. */
const memoryAt = (index: number): number => 100_000_000 + index;

let server: PrometheusServer;
let client: PrometheusClient;

beforeAll(async () => {
  server = await startPrometheusWith(
    [
      {
        name: 'container_memory_working_set_bytes',
        labels: pod,
        samples: times.map((time, index) => [time, memoryAt(index)] as const),
      },
      {
        name: 'container_cpu_usage_seconds_total',
        labels: pod,
        samples: counterSamples(times, () => 0.25),
      },
    ],
    {
      evaluationInterval: '1s',
      rules: [
        'groups:',
        '  - name: eco-test',
        '    rules:',
        '      - alert: EcoAlwaysFiring',
        '        expr: vector(1)',
        '        labels: { severity: warning }',
        '        annotations: { summary: always firing }',
        '      - record: eco:one',
        '        expr: vector(1)',
        '',
      ].join('\n'),
    },
  );
  client = createPrometheusClient({ url: server.url, timeoutMs: 20_000 });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('instant queries', () => {
  it('returns a vector with labels and numeric values at the given time', async () => {
    const result = await client.queryVector('container_memory_working_set_bytes{namespace="shop"}', {
      time: end,
    });
    expect(result).toHaveLength(1);
    expect(result[0]?.metric).toMatchObject({ __name__: 'container_memory_working_set_bytes', ...pod });
    expect(result[0]?.value).toEqual([end, memoryAt(times.length - 1)]);
  });

  it('answers the rate of a counter over the backfilled history', async () => {
    const result = await client.queryVector('rate(container_cpu_usage_seconds_total[5m])', { time: end });
    expect(result[0]?.value[1]).toBeCloseTo(0.25, 9);
  });

  it('parses scalars, NaN and +Inf', async () => {
    const nan = await client.query('scalar(vector(0)/0)', { time: end });
    expect(nan.data.resultType).toBe('scalar');
    expect(nan.data.resultType === 'scalar' && Number.isNaN(nan.data.result[1])).toBe(true);
    const inf = await client.queryVector('vector(1)/0', { time: end });
    expect(inf[0]?.value[1]).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('range queries over 14 days', () => {
  it('splits 20,161 points into chunks under 11,000 and merges them in order without duplicates', async () => {
    const result = await client.queryRange('container_memory_working_set_bytes', {
      start,
      end,
      stepSeconds: STEP,
    });
    expect(times.length).toBe(20_161);
    expect(result.chunks).toBe(2);
    expect(result.series).toHaveLength(1);
    const values = result.series[0]?.values ?? [];
    expect(values).toHaveLength(times.length);
    // Every grid time once, in order, with the sample written for it.
    values.forEach(([time, value], index) => {
      if (time !== times[index] || value !== memoryAt(index)) {
        throw new Error(
          `sample ${index}: got [${time}, ${value}], want [${times[index]}, ${memoryAt(index)}]`,
        );
      }
    });
  });

  it('gives the same answer with many small chunks (chunk edges neither lose nor repeat a sample)', async () => {
    const small = createPrometheusClient({ url: server.url, maxPointsPerSeries: 997 });
    const result = await small.queryRange('container_memory_working_set_bytes', {
      start,
      end,
      stepSeconds: STEP,
    });
    expect(result.chunks).toBe(Math.ceil(times.length / 997));
    expect(result.series[0]?.values.map(([time]) => time)).toEqual(times);
  });

  it("surfaces Prometheus' own refusal past 11,000 points when chunking is turned off", async () => {
    const unchunked = createPrometheusClient({ url: server.url, maxPointsPerSeries: 50_000, retries: 0 });
    const error = await unchunked
      .queryRange('container_memory_working_set_bytes', { start, end, stepSeconds: STEP })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PrometheusError);
    expect(error).toMatchObject({ status: 400, errorType: 'bad_data', failure: 'api', attempts: 1 });
    expect((error as PrometheusError).message).toMatch(
      /Prometheus http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query_range: HTTP 400 bad_data: .*11,?000/,
    );
  });
});

describe('errors', () => {
  it('turns a PromQL parse error into a typed error with the API body, not retried', async () => {
    const error = await client.query('sum(rate(', { time: end }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PrometheusError);
    const prom = error as PrometheusError;
    expect(prom.system).toBe('prometheus');
    expect(prom.status).toBe(400);
    expect(prom.errorType).toBe('bad_data');
    expect(prom.query).toBe('sum(rate(');
    expect(prom.attempts).toBe(1);
    expect(prom.toReportError().message).toContain('HTTP 400 bad_data: ');
  });

  it('names the network failure when nothing listens', async () => {
    const port = await freePort(); // free: nothing listens there
    const dead = createPrometheusClient({ url: `http://127.0.0.1:${port}`, retries: 0 });
    const error = await dead.query('up').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ failure: 'network', status: undefined });
    expect((error as Error).message).toMatch(
      /Prometheus http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: network error: ECONNREFUSED/,
    );
  });
});

describe('status, rules and alerts endpoints', () => {
  it('lists targets (none configured) and the TSDB head status', async () => {
    const targets = await client.targets();
    expect(targets.activeTargets).toEqual([]);
    expect(Array.isArray(targets.droppedTargets)).toBe(true);
    const tsdb = await client.tsdbStatus();
    expect(typeof tsdb.headStats.numSeries).toBe('number');
    expect(Array.isArray(tsdb.seriesCountByMetricName)).toBe(true);
  });

  it('lists the loaded rule groups, filtered by type', async () => {
    const all = await client.rules();
    expect(all.groups.map((group) => group.name)).toEqual(['eco-test']);
    expect(all.groups[0]?.rules.map((rule) => `${rule.type}:${rule.name}`)).toEqual([
      'alerting:EcoAlwaysFiring',
      'recording:eco:one',
    ]);
    const alerting = await client.rules({ type: 'alert' });
    expect(alerting.groups[0]?.rules.map((rule) => rule.name)).toEqual(['EcoAlwaysFiring']);
  });

  it('returns the firing alert once the rule has been evaluated', async () => {
    let firing: string | undefined;
    for (let i = 0; i < 100 && firing === undefined; i += 1) {
      const { alerts } = await client.alerts();
      firing = alerts.find((alert) => alert.state === 'firing')?.labels['alertname'];
      if (firing === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(firing).toBe('EcoAlwaysFiring');
  });
});
