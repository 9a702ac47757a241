import { describe, expect, it } from 'vitest';
import type { Report } from '../../shared/bot/types.ts';
import { echoBot, slowBot } from '../shared/fixtures/bots.ts';
import { ceHeaders, post, startServer } from './helpers.ts';

type ErrorJson = { error: { code: string; message: string } };
const err = (json: unknown): ErrorJson['error'] => (json as ErrorJson).error;

function expectJsonError(
  r: { status: number; headers: Headers; json: unknown },
  status: number,
  code: string,
): ErrorJson['error'] {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  const e = err(r.json);
  expect(e.code).toBe(code);
  expect(typeof e.message).toBe('string');
  expect(e.message.length).toBeGreaterThan(0);
  return e;
}

describe('error model (ARCHITECTURE.md §4): every status reachable, always a JSON error body', () => {
  it('400 bad JSON', async () => {
    const s = await startServer(echoBot);
    expectJsonError(await post(s.url, '{"count":', { 'content-type': 'application/json' }), 400, 'bad-json');
  });

  it('400 invalid options names the field', async () => {
    const s = await startServer(echoBot);
    const e = expectJsonError(
      await post(s.url, '{"count":"many"}', { 'content-type': 'application/json' }),
      400,
      'invalid-options',
    );
    expect(e.message).toContain('invalid options: count: ');
    const e2 = expectJsonError(
      await post(s.url, '{"count":1000}', { 'content-type': 'application/json' }),
      400,
      'invalid-options',
    );
    expect(e2.message).toContain('invalid options: count: ');
    expectJsonError(
      await post(s.url, '[1,2]', { 'content-type': 'application/json' }),
      400,
      'invalid-options',
    );
  });

  it('400 invalid CloudEvent (missing type, bad specversion, batch not an array)', async () => {
    const s = await startServer(echoBot);
    const headers = ceHeaders('x.y');
    delete headers['ce-type'];
    expect(expectJsonError(await post(s.url, '{}', headers), 400, 'invalid-cloudevent').message).toContain(
      'type',
    );
    expectJsonError(
      await post(s.url, '{}', ceHeaders('x.y', { 'ce-specversion': '0.1' })),
      400,
      'invalid-cloudevent',
    );
    expectJsonError(
      await post(s.url, '{"id":"1"}', { 'content-type': 'application/cloudevents-batch+json' }),
      400,
      'invalid-cloudevent',
    );
    expectJsonError(
      await post(s.url, '{nope', { 'content-type': 'application/cloudevents+json' }),
      400,
      'invalid-cloudevent',
    );
  });

  it('400 from a ValidationError the bot throws itself', async () => {
    const s = await startServer(echoBot);
    const e = expectJsonError(
      await post(s.url, '{"badRequest":true}', { 'content-type': 'application/json' }),
      400,
      'invalid-options',
    );
    expect(e.message).toContain('/alerts/0/labels');
  });

  it('404 unknown path, 405 wrong method (with Allow)', async () => {
    const s = await startServer(echoBot);
    expectJsonError(await post(`${s.url}/eco-other-bot`, '{}'), 404, 'not-found');
    const get = await fetch(s.url);
    expect(get.headers.get('allow')).toBe('POST');
    expectJsonError(
      { status: get.status, headers: get.headers, json: await get.json() },
      405,
      'method-not-allowed',
    );
    const postHealth = await post(`${s.url}/_/health`);
    expectJsonError(postHealth, 405, 'method-not-allowed');
  });

  it('413 over ECO_MAX_BODY_BYTES, declared or streamed, and the server keeps serving', async () => {
    const s = await startServer(echoBot, { ECO_MAX_BODY_BYTES: '1000' });
    const big = JSON.stringify({ namespace: 'x'.repeat(2000) });
    expectJsonError(await post(s.url, big, { 'content-type': 'application/json' }), 413, 'body-too-large');
    // Chunked (no Content-Length): the limit is enforced while reading.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i += 1) controller.enqueue(new TextEncoder().encode('x'.repeat(500)));
        controller.close();
      },
    });
    const chunked = await fetch(s.url, {
      method: 'POST',
      body: stream,
      duplex: 'half',
      headers: { 'content-type': 'application/json' },
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await post(s.url, '{}', { 'content-type': 'application/json' })).status).toBe(200);
  });

  it('413 for a 2 MiB body at the default limit of 1 MiB', async () => {
    const s = await startServer(echoBot);
    const r = await post(s.url, 'x'.repeat(2 * 1024 * 1024), { 'content-type': 'application/json' });
    expectJsonError(r, 413, 'body-too-large');
  });

  it('415 unsupported content type (plain and CloudEvent data)', async () => {
    const s = await startServer(echoBot);
    expectJsonError(
      await post(s.url, '<a/>', { 'content-type': 'application/xml' }),
      415,
      'unsupported-media-type',
    );
    expectJsonError(
      await post(s.url, 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported-media-type',
    );
    // ...but `curl -d '{"count":3}'` (JSON labelled as a form by curl's default) is taken as JSON.
    const curl = await post(s.url, '{"count":3}', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(curl.status).toBe(200);
    expectJsonError(
      await post(s.url, '<a/>', ceHeaders('x.y', { 'content-type': 'application/xml' })),
      415,
      'unsupported-media-type',
    );
  });

  it('500 when the bot throws; the process keeps serving', async () => {
    const s = await startServer(echoBot);
    const e = expectJsonError(
      await post(s.url, '{"fail":true}', { 'content-type': 'application/json' }),
      500,
      'bot-failed',
    );
    expect(e.message).toBe('echo asked to fail');
    expect((await post(s.url, '{}', { 'content-type': 'application/json' })).status).toBe(200);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('bot_errors_total{bot_name="eco-echo-bot",type="run"} 1');
    expect(metrics).toContain(
      'eco_bot_invocations_total{bot="eco-echo-bot",trigger="http",outcome="error"} 1',
    );
  });

  it('429 over ECO_MAX_INFLIGHT, and /_/ready says 429 while saturated', async () => {
    const gate = { started: 0, finished: 0 } as { release?: () => void; started: number; finished: number };
    const s = await startServer(slowBot('eco-slow-bot', '* * * * *', gate), { ECO_MAX_INFLIGHT: '1' });
    const first = post(s.url);
    await expect.poll(() => gate.started).toBe(1);
    const second = await post(s.url);
    expectJsonError(second, 429, 'too-many-requests');
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await fetch(`${s.url}/_/ready`)).status).toBe(429);
    gate.release?.();
    expect((await first).status).toBe(200);
    expect((await fetch(`${s.url}/_/ready`)).status).toBe(200);
  });

  it('503 while draining: in-flight work finishes, new invocations are refused, ready is 503', async () => {
    const gate = { started: 0, finished: 0 } as { release?: () => void; started: number; finished: number };
    const s = await startServer(slowBot('eco-slow-bot', '* * * * *', gate));
    const first = post(s.url);
    await expect.poll(() => gate.started).toBe(1);
    const closing = s.close();
    expectJsonError(await post(s.url), 503, 'draining');
    expect((await fetch(`${s.url}/_/ready`)).status).toBe(503);
    expect((await fetch(`${s.url}/_/health`)).status).toBe(200);
    gate.release?.();
    const done = await first;
    expect(done.status).toBe(200);
    expect((done.json as Report).summary).toBe('released');
    await closing;
    await expect(fetch(`${s.url}/_/health`)).rejects.toThrow();
  });

  it('504 when a run exceeds ECO_TIMEOUT_SECONDS; ctx.signal is aborted', async () => {
    const s = await startServer(echoBot, { ECO_TIMEOUT_SECONDS: '1' });
    const e = expectJsonError(
      await post(s.url, '{"sleepMs":20000}', { 'content-type': 'application/json' }),
      504,
      'timeout',
    );
    expect(e.message).toContain('1 s');
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain(
      'eco_bot_invocations_total{bot="eco-echo-bot",trigger="http",outcome="timeout"} 1',
    );
  });
});
