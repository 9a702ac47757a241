// The one place the Prometheus client decides whether and when to try a request again. Every query
// is a read, so any 5xx, 429, network failure or attempt timeout may be repeated. Kept behind this
// single function so the fleet's shared retry module can replace it in one place.

import { backoffDelay } from '../k8s/retry.ts';
import { PrometheusError } from './errors.ts';

export interface RetryOptions {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Cap on a server's Retry-After. */
  maxRetryAfterMs: number;
  signal?: AbortSignal | undefined;
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or retries run out. */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  for (let n = 0; ; n += 1) {
    try {
      return await attempt(n + 1);
    } catch (error) {
      const retryable = error instanceof PrometheusError && error.retryable;
      if (!retryable || n >= options.retries || options.signal?.aborted) throw error;
      const hinted = error.retryAfterMs;
      const delay =
        hinted !== undefined
          ? Math.min(hinted, options.maxRetryAfterMs)
          : backoffDelay(n, { ...options, retries: options.retries });
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
