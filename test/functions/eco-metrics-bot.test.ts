// eco-metrics-bot: each check on Prometheus API shapes (table-driven), then a run against the REAL
// Prometheus (Debian `prometheus`, started by the test on 127.0.0.1): a job whose only target is
// down, a recording rule that fails at evaluation, cardinality over a low limit, and fleet bots
// (Deployments labelled bsw.bot-name in the emulator) with and without a scrape target or a
// Pushgateway-style group.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-metrics-bot/handler.ts';
import { CHECKS, type MetricsSettings, type PromView } from '../../functions/eco-metrics-bot/checks.ts';
import type { Target } from '../../shared/prometheus/index.ts';
import { runChecks } from '../../shared/scan/index.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { freePort, killAll, removeTempDirs, start, tempDir, until } from '../e2e/helpers.ts';

const PROMETHEUS = '/usr/bin/prometheus';
const SETTINGS: MetricsSettings = { targetDownPercent: 10, seriesPerMetric: 1000, valuesPerLabel: 500 };
const target = (
  job: string,
  n: number,
  health: Target['health'],
  labels: Record<string, string> = {},
): Target => ({
  labels: { job, instance: `10.0.0.${n}:8080`, ...labels },
  discoveredLabels: {},
  lastScrape: '2026-06-01T12:00:00Z',
  lastScrapeDuration: 0.01,
  scrapePool: job,
  scrapeUrl: `http://10.0.0.${n}:8080/metrics`,
  health,
  lastError: health === 'down' ? 'connection refused' : '',
});

function found(view: Partial<PromView>): string[] {
  const { findings, errors } = runChecks(
    { bot: bot.name, now: () => new Date() },
    CHECKS,
    { prometheus: 'http://prom/', ...view },
    SETTINGS,
  );
  expect(errors).toEqual([]);
  return findings
    .map((f) => `${f.check} ${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name}`)
    .sort();
}

describe('eco-metrics-bot checks (table-driven)', () => {
  it('kubernetes-mixin TargetDown: 1 of 5 down (20 %) is reported, 1 of 20 (5 %) is not', () => {
    const many = Array.from({ length: 19 }, (_, i) => target('big', i + 20, 'up'));
    expect(
      found({
        targets: [
          ...[1, 2, 3, 4].map((i) => target('api', i, 'up')),
          target('api', 5, 'down', { namespace: 'shop', pod: 'api-5' }),
          ...many,
          target('big', 99, 'down'),
        ],
      }),
    ).toEqual(['metrics.target-down Pod shop/api-5']);
  });

  it('a bot is covered by a scrape target (function label) or a Pushgateway group; one with neither is reported', () => {
    expect(
      found({
        targets: [target('eco-bots', 1, 'up', { function: 'eco-a-bot' })],
        pushed: new Set(['eco-b-bot']),
        fleet: ['eco-a-bot', 'eco-b-bot', 'eco-c-bot'],
      }),
    ).toEqual(['metrics.bot-not-scraped Bot /eco-c-bot']);
  });

  it('TSDB status: metrics and labels over the limits', () => {
    expect(
      found({
        tsdb: {
          headStats: { numSeries: 50_000, chunkCount: 60_000, minTime: 0, maxTime: 1 },
          memoryInBytesByLabelName: [],
          seriesCountByLabelValuePair: [],
          seriesCountByMetricName: [
            { name: 'http_requests_total', value: 4200 },
            { name: 'up', value: 12 },
          ],
          labelValueCountByLabelName: [
            { name: 'request_id', value: 30_000 },
            { name: 'le', value: 20 },
          ],
        },
      }),
    ).toEqual([
      'metrics.high-cardinality Metric /http_requests_total',
      'metrics.high-cardinality MetricLabel /request_id',
    ]);
  });

  it('prometheus-mixin PrometheusRuleFailures: rules with health err', () => {
    expect(
      found({
        rules: [
          {
            name: 'eco',
            file: '/etc/prometheus/rules.yml',
            interval: 30,
            rules: [
              { name: 'ok:rule', query: 'up', health: 'ok', type: 'recording' },
              {
                name: 'bad:rule',
                query: 'up',
                health: 'err',
                lastError: 'vector contains metrics with the same labelset',
                type: 'recording',
              },
            ],
          },
        ],
      }),
    ).toEqual(['metrics.rule-failing PrometheusRule /eco/bad:rule']);
  });
});

let harness: BotHarness | undefined;
let exporter: Server | undefined;
afterAll(async () => {
  await harness?.close();
  if (exporter) await new Promise((r) => exporter?.close(r));
  await killAll();
  await removeTempDirs();
});

