import { describe, expect, it } from 'vitest';
import type { Report } from '../../shared/bot/types.ts';
import type { TickResult } from '../../shared/runtime/index.ts';
import { echoBot, slowBot } from '../shared/fixtures/bots.ts';
import { ceHeaders, post, startServer } from './helpers.ts';

type Gate = { release?: () => void; started: number; finished: number };
const gate = (): Gate => ({ started: 0, finished: 0 });

describe('several bots in one process (category group / compact profile)', () => {
  it('each bot answers at /<bot-name>; plain JSON at / is a 404 that lists them', async () => {
    const g = gate();
    const s = await startServer([echoBot, slowBot('eco-slow-bot', '0 0 1 1 *', g)]);
    const r = await post(`${s.url}/eco-echo-bot`, '{"count":0}', { 'content-type': 'application/json' });
    expect((r.json as Report).bot).toBe('eco-echo-bot');
    const root = await post(s.url, '{"count":0}', { 'content-type': 'application/json' });
    expect(root.status).toBe(404);
    expect((root.json as { error: { message: string } }).error.message).toContain('eco-slow-bot');
  });

  it('an empty cron POST at / starts the due bots concurrently and answers 202 without waiting', async () => {
    let now = new Date('2026-01-01T10:00:05Z');
    const a = gate();
    const b = gate();
    const c = gate();
    const s = await startServer(
      [
        slowBot('eco-a-bot', '* * * * *', a),
        slowBot('eco-b-bot', '*/5 * * * *', b),
        slowBot('eco-c-bot', '0 3 * * *', c),
      ],
      {},
      { now: () => now },
    );
    const first = await post(s.url, undefined, { 'x-connector': 'cron-connector' });
    expect(first.status).toBe(202);
    const tick = first.json as TickResult;
    expect(tick.started.sort()).toEqual(['eco-a-bot', 'eco-b-bot']);
    expect(tick.skipped).toEqual([]);
    // Both started before either finished: they run concurrently, and the tick did not wait.
    await expect.poll(() => a.started + b.started).toBe(2);
    expect(a.finished + b.finished + c.started).toBe(0);

    // Next minute: a is due again but still running => skipped; b is not due.
    now = new Date('2026-01-01T10:01:05Z');
    const second = await post(s.url, undefined, { 'x-connector': 'cron-connector' });
    expect(second.status).toBe(202);
    expect(second.json).toMatchObject({
      started: [],
      skipped: [{ bot: 'eco-a-bot', reason: 'still-running' }],
    });
    expect(a.started).toBe(1);

    a.release?.();
    b.release?.();
    await expect.poll(() => a.finished + b.finished).toBe(2);
    now = new Date('2026-01-01T10:02:05Z');
    const third = await post(s.url, undefined, { 'x-connector': 'cron-connector' });
    expect((third.json as TickResult).started).toEqual(['eco-a-bot']);
    await expect.poll(() => a.started).toBe(2);
    a.release?.();
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toContain('eco_bot_invocations_total{bot="eco-b-bot",trigger="cron",outcome="ok"} 1');
  });

  it('a PingSource event at / is a tick too', async () => {
    const a = gate();
    const s = await startServer([slowBot('eco-a-bot', '* * * * *', a), echoBot]);
    const r = await post(s.url, '{}', ceHeaders('dev.knative.sources.ping'));
    expect(r.status).toBe(202);
    expect((r.json as TickResult).started).toContain('eco-a-bot');
    await expect.poll(() => a.started).toBe(1);
    a.release?.();
  });

  it('a CloudEvent at / goes to the bots that consume its type', async () => {
    const s = await startServer([echoBot, slowBot('eco-slow-bot', '0 0 1 1 *', gate())]);
    const r = await post(s.url, '{"count":1}', ceHeaders('org.bsw-arch.eco.test.echo.v1'));
    expect(r.status).toBe(200);
    expect((r.json as Report[]).map((x) => x.bot)).toEqual(['eco-echo-bot']);
    expect((await post(s.url, '{}', ceHeaders('org.example.nobody.v1'))).status).toBe(404);
  });

  it('draining waits for ticked runs still in progress', async () => {
    const a = gate();
    const s = await startServer([slowBot('eco-a-bot', '* * * * *', a), echoBot]);
    await post(s.url, undefined, { 'x-connector': 'cron-connector' });
    await expect.poll(() => a.started).toBe(1);
    let closed = false;
    const closing = s.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    a.release?.();
    await closing;
    expect(a.finished).toBe(1);
  });
});
