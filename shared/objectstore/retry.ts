// The object store's retry policy, on the kit's one retry loop (shared/http/retry.ts): capped
// exponential backoff with full jitter, a server's Retry-After honoured up to the kit's cap.
//
// Retried: network failures and 408/429/5xx (not 501/505), for requests that are safe to repeat
// (every request the S3 backend sends is, except completing a multipart upload; the caller says).

import { isRetryableStatus as kitRetryableStatus, retry } from '../http/retry.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal | undefined;
}

export const DEFAULT_STORE_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 200, maxDelayMs: 3_000 };

/** What one attempt ended with, as far as retrying is concerned. */
export type AttemptOutcome<T> =
  | { done: true; value: T }
  | { done: false; retryable: boolean; error: unknown; retryAfterMs?: number | undefined };

/** Runs `attempt` until it is done, not retryable, or out of attempts; throws the last error. */
export async function withRetry<T>(
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
  options: RetryOptions = DEFAULT_STORE_RETRY,
): Promise<T> {
  const { sleep, random, signal } = options;
  const last = await retry<AttemptOutcome<T>>(
    (n) => attempt(n),
    (outcome) =>
      !outcome.ok || outcome.value.done
        ? { retry: false }
        : { retry: outcome.value.retryable, retryAfterMs: outcome.value.retryAfterMs },
    { attempts: options.attempts, backoffMs: options.baseDelayMs, maxBackoffMs: options.maxDelayMs },
    {
      signal,
      ...(sleep === undefined ? {} : { sleep: (ms: number) => sleep(ms) }),
      ...(random === undefined ? {} : { random }),
    },
  );
  if (last.done) return last.value;
  throw last.error;
}

export function isRetryableStatus(status: number): boolean {
  return kitRetryableStatus(status);
}
