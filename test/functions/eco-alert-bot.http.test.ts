import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-alert-bot/handler.ts';
import { serve, silentLogger } from '../../shared/index.ts';
import type { RunningServer } from '../../shared/index.ts';
import { FAST_RETRIES, loadFixture, startFakeServer } from './eco-alert-bot.helpers.ts';
import type { FakeServer } from './eco-alert-bot.helpers.ts';

const open: Array<RunningServer | FakeServer> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function startBot(env: Record<string, string> = {}): Promise<string> {
  const server = await serve(bot, {
    env: { PORT: '0', ...FAST_RETRIES, ...env },
    handleSignals: false,
    exitOnConfigError: false,
    host: '127.0.0.1',
    log: silentLogger,
  });
  open.push(server);
  return `http://127.0.0.1:${server.port}`;
}

async function fake(script: number[]): Promise<FakeServer> {
  const server = await startFakeServer(script);
  open.push(server);
  return server;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function post(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.27.0', ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text) as Record<string, unknown>,
    headers: response.headers,
  };
}

const alertEvents = (sink: FakeServer) =>
  sink.requests.filter((r) => String(r.headers['ce-type']).startsWith('org.bsw-arch.eco.alert.'));

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('eco-alert-bot over HTTP', () => {
  it('answers payloads of Alertmanager 0.25, 0.27 and 0.34 with a report and delivers each alert to K_SINK', async () => {
    const sink = await fake([202]);
    const url = await startBot({ K_SINK: sink.url });
    // [fixture, user agent, alerts, events: one per alert and target bot, one per unrouted alert]
    const cases: Array<[string, string, number, number]> = [
      ['am-0.25-truncated.json', 'Alertmanager/0.25.0', 2, 4],
      ['am-0.27-seed-alerts.json', 'Alertmanager/0.27.0', 6, 8],
      ['am-0.34-route-labels.json', 'Alertmanager/0.34.0', 3, 4],
    ];
    for (const [name, agent, alerts, expected] of cases) {
      sink.requests.length = 0;
      const answer = await post(url, loadFixture(name), { 'user-agent': agent });
      expect(answer.status, name).toBe(200);
      expect(answer.body['bot']).toBe('eco-alert-bot');
      expect(answer.body['trigger']).toBe('alertmanager');
      expect((answer.body['data'] as Record<string, unknown>)['received']).toBe(alerts);
      const events = alertEvents(sink);
      expect(events, name).toHaveLength(expected);
      for (const e of events) {
        expect(e.headers['ce-source']).toBe('/eco-bots/eco-alert-bot');
        expect(e.headers['ce-specversion']).toBe('1.0');
        expect(e.headers['ce-subject']).toBe((JSON.parse(e.body) as { alertname: string }).alertname);
      }
    }
    // The last case, as Knative Triggers see it: one exact `ecotarget` per event.
    expect(alertEvents(sink).map((e) => `${e.headers['ce-subject']} ${e.headers['ce-ecotarget']}`)).toEqual([
      'KubeNodeNotReady eco-node-bot',
      'KubePersistentVolumeFillingUp eco-storage-bot',
      'KubePersistentVolumeFillingUp eco-snapshot-bot',
      'KubeQuotaAlmostFull eco-quota-bot',
    ]);
    const node = alertEvents(sink).find((e) => e.headers['ce-subject'] === 'KubeNodeNotReady');
    expect(node?.headers['ce-ecotargets']).toBe('eco-node-bot');
    expect(node?.headers['ce-type']).toBe('org.bsw-arch.eco.alert.firing.v1');

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^eco_alert_bot_alerts_total\{status="firing",routed="true"\} 10$/m);
    expect(metrics).toMatch(/^eco_alert_bot_alerts_total\{status="firing",routed="false"\} 1$/m);
    expect(metrics).toMatch(/^eco_alert_bot_deliveries_total\{channel="sink",outcome="ok"\} 16$/m);
  });

  it('rejects malformed payloads with a 400 JSON error naming the field', async () => {
    const url = await startBot();
    const payload = loadFixture('am-0.27-seed-alerts.json');
    delete payload.alerts[2]?.['startsAt'];
    const missing = await post(url, payload);
    expect(missing.status).toBe(400);
    expect((missing.body['error'] as { message: string }).message).toBe(
      'invalid options: alerts[2].startsAt: Expected required property',
    );

    const noAlerts = await post(url, { version: '4', receiver: 'eco-bots', status: 'firing' });
    expect(noAlerts.status).toBe(400);
    expect(noAlerts.body['error']).toMatchObject({
      code: 'invalid-options',
      message: expect.stringMatching(/^alerts: required/),
    });

    const noLabels = loadFixture('am-0.34-route-labels.json');
    delete noLabels.alerts[0]?.['labels'];
    const labels = await post(url, noLabels);
    expect(labels.status).toBe(400);
    expect((labels.body['error'] as { message: string }).message).toMatch(
      /^invalid options: alerts\[0\]\.labels: /,
    );

    const badJson = await post(url, '{"alerts": [');
    expect(badJson.status).toBe(400);
    expect(badJson.body['error']).toMatchObject({ code: 'bad-json' });
  });

  it('requires the bearer token when ECO_AUTH_TOKEN is set, and basic auth when ECO_AUTH_USER is', async () => {
    const bearer = await startBot({ ECO_AUTH_TOKEN: 'alert-token' });
    const payload = loadFixture('am-resolved-no-fingerprint.json');
    expect((await post(bearer, payload)).status).toBe(401);
    expect((await post(bearer, payload, { authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await post(bearer, payload, { authorization: 'Bearer alert-token' });
    expect(ok.status).toBe(200);

    const basic = await startBot({ ECO_AUTH_USER: 'alertmanager', ECO_AUTH_PASSWORD: 'pw' });
    const credentials = `Basic ${Buffer.from('alertmanager:pw').toString('base64')}`;
    expect(
      (
        await post(basic, payload, {
          authorization: 'Basic ' + Buffer.from('alertmanager:no').toString('base64'),
        })
      ).status,
    ).toBe(401);
    expect((await post(basic, payload, { authorization: credentials })).status).toBe(200);
  });

  it('retries a sink that fails and then recovers, and answers 200', async () => {
    const sink = await fake([503, 500, 202]);
    // One delivery at a time, so the script's order is the attempts' order.
    const url = await startBot({ K_SINK: sink.url, ECO_ALERT_CONCURRENCY: '1' });
    const answer = await post(url, loadFixture('am-resolved-no-fingerprint.json'));
    expect(answer.status).toBe(200);
    const events = alertEvents(sink);
    // eco-container-bot: 503, 500, then accepted; eco-log-bot: accepted at once.
    expect(events.map((e) => `${e.status} ${e.headers['ce-ecotarget']}`)).toEqual([
      '503 eco-container-bot',
      '500 eco-container-bot',
      '202 eco-container-bot',
      '202 eco-log-bot',
    ]);
    expect(events.every((e) => e.headers['ce-type'] === 'org.bsw-arch.eco.alert.resolved.v1')).toBe(true);
    expect((answer.body['data'] as Record<string, unknown>)['failed']).toEqual([]);
  });

  it('answers 502 when the sink stays down, so Alertmanager retries', async () => {
    const sink = await fake([503]);
    const url = await startBot({ K_SINK: sink.url });
    const answer = await post(url, loadFixture('am-resolved-no-fingerprint.json'));
    expect(answer.status).toBe(502);
    expect(answer.body['error']).toMatchObject({
      code: 'sink-delivery-failed',
      message: expect.stringContaining('KubePodCrashLooping via sink'),
    });
    // Two target bots, each event tried ECO_SINK_ATTEMPTS times.
    expect(alertEvents(sink)).toHaveLength(2 * Number(FAST_RETRIES.ECO_SINK_ATTEMPTS));

    // A sink nobody listens on is the same: 5xx, not 200.
    const unreachable = await startBot({ K_SINK: `http://127.0.0.1:${await closedPort()}/` });
    expect((await post(unreachable, loadFixture('am-resolved-no-fingerprint.json'))).status).toBe(502);
  });

  it('invokes each target asynchronously through the OpenFaaS gateway, as binary CloudEvents with basic auth', async () => {
    const gateway = await fake([429, 202]);
    const url = await startBot({
      OPENFAAS_URL: `${gateway.url}/`,
      OPENFAAS_USER: 'admin',
      OPENFAAS_PASSWORD: 'gw-pass',
    });
    const payload = loadFixture('am-0.27-seed-alerts.json');
    payload.alerts = payload.alerts.slice(0, 1); // HighCPUUsage -> eco-scaler-bot, eco-optimize-bot
    const answer = await post(url, payload, {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(answer.status).toBe(200);
    const accepted = gateway.requests.filter((r) => r.status === 202);
    expect(accepted.map((r) => r.path).sort()).toEqual([
      '/async-function/eco-optimize-bot',
      '/async-function/eco-scaler-bot',
    ]);
    expect(gateway.requests).toHaveLength(3); // one 429 retried
    for (const r of gateway.requests) {
      expect(r.method).toBe('POST');
      expect(r.headers['authorization']).toBe(`Basic ${Buffer.from('admin:gw-pass').toString('base64')}`);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['ce-type']).toBe('org.bsw-arch.eco.alert.firing.v1');
      expect(r.headers['ce-source']).toBe('/eco-bots/eco-alert-bot');
      expect(r.headers['ce-subject']).toBe('HighCPUUsage');
      expect(r.headers['ce-ecotarget']).toBe(r.path.replace('/async-function/', ''));
      expect(r.headers['ce-ecotargets']).toBe(r.headers['ce-ecotarget']);
      expect(r.headers['traceparent']).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-/);
      expect(JSON.parse(r.body)).toMatchObject({
        alertname: 'HighCPUUsage',
        status: 'firing',
        fingerprint: '1111aaaa2222bbbb',
      });
    }
    const actions = answer.body['actions'] as Array<{ verb: string; status: string; reason: string }>;
    expect(actions.map((a) => a.reason).sort()).toEqual([
      'firing HighCPUUsage -> OpenFaaS async eco-optimize-bot',
      'firing HighCPUUsage -> OpenFaaS async eco-scaler-bot',
    ]);
  });

  it('reads the gateway credentials from the OpenFaaS secret files and answers 502 when the gateway stays down', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eco-alert-secrets-'));
    try {
      await writeFile(join(dir, 'basic-auth-user'), 'admin\n');
      await writeFile(join(dir, 'basic-auth-password'), 'from-file\n');
      const gateway = await fake([500]);
      const url = await startBot({
        OPENFAAS_URL: gateway.url,
        ECO_SECRETS_DIR: dir,
        OPENFAAS_FUNCTION_NAMESPACE: 'openfaas-fn',
      });
      const payload = loadFixture('am-0.27-seed-alerts.json');
      payload.alerts = payload.alerts.slice(3, 4); // ContainerImageTooLarge -> eco-image-bot
      const answer = await post(url, payload);
      expect(answer.status).toBe(502);
      expect((answer.body['error'] as { message: string }).message).toContain(
        'to eco-image-bot: gateway answered 500',
      );
      expect(gateway.requests).toHaveLength(Number(FAST_RETRIES.ECO_SINK_ATTEMPTS));
      expect(gateway.requests[0]?.path).toBe('/async-function/eco-image-bot.openfaas-fn');
      expect(gateway.requests[0]?.headers['authorization']).toBe(
        `Basic ${Buffer.from('admin:from-file').toString('base64')}`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not retry a gateway 4xx within the call but still answers 5xx so no alert is lost', async () => {
    const gateway = await fake([404]);
    const url = await startBot({ OPENFAAS_URL: gateway.url, ECO_ALERT_CONCURRENCY: '1' });
    const payload = loadFixture('am-0.27-seed-alerts.json');
    payload.alerts = payload.alerts.slice(4, 5); // HighErrorRate -> eco-trace-bot
    const answer = await post(url, payload);
    expect(answer.status).toBe(502);
    expect(gateway.requests).toHaveLength(1);

    // Two alerts for the same broken function: the second is not attempted once the first has failed.
    gateway.requests.length = 0;
    const two = loadFixture('am-0.27-seed-alerts.json');
    const errorRate = two.alerts[4];
    if (errorRate === undefined) throw new Error('fixture too short');
    two.alerts = [
      errorRate,
      {
        ...errorRate,
        fingerprint: 'ffffeeeeddddcccc',
        labels: { ...(errorRate['labels'] as object), function_name: 'other' },
      },
    ];
    const answer2 = await post(url, two);
    expect(answer2.status).toBe(502);
    expect((answer2.body['error'] as { message: string }).message).toContain(
      '2 of 2 alert deliveries failed (1 not attempted',
    );
  });

  it('runs the self-check on an empty cron-connector POST and accepts a payload as a binary CloudEvent', async () => {
    const url = await startBot();
    const cron = await fetch(url, {
      method: 'POST',
      headers: { 'x-connector': 'cron-connector', 'x-topic': 'cron-function' },
    });
    expect(cron.status).toBe(200);
    expect(((await cron.json()) as { summary: string }).summary).toMatch(/^no alerts in this invocation/);

    const ce = await post(url, loadFixture('am-0.34-route-labels.json'), {
      'ce-specversion': '1.0',
      'ce-id': 'alert-1',
      'ce-source': '/test',
      'ce-type': 'com.example.alertmanager.notification',
    });
    expect(ce.status).toBe(200);
    expect(ce.body['trigger']).toBe('cloudevent');
    expect((ce.body['data'] as Record<string, unknown>)['received']).toBe(3);
  });
});
