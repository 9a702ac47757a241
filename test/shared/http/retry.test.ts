// The kit's one Retry-After parser and retry loop, at the edges where the three former copies (K_SINK
// sender, k8s client, eco-alert-bot's OpenFaaS delivery) disagreed. No real waiting: sleep, random and
// the per-attempt timeout are injected.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  fetchWithRetry,
  httpVerdict,
  isIdempotentMethod,
  isRetryableStatus,
  parseRetryAfter,
  retry,
  sleep,
  type AttemptOutcome,
  type RetryPolicy,
  type Verdict,
} from '../../../shared/http/index.ts';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });

  it('does not cap: a long delay is the policy’s to judge', () => {
    expect(parseRetryAfter('3600', now)).toBe(3_600_000);
  });

  it('reads an overflowing delay as 2^31 seconds', () => {
    expect(parseRetryAfter('99999999999999999999999', now)).toBe(2 ** 31 * 1000);
  });

  it('rejects what is not 1*DIGIT nor an HTTP-date: fractions, signs, units, words', () => {
    for (const value of ['1.5', '-1', '+3', '3s', '1e3', '0x10', 'soon', '2026-01-01T00:00:05Z', '3 4']) {
      expect(parseRetryAfter(value, now), value).toBeUndefined();
    }
  });

  it('is undefined when absent or empty', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('  ', now)).toBeUndefined();
    expect(parseRetryAfter([], now)).toBeUndefined();
  });

  it('reads an IMF-fixdate in the future as the difference from now', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', new Date(now))).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now + 250)).toBe(4750);
  });

  it('reads a date in the past (or now) as 0', () => {
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:00 GMT', now)).toBe(0);
  });

  it('accepts the obsolete RFC 850 and asctime forms, as UTC', () => {
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Thu Jan  1 00:00:10 2026', now)).toBe(10_000);
    // RFC 850's two-digit year as Date reads it: 50-99 is last century.
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', 0)).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
  });

  it('rejects what is not an HTTP-date: impossible times, unknown months, other zones, ISO 8601', () => {
    for (const value of [
      'Thu, 01 Jan 2026 25:00:00 GMT',
      'Thu, 32 Jan 2026 00:00:00 GMT',
      'Thu, 01 Jan 2026 00:61:00 GMT',
      'Thu, 01 Foo 2026 00:00:00 GMT',
      'Thu, 01 Jan 2026 00:00:00 +0100',
      'Thu, 01 Jan 2026 00:00:00 UTC',
      'thu, 01 jan 2026 00:00:05 gmt',
      '2026-01-01T00:00:05Z',
    ]) {
      expect(parseRetryAfter(value, now), value).toBeUndefined();
    }
  });

  it('agrees with Date for every IMF-fixdate', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        (date) => {
          const seconds = Math.floor(date.getTime() / 1000) * 1000;
          return parseRetryAfter(new Date(seconds).toUTCString(), 0) === seconds;
        },
      ),
    );
  });
});

describe('backoffDelay', () => {
  const policy = { backoffMs: 100, maxBackoffMs: 400 };

  it('is full jitter: uniform in [0, min(cap, base*2^(retry-1))]', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 0.999))).toEqual([100, 200, 400, 400]);
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 0.5))).toEqual([50, 100, 200]);
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
  });

  it('stays within its ceiling for any retry and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, r) => {
          const delay = backoffDelay(n, policy, () => r);
          return delay >= 0 && delay <= Math.min(400, 100 * 2 ** (n - 1));
        },
      ),
    );
  });
});

describe('which outcomes are retried', () => {
  it('retries 408, 429 and 5xx, not 501/505 nor other 4xx', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 507, 599])
      expect(isRetryableStatus(status), `${status}`).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 413, 422, 501, 505])
      expect(isRetryableStatus(status), `${status}`).toBe(false);
  });

  it('knows the idempotent methods', () => {
    for (const m of ['GET', 'head', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])
      expect(isIdempotentMethod(m), m).toBe(true);
    for (const m of ['POST', 'PATCH', 'CONNECT']) expect(isIdempotentMethod(m), m).toBe(false);
  });

  const response = (status: number, retryAfter?: string): AttemptOutcome<Response> => ({
    ok: true,
    value: new Response(null, {
      status,
      headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    }),
  });
  const networkError: AttemptOutcome<Response> = { ok: false, error: new TypeError('fetch failed') };

  it('repeats an idempotent request after a network error or a retryable status, with its Retry-After', () => {
    const get = { method: 'GET' };
    expect(httpVerdict(networkError, get, now)).toEqual({ retry: true });
    expect(httpVerdict(response(503), get, now)).toEqual({ retry: true, retryAfterMs: undefined });
    expect(httpVerdict(response(429, '7'), get, now)).toEqual({ retry: true, retryAfterMs: 7000 });
    expect(httpVerdict(response(503, 'Thu, 01 Jan 2026 00:00:02 GMT'), get, now).retryAfterMs).toBe(2000);
    expect(httpVerdict(response(501), get, now).retry).toBe(false);
    expect(httpVerdict(response(404), get, now).retry).toBe(false);
    expect(httpVerdict(response(200), get, now).retry).toBe(false);
  });

  it('does not repeat a POST unless the caller says it is safe to repeat', () => {
    expect(httpVerdict(networkError, { method: 'POST' }, now).retry).toBe(false);
    expect(httpVerdict(response(503), { method: 'POST' }, now).retry).toBe(false);
    expect(httpVerdict(response(429), { method: 'POST' }, now).retry).toBe(false);
    expect(httpVerdict(networkError, { method: 'POST', safeToRepeat: true }, now).retry).toBe(true);
    expect(httpVerdict(response(503), { method: 'POST', safeToRepeat: true }, now).retry).toBe(true);
    expect(httpVerdict(response(505), { method: 'POST', safeToRepeat: true }, now).retry).toBe(false);
  });
});