describe('against the real Prometheus', () => {
  it('finds the down job, the failing rule, the cardinality and the bot nobody scrapes; unconfigured and unreachable are said', async () => {
    // A tiny exporter: a scraped bot (function label) and a Pushgateway-style group (honor_labels).
    exporter = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        '# TYPE push_time_seconds gauge\npush_time_seconds{job="eco-bots",bot="eco-pushed-bot"} 1.78e9\n',
      );
    });
    await new Promise<void>((r) => exporter?.listen(0, '127.0.0.1', r));
    const exporterTarget = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    const closedPort = await freePort();
    const promPort = await freePort();
    const dir = await tempDir('metrics-bot');
    await writeFile(
      path.join(dir, 'rules.yml'),
      stringify({
        groups: [
          {
            name: 'eco-test',
            rules: [
              // Every `up` series collapses onto one labelset: fails at each evaluation.
              {
                record: 'eco:collapsed',
                expr: 'label_replace(label_replace(up, "instance", "same", "", ""), "job", "same", "", "")',
              },
            ],
          },
        ],
      }),
    );
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [path.join(dir, 'rules.yml')],
        scrape_configs: [
          { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${promPort}`] }] },
          { job_name: 'broken', static_configs: [{ targets: [`127.0.0.1:${closedPort}`] }] },
          {
            job_name: 'eco-bots',
            honor_labels: true,
            static_configs: [{ targets: [exporterTarget], labels: { function: 'eco-scraped-bot' } }],
          },
        ],
      }),
    );
    const prometheus = start(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    const url = `http://127.0.0.1:${promPort}`;
    const deployment = (name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'openfaas-fn', labels: { 'bsw.bot-name': name } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { faas_function: name } },
        template: {
          metadata: { labels: { faas_function: name } },
          spec: { containers: [{ name, image: `r/${name}:1` }] },
        },
      },
    });
    harness = await startBotHarness(bot, {
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'openfaas-fn' } },
        deployment('eco-scraped-bot'),
        deployment('eco-pushed-bot'),
        deployment('eco-ghost-bot'),
        { ...deployment('unrelated'), metadata: { name: 'unrelated', namespace: 'openfaas-fn' } },
      ],
      env: {
        PROMETHEUS_URL: url,
        ECO_METRICS_SERIES_PER_METRIC: '20',
        ECO_METRICS_VALUES_PER_LABEL: '100000',
      },
    });
    const h = harness;
    // Wait until Prometheus has scraped every job and evaluated the rule once.
    const report = await until(
      'Prometheus to have scraped and evaluated',
      async () => {
        const r = await h.run({});
        const checks = new Set(r.findings.map((f) => f.check));
        return checks.has('metrics.target-down') &&
          checks.has('metrics.high-cardinality') &&
          checks.has('metrics.rule-failing') &&
          checks.has('metrics.bot-not-scraped') &&
          !r.findings.some((f) => f.object.name === 'eco-pushed-bot')
          ? r
          : undefined;
      },
      60_000,
      () => prometheus.output().slice(-3000),
    );
    expect(report.errors).toEqual([]);
    const down = report.findings.filter((f) => f.check === 'metrics.target-down');
    expect(down.map((f) => f.evidence?.['job'])).toEqual(['broken']);
    expect(down[0]?.severity).toBe('critical');
    expect(String(down[0]?.evidence?.['lastError'])).toMatch(/refused/);
    expect(
      report.findings.filter((f) => f.check === 'metrics.bot-not-scraped').map((f) => f.object.name),
    ).toEqual(['eco-ghost-bot']);
    const rule = report.findings.find((f) => f.check === 'metrics.rule-failing');
    expect(rule?.object.name).toBe('eco-test/eco:collapsed');
    expect(String(rule?.evidence?.['lastError'])).toMatch(/same labelset/);
    const cardinality = report.findings.filter((f) => f.check === 'metrics.high-cardinality');
    expect(cardinality.length).toBeGreaterThan(0);
    expect(Number(cardinality[0]?.evidence?.['series'])).toBeGreaterThan(20);
    expect(h.emulator.requests.filter((r) => r.status === 403)).toEqual([]);

    // Unconfigured: one info finding, status 200. Unreachable: a report error naming Prometheus.
    const unconfigured = await h.run({}, { env: { PROMETHEUS_URL: '' } });
    expect(unconfigured.findings.map((f) => f.check)).toEqual(['eco-metrics-bot.unconfigured']);
    const closed = await h.run(
      { checks: ['metrics.rule-failing'] },
      {
        env: {
          PROMETHEUS_URL: `http://127.0.0.1:${closedPort}`,
          PROMETHEUS_TIMEOUT_MS: '500',
          PROMETHEUS_RETRIES: '0',
        },
      },
    );
    expect(closed.errors.map((e) => e.code)).toEqual(['prometheus-unavailable']);
    const notFound = await h.run(
      { checks: ['metrics.rule-failing'] },
      { env: { PROMETHEUS_URL: `${url}/nothing-here` } },
    );
    expect(notFound.errors.map((e) => e.code)).toEqual(['prometheus-http-404']);
  }, 120_000);
});
