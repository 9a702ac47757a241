// The Prometheus client's retry rule on the kit's one retry loop (shared/http/retry.ts): every query
// is a read, so a retryable PrometheusError (5xx, 429, network failure, attempt timeout) may be
// repeated, after the server's Retry-After or the kit's jittered backoff.
import { retry, sleep as kitSleep } from '../http/retry.ts';
import { PrometheusError } from './errors.ts';

export interface RetryOptions {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Cap on a server's Retry-After; a longer one ends the retries. */
  maxRetryAfterMs: number;
  signal?: AbortSignal | undefined;
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or retries run out. */
export function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  return retry(
    (n) => attempt(n),
    (outcome) => {
      if (outcome.ok) return { retry: false };
      const error = outcome.error;
      if (!(error instanceof PrometheusError) || !error.retryable || options.signal?.aborted === true)
        return { retry: false };
      return { retry: true, retryAfterMs: error.retryAfterMs };
    },
    {
      attempts: options.retries + 1,
      backoffMs: options.baseDelayMs,
      maxBackoffMs: options.maxDelayMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
    },
    // The caller's signal stays with `attempt`, which turns an abort into a PrometheusError; a wait
    // it interrupts ends early, and the aborted attempt after it is not retried.
    {
      sleep: (ms) => (options.sleep ?? kitSleep)(ms, options.signal).catch(() => undefined),
    },
  );
}
