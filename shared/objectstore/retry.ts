// The object store's only retry policy, behind one function so it can be swapped for the fleet's
// shared HTTP retry module without touching the backends.
//
// Retried: network failures and 429/500/502/503/504, for requests that are safe to repeat (every
// request the S3 backend sends is, except completing a multipart upload; the caller says which).

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

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it is done, not retryable, or out of attempts; throws the last error. */
export async function withRetry<T>(
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
  options: RetryOptions = DEFAULT_STORE_RETRY,
): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let n = 1; ; n += 1) {
    options.signal?.throwIfAborted();
    const outcome = await attempt(n);
    if (outcome.done) return outcome.value;
    if (!outcome.retryable || n >= options.attempts || options.signal?.aborted) throw outcome.error;
    // Full jitter, capped; a server's Retry-After wins (within the cap).
    const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (n - 1));
    await sleep(Math.min(options.maxDelayMs, outcome.retryAfterMs ?? Math.floor(random() * ceiling)));
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}
