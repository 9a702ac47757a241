import { describe, expect, it } from 'vitest';
import type { Report } from '../../shared/bot/types.ts';
import { echoBot, strictAlertBot } from '../shared/fixtures/bots.ts';
import { alertPayload, ceHeaders, post, startServer } from './helpers.ts';

type EchoData = {
  input: { namespace: string; count: number };
  trigger: string;
  traceId: string;
  mode: string;
  event: { type: string; id: string; extensions: Record<string, string> } | null;
};

const data = (json: unknown): EchoData => (json as Report).data as unknown as EchoData;

describe('triggers on the wire (ARCHITECTURE.md §4)', () => {
  it('plain JSON POST: options validated with defaults applied, 200 with the report', async () => {
    const s = await startServer(echoBot);
    const r = await post(s.url, JSON.stringify({ count: 2 }), { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
    const report = r.json as Report;
    expect(report).toMatchObject({
      bot: 'eco-echo-bot',
      trigger: 'http',
      mode: 'dry-run',
      summary: 'echoed 2',
    });
    expect(report.findings).toHaveLength(2);
    expect(data(r.json).input).toEqual({ namespace: 'default', count: 2 });
    expect(typeof report.runId).toBe('string');
    expect(Date.parse(report.startedAt)).not.toBeNaN();
  });

  it('an empty POST runs with defaults; the bot is also reachable at /<bot-name>', async () => {
    const s = await startServer(echoBot);
    const r = await post(`${s.url}/eco-echo-bot`);
    expect(r.status).toBe(200);
    expect(data(r.json).input).toEqual({ namespace: 'default', count: 1 });
    expect((r.json as Report).trigger).toBe('http');
  });

  it('cron-connector: empty POST with X-Connector/X-Topic runs with trigger cron', async () => {
    const s = await startServer(echoBot);
    const r = await post(s.url, undefined, { 'x-connector': 'cron-connector', 'x-topic': 'cron-function' });
    expect(r.status).toBe(200);
    expect((r.json as Report).trigger).toBe('cron');
  });

  it('CloudEvent binary: data is the options, attributes reach ctx.event', async () => {
    const s = await startServer(echoBot);
    const r = await post(
      s.url,
      JSON.stringify({ count: 0, namespace: 'ns1' }),
      ceHeaders('org.example.thing.v1', { 'ce-targets': 'a,b' }),
    );
    expect(r.status).toBe(200);
    const d = data(r.json);
    expect((r.json as Report).trigger).toBe('cloudevent');
    expect(d.input.namespace).toBe('ns1');
    expect(d.event?.type).toBe('org.example.thing.v1');
    expect(d.event?.extensions['targets']).toBe('a,b');
  });

  it('an alert event routed by eco-alert-bot runs the bot with its defaults, the alert in ctx.event.data', async () => {
    const s = await startServer(echoBot);
    const alert = {
      status: 'firing',
      alertname: 'KubeJobFailed',
      labels: { namespace: 'apps' },
      targets: ['x'],
    };
    const r = await post(
      s.url,
      JSON.stringify(alert),
      ceHeaders('org.bsw-arch.eco.alert.firing.v1', { 'ce-ecotarget': 'eco-echo-bot' }),
    );
    // The alert is not the bot's options (the echo bot's schema would reject its fields).
    expect(r.status).toBe(200);
    const d = data(r.json) as EchoData & { event: { data?: unknown } };
    expect(d.input).toEqual({ namespace: 'default', count: 1 });
    expect(d.event?.type).toBe('org.bsw-arch.eco.alert.firing.v1');
    expect(d.event?.data).toEqual(alert);
  });

  it('CloudEvent structured', async () => {
    const s = await startServer(echoBot);
    const event = {
      specversion: '1.0',
      id: '1',
      source: '/s',
      type: 'org.example.thing.v1',
      datacontenttype: 'application/json',
      data: { count: 3 },
    };
    const r = await post(s.url, JSON.stringify(event), {
      'content-type': 'application/cloudevents+json; charset=utf-8',
    });
    expect(r.status).toBe(200);
    expect((r.json as Report).findings).toHaveLength(3);
  });

  it('CloudEvent batch: one result per event', async () => {
    const s = await startServer(echoBot);
    const events = [1, 2].map((n) => ({
      specversion: '1.0',
      id: `e${n}`,
      source: '/s',
      type: 't.x',
      data: { count: n },
    }));
    const r = await post(s.url, JSON.stringify(events), {
      'content-type': 'application/cloudevents-batch+json',
    });
    expect(r.status).toBe(200);
    const reports = r.json as Report[];
    expect(reports.map((x) => x.findings.length)).toEqual([1, 2]);
  });

  it('PingSource: data (JSON text or base64) becomes the options, trigger ping', async () => {
    const s = await startServer(echoBot);
    const text = {
      specversion: '1.0',
      id: 'p1',
      source: '/apis/v1/namespaces/bots/pingsources/p',
      type: 'dev.knative.sources.ping',
      datacontenttype: 'application/json',
      data: '{"count":4}',
    };
    const r1 = await post(s.url, JSON.stringify(text), { 'content-type': 'application/cloudevents+json' });
    expect(r1.status).toBe(200);
    expect((r1.json as Report).trigger).toBe('ping');
    expect((r1.json as Report).findings).toHaveLength(4);
    const b64 = {
      ...text,
      id: 'p2',
      data: undefined,
      data_base64: Buffer.from('{"count":5}').toString('base64'),
    };
    const r2 = await post(s.url, JSON.stringify(b64), { 'content-type': 'application/cloudevents+json' });
    expect((r2.json as Report).findings).toHaveLength(5);
    const binary = await post(s.url, '{"count":0}', ceHeaders('dev.knative.sources.ping'));
    expect((binary.json as Report).trigger).toBe('ping');
  });

  it('Prefer: reply gets the report back as a binary-mode CloudEvent', async () => {
    const s = await startServer(echoBot);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const r = await post(s.url, '{}', ceHeaders('org.example.thing.v1', { prefer: 'reply', traceparent }));
    expect(r.status).toBe(200);
    expect(r.headers.get('ce-type')).toBe('org.bsw-arch.eco.report.v1');
    expect(r.headers.get('ce-source')).toBe('/eco-bots/eco-echo-bot');
    expect(r.headers.get('ce-specversion')).toBe('1.0');
    expect(r.headers.get('ce-traceparent')).toBe(traceparent);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const report = r.json as Report;
    expect(r.headers.get('ce-subject')).toBe(report.runId);
    expect(report.bot).toBe('eco-echo-bot');
  });

  it('without Prefer: reply a CloudEvent caller gets plain JSON', async () => {
    const s = await startServer(echoBot);
    const r = await post(s.url, '{}', ceHeaders('org.example.thing.v1'));
    expect(r.headers.get('ce-type')).toBeNull();
  });

  it('Alertmanager payloads: trigger alertmanager, the whole payload is the input', async () => {
    const s = await startServer(strictAlertBot);
    const r = await post(s.url, JSON.stringify(alertPayload()), {
      'content-type': 'application/json',
      'user-agent': 'Alertmanager/0.28.1',
    });
    expect(r.status).toBe(200);
    expect((r.json as Report).summary).toBe('1 alerts via alertmanager');
    // Detected by shape too (no Alertmanager user agent), and lenient about fields new versions add.
    const newer = alertPayload({
      notification_reason: 'first notification',
      routeLabels: {},
      somethingNew: 1,
    });
    const r2 = await post(s.url, JSON.stringify(newer), { 'content-type': 'application/json' });
    expect((r2.json as Report).summary).toBe('1 alerts via alertmanager');
  });

  it('an Alertmanager payload the bot schema rejects is a 400 naming the field', async () => {
    const s = await startServer(strictAlertBot);
    const bad = alertPayload({ alerts: [{ status: 'firing' }] });
    const r = await post(s.url, JSON.stringify(bad), { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect((r.json as { error: { message: string } }).error.message).toContain('alerts[0].labels');
  });

  it('traceparent is carried from the request, else a fresh trace id', async () => {
    const s = await startServer(echoBot);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const r = await post(s.url, '{}', {
      'content-type': 'application/json',
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(data(r.json).traceId).toBe(traceId);
    const fresh = await post(s.url, '{}', { 'content-type': 'application/json', traceparent: 'garbage' });
    expect(data(fresh.json).traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(data(fresh.json).traceId).not.toBe(traceId);
    const line = s.lines.find((l) => l['msg'] === 'run finished' && l['traceId'] === traceId);
    expect(line).toMatchObject({ bot: 'eco-echo-bot', runId: (r.json as Report).runId });
  });

  it('ECO_MODE=apply, lowered to dry-run by X-Eco-Dry-Run for one run', async () => {
    const s = await startServer(echoBot, { ECO_MODE: 'apply' });
    expect(((await post(s.url)).json as Report).mode).toBe('apply');
    expect(((await post(s.url, undefined, { 'x-eco-dry-run': 'true' })).json as Report).mode).toBe('dry-run');
  });

  it('text/plain JSON (faas-cli invoke) is accepted as options', async () => {
    const s = await startServer(echoBot);
    const r = await post(s.url, '{"count":0}', { 'content-type': 'text/plain' });
    expect(r.status).toBe(200);
  });
});
