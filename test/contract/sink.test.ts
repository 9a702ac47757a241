import { describe, expect, it } from 'vitest';
import type { Report } from '../../shared/bot/types.ts';
import { echoBot } from '../shared/fixtures/bots.ts';
import { post, startServer, startSink } from './helpers.ts';

const fast = { ECO_SINK_BACKOFF_MS: '1', ECO_SINK_MAX_BACKOFF_MS: '5', ECO_SINK_ATTEMPTS: '4' };

describe('K_SINK: every run emits its report; ctx.emit delivers with retries', () => {
  it('emits the report as a binary-mode CloudEvent', async () => {
    const sink = await startSink([202]);
    const s = await startServer(echoBot, { K_SINK: sink.url, ...fast });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const r = await post(s.url, '{"count":2}', {
      'content-type': 'application/json',
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(r.status).toBe(200);
    expect(sink.received).toHaveLength(1);
    const [event] = sink.received;
    expect(event?.headers['ce-type']).toBe('org.bsw-arch.eco.report.v1');
    expect(event?.headers['ce-source']).toBe('/eco-bots/eco-echo-bot');
    expect(event?.headers['ce-specversion']).toBe('1.0');
    expect(event?.headers['ce-traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(event?.headers['content-type']).toMatch(/^application\/json/);
    const report = JSON.parse(event?.body ?? '') as Report;
    expect(report.runId).toBe((r.json as Report).runId);
    expect(event?.headers['ce-subject']).toBe(report.runId);
  });

  it('a sink that fails then recovers: retried until delivered, no error in the report', async () => {
    const sink = await startSink([503, 500, 429, 200]);
    const s = await startServer(echoBot, { K_SINK: sink.url, ...fast });
    const r = await post(s.url);
    expect(r.status).toBe(200);
    expect(sink.received).toHaveLength(4);
    expect((r.json as Report).errors).toEqual([]);
    // Each attempt is the same event (receivers dedupe on source + id).
    expect(new Set(sink.received.map((e) => e.headers['ce-id'])).size).toBe(1);
  });

  it('a sink that stays down: the report is still returned, with the delivery error in it', async () => {
    const sink = await startSink([503]);
    const s = await startServer(echoBot, { K_SINK: sink.url, ...fast });
    const r = await post(s.url);
    expect(r.status).toBe(200);
    expect(sink.received).toHaveLength(4);
    const errors = (r.json as Report).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]?.code).toBe('sink-delivery-failed');
    expect(errors[0]?.message).toContain('HTTP 503');
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('bot_errors_total{bot_name="eco-echo-bot",type="sink"} 1');
  });

  it('ctx.emit to a sink that stays down fails the run with a 5xx (so Alertmanager retries)', async () => {
    const sink = await startSink((() => 500) as () => number);
    const s = await startServer(echoBot, { K_SINK: sink.url, ...fast });
    const r = await post(s.url, '{"emit":"org.bsw-arch.eco.test.thing.v1"}', {
      'content-type': 'application/json',
    });
    expect(r.status).toBe(502);
    expect((r.json as { error: { code: string } }).error.code).toBe('sink-delivery-failed');
    expect(sink.received.every((e) => e.headers['ce-type'] === 'org.bsw-arch.eco.test.thing.v1')).toBe(true);
    expect(sink.received).toHaveLength(4);
  });

  it('ctx.emit succeeds after a transient failure, then the report follows', async () => {
    const sink = await startSink([503, 200]);
    const s = await startServer(echoBot, { K_SINK: sink.url, ...fast });
    const r = await post(s.url, '{"emit":"org.bsw-arch.eco.test.thing.v1","namespace":"n1"}', {
      'content-type': 'application/json',
    });
    expect(r.status).toBe(200);
    const types = sink.received.map((e) => e.headers['ce-type']);
    expect(types).toEqual([
      'org.bsw-arch.eco.test.thing.v1',
      'org.bsw-arch.eco.test.thing.v1',
      'org.bsw-arch.eco.report.v1',
    ]);
    expect(JSON.parse(sink.received[1]?.body ?? '')).toEqual({ namespace: 'n1' });
  });

  it('without K_SINK ctx.emit is a no-op', async () => {
    const s = await startServer(echoBot);
    expect(
      (await post(s.url, '{"emit":"org.bsw-arch.eco.test.thing.v1"}', { 'content-type': 'application/json' }))
        .status,
    ).toBe(200);
  });
});

describe('K_SINK and Prefer: reply together (a Knative Broker sends both ways back into itself)', () => {
  it('the report is replied, not also sent to K_SINK', async () => {
    const sink = await startSink([202]);
    const s = await startServer(echoBot, { K_SINK: sink.url, ...fast });
    const headers = {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'r1',
      'ce-source': '/broker',
      'ce-type': 'org.bsw-arch.eco.test.echo.v1',
      prefer: 'reply',
    };
    const r = await post(s.url, '{}', headers);
    expect(r.headers.get('ce-type')).toBe('org.bsw-arch.eco.report.v1');
    expect(sink.received).toHaveLength(0);
    const plain = await post(s.url, '{}', { ...headers, prefer: '' });
    expect(plain.headers.get('ce-type')).toBeNull();
    expect(sink.received).toHaveLength(1);
  });
});
