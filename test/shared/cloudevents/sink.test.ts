import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { createSinkSender } from '../../../shared/cloudevents/index.ts';
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

  it('gives up at once when Retry-After asks for longer than 30 s, instead of coming back early', async () => {
    const sink = await startSink([503, 200], { 'retry-after': '3600' });
    const delays: number[] = [];
    const send = createSinkSender(config(sink.url), { sleep: async (ms) => void delays.push(ms) });
    const error = await send(event).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as SinkDeliveryError).attempts).toBe(1);
    expect((error as SinkDeliveryError).lastStatus).toBe(503);
    expect(delays).toEqual([]);
    expect(sink.received).toHaveLength(1);
  });
});
