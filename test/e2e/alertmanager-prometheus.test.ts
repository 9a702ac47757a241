// End to end with real programs: Alertmanager's webhook drives the fleet through the local gateway,
// and Prometheus scrapes the gateway. Binaries come from the Debian packages (.ci/run installs them);
// a missing binary fails these tests, it does not skip them.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../local/gateway/index.ts';
import type { Gateway } from '../../local/gateway/index.ts';
import { freePort, getJson, killAll, removeTempDirs, start, tempDir, until } from './helpers.ts';
import type { Spawned } from './helpers.ts';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const PROMETHEUS = '/usr/bin/prometheus';

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway({ port: 0, demo: true, warmup: false, cron: false, maxProcesses: 4 });
});

afterAll(async () => {
  await killAll();
  await gateway?.close();
  await removeTempDirs();
});

describe('Alertmanager -> gateway -> eco-alert-bot -> routed bot', () => {
  let alertmanager: Spawned;
  let amUrl: string;

  beforeAll(async () => {
    const dir = await tempDir('alertmanager');
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    const config = [
      'route:',
      '  receiver: eco-bots',
      "  group_by: ['alertname']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: eco-bots',
      '    webhook_configs:',
      `      - url: ${gateway.url}/function/eco-alert-bot`,
      '        send_resolved: true',
      '',
    ].join('\n');
    await writeFile(path.join(dir, 'alertmanager.yml'), config);
    alertmanager = start(ALERTMANAGER, [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ]);
    await until(
      'Alertmanager ready',
      async () => ((await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
      20_000,
      () => alertmanager.output(),
    );
  });

  const labels = {
    alertname: 'KubeJobFailed',
    namespace: 'batch',
    job_name: 'nightly-report',
    severity: 'warning',
  };

  async function postAlert(endsAt: string): Promise<void> {
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels,
          annotations: { summary: 'Job batch/nightly-report failed' },
          startsAt: new Date(Date.now() - 60_000).toISOString(),
          endsAt,
          generatorURL: 'http://prometheus.example/graph',
        },
      ]),
    });
    expect(res.status).toBe(200);
  }

  it('delivers a firing alert through the real webhook, routes it and runs the routed bot', async () => {
    await postAlert(new Date(Date.now() + 3_600_000).toISOString());
    // One event per alert and target bot (ecotarget), as a Knative Trigger per bot would select it.
    const firing = await until(
      'the firing alert event for eco-cleanup-bot',
      () =>
        gateway.store
          .events()
          .find(
            (event) =>
              event.type === 'org.bsw-arch.eco.alert.firing.v1' &&
              event.deliveries.some((d) => d.bot === 'eco-cleanup-bot'),
          ),
      30_000,
      () => `${alertmanager.output()}\nruns: ${JSON.stringify(gateway.store.lastRuns())}`,
    );
    expect(firing.source).toBe('/eco-bots/eco-alert-bot');
    expect(firing.subject).toBe('KubeJobFailed');
    // The alert bot's report: the alert arrived as an Alertmanager v4 webhook and was routed.
    // The event reaches the routed bot before the alert bot's own answer is back at the gateway.
    const alertReport = await until(
      "eco-alert-bot's report",
      () => gateway.store.report('eco-alert-bot'),
      30_000,
      () => `runs: ${JSON.stringify(gateway.store.lastRuns())}`,
    );
    expect(alertReport?.trigger).toBe('alertmanager');
    const routed = alertReport?.findings.find((finding) => finding.check === 'alert.routed');
    expect(routed?.message).toContain('eco-cleanup-bot');
    // The routed bot ran on the alert event and answered 200.
    await gateway.events.idle();
    expect(firing.deliveries).toContainEqual({ bot: 'eco-cleanup-bot', status: 200 });
    const cleanup = gateway.store.lastRuns().find((run) => run.bot === 'eco-cleanup-bot');
    expect(cleanup).toMatchObject({ trigger: 'cloudevent', outcome: 'ok' });
    expect(await gateway.metrics.text()).toMatch(
      /eco_bot_invocations_total\{bot="eco-cleanup-bot",trigger="cloudevent",outcome="ok"\} [1-9]/,
    );
  }, 120_000);

  it('follows up with the resolved notification (send_resolved)', async () => {
    await postAlert(new Date(Date.now() - 1_000).toISOString());
    const resolved = await until(
      'the resolved alert event',
      () => gateway.store.events().find((event) => event.type === 'org.bsw-arch.eco.alert.resolved.v1'),
      30_000,
      () => alertmanager.output(),
    );
    expect(resolved.subject).toBe('KubeJobFailed');
    // The event is routed before the alert bot's own answer is back at the gateway.
    const report = await until(
      "eco-alert-bot's report of the resolved notification",
      () => {
        const held = gateway.store.report('eco-alert-bot');
        return held?.data?.['status'] === 'resolved' ? held : undefined;
      },
      30_000,
      () => JSON.stringify(gateway.store.report('eco-alert-bot')?.data ?? {}),
    );
    expect(report.data?.['status']).toBe('resolved');
  }, 120_000);
});

describe('Prometheus scrapes the gateway', () => {
  it("returns the bots' eco_bot_invocations_total through its HTTP API", async () => {
    // At least one invocation so the series exists regardless of test order.
    expect((await gateway.invoke('eco-status-bot', { readCluster: false })).status).toBe(200);
    const dir = await tempDir('prometheus');
    const port = await freePort();
    const target = new URL(gateway.url).host;
    await writeFile(
      path.join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: eco-bots-gateway',
        '    static_configs:',
        `      - targets: ['${target}']`,
        '',
      ].join('\n'),
    );
    const prometheus = start(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    type QueryResult = {
      status: string;
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    const result = await until(
      'eco_bot_invocations_total in Prometheus',
      async () => {
        const body = await getJson<QueryResult>(
          `http://127.0.0.1:${port}/api/v1/query?query=eco_bot_invocations_total`,
        );
        return body !== undefined && body.data.result.length > 0 ? body.data.result : undefined;
      },
      45_000,
      () => prometheus.output().slice(-3000),
    );
    const status = result.find((series) => series.metric['bot'] === 'eco-status-bot');
    expect(status?.metric).toMatchObject({ job: 'eco-bots-gateway', trigger: 'http', outcome: 'ok' });
    expect(Number(status?.value[1])).toBeGreaterThanOrEqual(1);
    const up = await getJson<QueryResult>(
      `http://127.0.0.1:${port}/api/v1/query?query=up{job="eco-bots-gateway"}`,
    );
    expect(up?.data.result[0]?.value[1]).toBe('1');
  }, 120_000);
});