/** A scripted attempt: each entry is a value to resolve with or an Error to throw. */
function script<T>(steps: (T | Error)[]) {
  const calls: number[] = [];
  const attempt = async (n: number): Promise<T> => {
    calls.push(n);
    const step = steps[Math.min(n, steps.length) - 1] as T | Error;
    if (step instanceof Error) throw step;
    return step;
  };
  return { attempt, calls };
}

const policy: RetryPolicy = { attempts: 4, backoffMs: 100, maxBackoffMs: 400 };
/** Retry numbers >= 500 (the value is an HTTP-ish status) and every error; `after` sets Retry-After. */
const byStatus =
  (after?: number) =>
  (outcome: AttemptOutcome<number>): Verdict =>
    outcome.ok ? { retry: outcome.value >= 500, retryAfterMs: after } : { retry: true };

function recorder() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms), random: () => 0.999 };
}

describe('retry', () => {
  it('returns the first success without waiting', async () => {
    const { attempt, calls } = script([200]);
    const deps = recorder();
    expect(await retry(attempt, byStatus(), policy, deps)).toBe(200);
    expect(calls).toEqual([1]);
    expect(deps.delays).toEqual([]);
  });

  it('backs off with full jitter between attempts and stops at the attempts limit with the last value', async () => {
    const { attempt, calls } = script([503, 502, 500, 504, 200]);
    const deps = recorder();
    expect(await retry(attempt, byStatus(), policy, deps)).toBe(504);
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(deps.delays).toEqual([100, 200, 400]);
  });

  it('rethrows the last error after the last attempt', async () => {
    const { attempt, calls } = script<number>([new Error('one'), new Error('two')]);
    const deps = recorder();
    await expect(retry(attempt, byStatus(), { ...policy, attempts: 2 }, deps)).rejects.toThrow('two');
    expect(calls).toEqual([1, 2]);
  });

  it('makes one attempt when attempts is 1', async () => {
    const { attempt, calls } = script([503]);
    expect(await retry(attempt, byStatus(), { ...policy, attempts: 1 }, recorder())).toBe(503);
    expect(calls).toEqual([1]);
  });

  it('does not retry what classify rejects', async () => {
    const { attempt, calls } = script([404, 200]);
    expect(await retry(attempt, byStatus(), policy, recorder())).toBe(404);
    expect(calls).toEqual([1]);
  });

  it('waits a Retry-After instead of the backoff, 0 included', async () => {
    for (const after of [2000, 0]) {
      const { attempt } = script([503, 200]);
      const deps = recorder();
      expect(await retry(attempt, byStatus(after), policy, deps)).toBe(200);
      expect(deps.delays).toEqual([after]);
    }
  });

  it('gives up, with the last outcome, when a Retry-After exceeds the cap (default 30 s)', async () => {
    const long = script([503, 200]);
    const deps = recorder();
    expect(await retry(long.attempt, byStatus(30_001), policy, deps)).toBe(503);
    expect(long.calls).toEqual([1]);
    expect(deps.delays).toEqual([]);
    const atCap = script([503, 200]);
    expect(await retry(atCap.attempt, byStatus(30_000), policy, recorder())).toBe(200);
    const custom = script([503, 200]);
    expect(
      await retry(custom.attempt, byStatus(2000), { ...policy, maxRetryAfterMs: 1000 }, recorder()),
    ).toBe(503);
  });

  it('waits its own backoff even when that is longer than the Retry-After cap', async () => {
    const { attempt } = script([503, 200]);
    const deps = recorder();
    const slow = { attempts: 2, backoffMs: 60_000, maxBackoffMs: 60_000, maxRetryAfterMs: 1000 };
    expect(await retry(attempt, byStatus(), slow, deps)).toBe(200);
    expect(deps.delays).toEqual([59_940]);
  });

  it('tells onRetry about each failed attempt and the wait before the next', async () => {
    const { attempt } = script([500, 200]);
    const seen: unknown[] = [];
    await retry(attempt, byStatus(), policy, { ...recorder(), onRetry: (info) => seen.push(info) });
    expect(seen).toEqual([{ attempt: 1, delayMs: 100, outcome: { ok: true, value: 500 } }]);
  });

  it('stops waiting at once when the signal aborts, rejecting with its reason', async () => {
    const controller = new AbortController();
    const { attempt, calls } = script([503, 200]);
    const pending = retry(attempt, byStatus(), policy, {
      signal: controller.signal,
      random: () => 0.999,
      // The real sleep, asked to wait an hour: only the abort can end it.
      sleep: (_ms, signal) => {
        queueMicrotask(() => controller.abort(new Error('shutting down')));
        return sleep(3_600_000, signal);
      },
    });
    await expect(pending).rejects.toThrow('shutting down');
    expect(calls).toEqual([1]);
  });

  it('does not start when the signal is already aborted', async () => {
    const { attempt, calls } = script([200]);
    await expect(retry(attempt, byStatus(), policy, { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(calls).toEqual([]);
  });

  it('aborts the attempt in flight with the outer signal and does not retry it', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = retry(
      (_n, signal) => {
        calls++;
        queueMicrotask(() => controller.abort());
        return new Promise<number>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      },
      byStatus(),
      policy,
      { ...recorder(), signal: controller.signal },
    );
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(1);
  });

  it('gives each attempt its own timeout signal and retries a timed-out attempt', async () => {
    const timeouts: number[] = [];
    let fired: AbortController | undefined;
    const result = await retry(
      (n, signal) => {
        if (n === 2) return Promise.resolve(200);
        // The first attempt hangs until its timeout fires.
        queueMicrotask(() => fired?.abort(new DOMException('timed out', 'TimeoutError')));
        return new Promise<number>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      },
      byStatus(),
      { ...policy, timeoutMs: 250 },
      {
        ...recorder(),
        timeout: (ms) => {
          timeouts.push(ms);
          fired = new AbortController();
          return fired.signal;
        },
      },
    );
    expect(result).toBe(200);
    expect(timeouts).toEqual([250, 250]);
  });

  it('has no per-attempt timeout unless the policy sets one', async () => {
    let asked = false;
    const { attempt } = script([200]);
    await retry(attempt, byStatus(), policy, {
      timeout: () => ((asked = true), new AbortController().signal),
    });
    expect(asked).toBe(false);
  });
});

describe('fetchWithRetry against a real server', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(statuses: number[], headers: Record<string, string> = {}) {
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(req.method ?? '');
      const status = statuses[Math.min(seen.length, statuses.length) - 1] ?? 200;
      res.writeHead(status, headers).end(`answer ${seen.length}`);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, seen };
  }

  it('retries a GET through 503s and resolves with the answer, body intact', async () => {
    const { url, seen } = await serve([503, 503, 200]);
    const deps = recorder();
    const response = await fetchWithRetry(url, { method: 'GET' }, policy, deps);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('answer 3');
    expect(seen).toHaveLength(3);
    expect(deps.delays).toEqual([100, 200]);
  });

  it('resolves with the last error response, readable, after the last attempt', async () => {
    const { url, seen } = await serve([503], { 'retry-after': '1' });
    const deps = recorder();
    const response = await fetchWithRetry(url, { method: 'GET' }, { ...policy, attempts: 2 }, deps);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('answer 2');
    expect(seen).toHaveLength(2);
    expect(deps.delays).toEqual([1000]);
  });

  it('sends a POST once unless it is safe to repeat', async () => {
    const { url, seen } = await serve([503, 503, 202]);
    expect((await fetchWithRetry(url, { method: 'POST', body: 'x' }, policy, recorder())).status).toBe(503);
    expect(seen).toHaveLength(1);
    const again = await fetchWithRetry(
      url,
      { method: 'POST', body: 'x', safeToRepeat: true },
      policy,
      recorder(),
    );
    expect(again.status).toBe(202);
    expect(seen).toHaveLength(3);
  });

  it('rejects with the network error after retrying a refused connection', async () => {
    const { url } = await serve([200]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const deps = recorder();
    await expect(fetchWithRetry(url, { method: 'GET' }, { ...policy, attempts: 3 }, deps)).rejects.toThrow(
      /fetch failed/,
    );
    expect(deps.delays).toHaveLength(2);
  });
});
