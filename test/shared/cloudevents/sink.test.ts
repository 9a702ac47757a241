import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { createSinkSender, retryAfterMs } from '../../../shared/cloudevents/index.ts';
import { isSinkDeliveryError, type SinkDeliveryError } from '../../../shared/errors/index.ts';
import { startSink } from '../../contract/helpers.ts';

const event = new CloudEvent({
  type: 'org.bsw-arch.eco.test.v1',
  source: '/eco-bots/eco-test-bot',
  data: { a: 1 },
});
const config = (url: string, attempts = 3) => ({
  url,
  attempts,
  backoffMs: 100,
  maxBackoffMs: 400,
  timeoutMs: 2000,
});

describe('K_SINK sender', () => {
  it('does not retry a 4xx other than 408/429 and says which status', async () => {
    const sink = await startSink([400]);
    const send = createSinkSender(config(sink.url), { sleep: async () => undefined });
    const error = await send(event).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSinkDeliveryError(error)).toBe(true);
    expect((error as SinkDeliveryError).attempts).toBe(1);
    expect((error as SinkDeliveryError).lastStatus).toBe(400);
    expect((error as SinkDeliveryError).status).toBe(502);
    expect(sink.received).toHaveLength(1);
  });

  it('backs off exponentially with full jitter, capped', async () => {
    const sink = await startSink([500]);
    const delays: number[] = [];
    const send = createSinkSender(config(sink.url, 5), {
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.999,
    });
    await expect(send(event)).rejects.toThrow(/after 5 attempt\(s\): HTTP 500/);
    expect(delays).toEqual([100, 200, 400, 400]);
  });

  it('honours Retry-After', async () => {
    const sink = await startSink([429, 200], { 'retry-after': '2' });
    const delays: number[] = [];
    const send = createSinkSender(config(sink.url), { sleep: async (ms) => void delays.push(ms) });
    await send(event);
    expect(delays).toEqual([2000]);
  });

  it('retries network errors and throws a typed error after the last attempt', async () => {
    const send = createSinkSender(config('http://127.0.0.1:9/'), { sleep: async () => undefined });
    const error = await send(event).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSinkDeliveryError(error)).toBe(true);
    expect((error as SinkDeliveryError).attempts).toBe(3);
    expect((error as SinkDeliveryError).lastStatus).toBeUndefined();
    expect((error as Error).message).toMatch(/network error/);
  });

  it('parses Retry-After seconds and dates, capped at 30 s', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('3600', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
