import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot, Report } from '../../shared/bot/index.ts';
import { startGateway, PortInUseError } from '../../local/gateway/index.ts';
import type { ClusterSelection, Gateway } from '../../local/gateway/index.ts';
import crashBot from './fixtures/crash-bot.ts';
import echoBot from './fixtures/echo-bot.ts';
import pongBot from './fixtures/pong-bot.ts';
import statusBot from '../../functions/eco-status-bot/handler.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

/** No cluster: these bots never touch it (the status bot's count fails fast and is optional). */
const noCluster: ClusterSelection = {
  kind: 'kubeconfig',
  description: 'none',
  server: 'http://127.0.0.1:1',
  kubeconfigFor: () => '/nonexistent/kubeconfig',
  close: async () => undefined,
};

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json: json as Record<string, unknown> };
}

describe('local gateway', () => {
  let gateway: Gateway;
  // A bot whose process cannot even start (its handler file is missing).
  const brokenBot = { ...(crashBot as Bot), name: 'eco-broken-bot' } as Bot;
  const bots: Bot[] = [echoBot as Bot, pongBot as Bot, crashBot as Bot, statusBot as Bot, brokenBot];

  beforeAll(async () => {
    gateway = await startGateway({
      port: 0,
      bots,
      handlers: {
        'eco-echo-bot': fixture('echo-bot'),
        'eco-pong-bot': fixture('pong-bot'),
        'eco-crash-bot': fixture('crash-bot'),
        'eco-broken-bot': fixture('no-such-bot'),
      },
      runner: 'source',
      cluster: noCluster,
      invokeTimeoutMs: 4_000,
      idleTimeoutMs: 60_000,
      maxProcesses: 3,
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('runs the scheduled bots once at start, as the cron-connector would', async () => {
    await gateway.warmup;
    const report = gateway.store.report('eco-echo-bot');
    expect(report?.trigger).toBe('cron');
    expect(gateway.store.report('eco-pong-bot')).toBeUndefined();
  });

  it('invokes a bot synchronously and keeps its report', async () => {
    const res = await post(`${gateway.url}/function/eco-echo-bot`, { note: 'hello' });
    expect(res.status).toBe(200);
    expect(res.json['bot']).toBe('eco-echo-bot');
    expect((res.json['data'] as Record<string, unknown>)['trigger']).toBe('http');
    expect((res.json['data'] as Record<string, unknown>)['mode']).toBe('dry-run');
    const reports = (await (await fetch(`${gateway.url}/_/reports`)).json()) as { reports: Report[] };
    expect(reports.reports.find((r) => r.bot === 'eco-echo-bot')?.runId).toBe(res.json['runId']);
  });

  it('keeps the fleet-wide report when a run is scoped, and a rejected call does not mark the bot failing', async () => {
    const wide = await post(`${gateway.url}/function/eco-echo-bot`, {});
    const scoped = await post(`${gateway.url}/function/eco-echo-bot`, { scope: 'team-a' });
    expect(scoped.status).toBe(200);
    expect(scoped.json['scoped']).toBe(true);
    expect(gateway.store.report('eco-echo-bot')?.runId).toBe(wide.json['runId']);
    const bad = await fetch(`${gateway.url}/function/eco-echo-bot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{bad',
    });
    expect(bad.status).toBe(400);
    const last = gateway.store.lastRuns().find((r) => r.bot === 'eco-echo-bot');
    expect(last?.outcome).toBe('ok');
    expect(gateway.store.runs().at(-1)).toMatchObject({ bot: 'eco-echo-bot', outcome: 'rejected' });
  });

  it('accepts the <fn>.<namespace> form OpenFaaS callers use', async () => {
    const res = await post(`${gateway.url}/function/eco-echo-bot.openfaas-fn`, {});
    expect(res.status).toBe(200);
  });

  it('lists functions in the OpenFaaS shape', async () => {
    const list = (await (await fetch(`${gateway.url}/system/functions`)).json()) as Array<
      Record<string, unknown>
    >;
    const echo = list.find((fn) => fn['name'] === 'eco-echo-bot');
    expect(echo).toMatchObject({
      image: 'eco-bots/eco-echo-bot:local',
      replicas: 1,
      availableReplicas: 1,
      labels: { 'com.openfaas.scale.zero': 'true', 'eco.bsw-arch.org/category': 'observability' },
      annotations: { topic: 'cron-function', schedule: '*/5 * * * *' },
    });
    expect(echo?.['invocationCount']).toBeGreaterThanOrEqual(2);
    const pong = list.find((fn) => fn['name'] === 'eco-pong-bot');
    expect(pong).toMatchObject({ replicas: 0, availableReplicas: 0, invocationCount: 0 });
  });

  it('answers async invocations with 202 and X-Call-Id, then posts the result to X-Callback-Url', async () => {
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const sink = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    try {
      const callback = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/done`;
      const res = await post(
        `${gateway.url}/async-function/eco-echo-bot`,
        { note: 'async' },
        { 'x-callback-url': callback },
      );
      expect(res.status).toBe(202);
      const callId = res.headers.get('x-call-id');
      expect(callId).toBeTruthy();
      const got = await until('the callback', () => received[0]);
      expect(got.headers['x-call-id']).toBe(callId);
      expect(got.headers['x-function-status']).toBe('200');
      expect((JSON.parse(got.body) as Report).bot).toBe('eco-echo-bot');
    } finally {
      sink.close();
    }
  });

  it('routes CloudEvents a bot emits to the bots that consume the type', async () => {
    const res = await post(`${gateway.url}/function/eco-echo-bot`, {
      emit: 'org.bsw-arch.eco.test.ping.v1',
      note: 'n1',
    });
    expect(res.status).toBe(200);
    const pong = await until('the pong report', () => {
      const report = gateway.store.report('eco-pong-bot');
      return report?.trigger === 'cloudevent' ? report : undefined;
    });
    expect(pong.summary).toBe('pong for org.bsw-arch.eco.test.ping.v1');
    // The delivery's status is recorded when the call returns, just after the report is kept.
    await gateway.events.idle();
    const events = (await (await fetch(`${gateway.url}/_/events`)).json()) as {
      events: Array<{ type: string; deliveries: Array<{ bot: string; status: number }> }>;
    };
    const ping = events.events.find((event) => event.type === 'org.bsw-arch.eco.test.ping.v1');
    expect(ping?.deliveries).toEqual([{ bot: 'eco-pong-bot', status: 200 }]);
  });

  it('delivers an event with ecotargets to exactly those bots', async () => {
    const res = await post(
      `${gateway.url}/_/events`,
      { alertname: 'KubeJobFailed' },
      {
        'ce-specversion': '1.0',
        'ce-id': 'alert-1',
        'ce-source': '/eco-bots/eco-alert-bot',
        'ce-type': 'org.bsw-arch.eco.alert.firing.v1',
        'ce-ecotargets': 'eco-echo-bot,eco-not-here-bot',
      },
    );
    expect(res.status).toBe(202);
    await gateway.events.idle();
    const event = gateway.store.events().find((e) => e.id === 'alert-1');
    expect(event?.deliveries).toEqual([
      { bot: 'eco-echo-bot', status: 200 },
      { bot: 'eco-not-here-bot', status: 0 },
    ]);
    expect(gateway.store.report('eco-echo-bot')?.summary).toBe(
      'echo via cloudevent org.bsw-arch.eco.alert.firing.v1',
    );
  });

  it('prefers ecotarget (one bot, what a Knative Trigger filters on) over ecotargets', async () => {
    const res = await post(
      `${gateway.url}/_/events`,
      { alertname: 'KubeJobFailed' },
      {
        'ce-specversion': '1.0',
        'ce-id': 'alert-2',
        'ce-source': '/eco-bots/eco-alert-bot',
        'ce-type': 'org.bsw-arch.eco.alert.resolved.v1',
        'ce-ecotarget': 'eco-pong-bot',
        'ce-ecotargets': 'eco-pong-bot,eco-echo-bot',
      },
    );
    expect(res.status).toBe(202);
    await gateway.events.idle();
    expect(gateway.store.events().find((e) => e.id === 'alert-2')?.deliveries).toEqual([
      { bot: 'eco-pong-bot', status: 200 },
    ]);
  });

  it('rejects a body that is not a CloudEvent with a JSON 400', async () => {
    const res = await post(`${gateway.url}/_/events`, { not: 'an event' });
    expect(res.status).toBe(400);
    expect(res.json['error']).toMatchObject({ code: 'invalid-cloudevent' });
  });

  it('refuses a body over the limit with a JSON 413', async () => {
    const res = await post(
      `${gateway.url}/function/eco-echo-bot`,
      JSON.stringify({ note: 'x'.repeat(1024 * 1024 + 10) }),
    );
    expect(res.status).toBe(413);
    expect(res.json['error']).toMatchObject({ code: 'payload-too-large' });
  });

  it('answers 404 JSON for an unknown bot', async () => {
    const res = await post(`${gateway.url}/function/eco-nope-bot`, {});
    expect(res.status).toBe(404);
    expect(res.json['error']).toMatchObject({ code: 'not-found' });
  });

  it('survives a bot that crashes: 502 for that call, a fresh process for the next', async () => {
    const crashed = await post(`${gateway.url}/function/eco-crash-bot`, { do: 'crash' });
    expect(crashed.status).toBe(502);
    expect(crashed.json['error']).toMatchObject({ code: 'bot-crashed' });
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const next = await post(`${gateway.url}/function/eco-crash-bot`, { do: 'ok' });
    expect(next.status).toBe(200);
    expect(next.json['summary']).toBe('fine');
  });

  it('answers 502 with the cause when a bot process cannot start', async () => {
    const res = await post(`${gateway.url}/function/eco-broken-bot`, {});
    expect(res.status).toBe(502);
    expect(res.json['error']).toMatchObject({ code: 'bot-start-failed' });
    expect(String((res.json['error'] as { message: string }).message)).toContain('no-such-bot');
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('times out a hung bot with 504, stops its process, and serves the next call', async () => {
    const hung = await post(`${gateway.url}/function/eco-crash-bot`, { do: 'hang' });
    expect(hung.status).toBe(504);
    expect(hung.json['error']).toMatchObject({ code: 'timeout' });
    const echo = await post(`${gateway.url}/function/eco-echo-bot`, {});
    expect(echo.status).toBe(200);
    const next = await post(`${gateway.url}/function/eco-crash-bot`, { do: 'ok' });
    expect(next.status).toBe(200);
  });

  it('passes a bot validation error through as the bot answered it', async () => {
    const res = await post(`${gateway.url}/function/eco-crash-bot`, { do: 42 });
    expect(res.status).toBe(400);
  });

  it('counts invocations per bot on /metrics for Prometheus', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/eco_bot_invocations_total\{bot="eco-echo-bot",trigger="http",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/eco_bot_invocations_total\{bot="eco-crash-bot",trigger="http",outcome="crash"\} 1/);
    expect(text).toMatch(
      /eco_bot_invocations_total\{bot="eco-crash-bot",trigger="http",outcome="timeout"\} 1/,
    );
    expect(text).toMatch(/gateway_function_invocation_total\{function_name="eco-echo-bot",code="200"\}/);
  });

  it('serves the status page at / and its data as JSON', async () => {
    const page = await fetch(`${gateway.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('eco-bots status');
    expect(html).toContain('eco-echo-bot');
    expect(html).not.toContain('computed by the gateway');
    const json = (await (await fetch(`${gateway.url}/?format=json`)).json()) as Record<string, unknown>;
    expect(json['grade']).toMatch(/^[A-F]$/);
    expect((json['fleet'] as Array<{ bot: string }>).map((row) => row.bot)).toContain('eco-crash-bot');
    const viaFunction = await fetch(`${gateway.url}/function/eco-status-bot`, {
      headers: { accept: 'text/html' },
    });
    expect(await viaFunction.text()).toContain('<main id="main"');
  });

  it("feeds the gateway's reports to eco-status-bot when a caller POSTs options without reports", async () => {
    const res = await post(`${gateway.url}/function/eco-status-bot`, { readCluster: false, top: 3 });
    expect(res.status).toBe(200);
    const view = res.json['data'] as { fleet: Array<{ bot: string; outcome: string }> };
    expect(view.fleet.find((row) => row.bot === 'eco-echo-bot')?.outcome).toBe('ok');
  });

  it('fails clearly when the port is in use', async () => {
    await expect(
      startGateway({ port: gateway.port, bots, cluster: noCluster, cron: false, warmup: false }),
    ).rejects.toThrow(PortInUseError);
  });
});

describe('process cap', () => {
  it('with one slot, a second bot waits for it and runs once the first call ends', async () => {
    const gateway = await startGateway({
      port: 0,
      bots: [echoBot as Bot, crashBot as Bot],
      handlers: { 'eco-echo-bot': fixture('echo-bot'), 'eco-crash-bot': fixture('crash-bot') },
      runner: 'source',
      cluster: noCluster,
      cron: false,
      warmup: false,
      maxProcesses: 1,
      invokeTimeoutMs: 3_000,
    });
    try {
      const hang = post(`${gateway.url}/function/eco-crash-bot`, { do: 'hang' });
      // The echo call starts while the crash bot holds the only slot.
      await until('the crash bot to hold the slot', async () => {
        const list = (await (await fetch(`${gateway.url}/system/functions`)).json()) as Array<{
          name: string;
          replicas: number;
        }>;
        return list.find((fn) => fn.name === 'eco-crash-bot')?.replicas === 1 ? true : undefined;
      });
      const echo = post(`${gateway.url}/function/eco-echo-bot`, {});
      expect((await hang).status).toBe(504);
      expect((await echo).status).toBe(200);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/eco_gateway_bot_exits_total\{bot="eco-crash-bot",reason="killed"\} 1/);
    } finally {
      await gateway.close();
    }
  });
});

describe('cron', () => {
  it('invokes a bot when its schedule is due, as the cron-connector does, once per due time', async () => {
    const times = ['12:03:30', '12:04:30', '12:05:30', '12:06:30'].map((t) => new Date(`2026-11-27T${t}Z`));
    let calls = 0;
    const gateway = await startGateway({
      port: 0,
      bots: [echoBot as Bot],
      handlers: { 'eco-echo-bot': fixture('echo-bot') },
      runner: 'source',
      cluster: noCluster,
      warmup: false,
      // */5: due at 12:05 only, within the ticks' windows.
      clock: () => times[Math.min(calls++, times.length - 1)] as Date,
      cronIntervalMs: 100,
    });
    try {
      const run = await until('the cron run', () =>
        gateway.store.runs().find((r) => r.bot === 'eco-echo-bot'),
      );
      expect(run).toMatchObject({ trigger: 'cron', outcome: 'ok', status: 200 });
      await until('the clock to stop', () => (calls > times.length + 3 ? true : undefined));
      expect(gateway.store.runs().filter((r) => r.bot === 'eco-echo-bot')).toHaveLength(1);
    } finally {
      await gateway.close();
    }
  });
});

describe('scale to zero', () => {
  it('stops an idle bot process and starts one process again for the next calls', async () => {
    const gateway = await startGateway({
      port: 0,
      bots: [echoBot as Bot],
      handlers: { 'eco-echo-bot': fixture('echo-bot') },
      runner: 'source',
      cluster: noCluster,
      cron: false,
      warmup: false,
      idleTimeoutMs: 300,
    });
    try {
      expect((await post(`${gateway.url}/function/eco-echo-bot`, {})).status).toBe(200);
      await until('replicas 0', async () => {
        const list = (await (await fetch(`${gateway.url}/system/functions`)).json()) as Array<{
          replicas: number;
        }>;
        return list[0]?.replicas === 0 ? true : undefined;
      });
      // Three calls at once to a bot at zero: one cold start, not three processes.
      const statuses = await Promise.all(
        [1, 2, 3].map(async () => (await post(`${gateway.url}/function/eco-echo-bot`, {})).status),
      );
      expect(statuses).toEqual([200, 200, 200]);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/eco_gateway_bot_starts_total\{bot="eco-echo-bot"\} 2/);
      expect(metrics).toMatch(/eco_gateway_bot_exits_total\{bot="eco-echo-bot",reason="idle"\} 1/);
    } finally {
      await gateway.close();
    }
  });
});
