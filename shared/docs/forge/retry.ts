// The forge client's ONE way to repeat a request. It has the shape of the kit's retry module
// (shared/http/retry.ts: `retry(attempt, classify, policy, options)`, being written on branch
// kit-retry); until that lands on main this is a minimal stand-in with the same contract, and then
// this file becomes a re-export of it. Nothing else in shared/docs/forge loops or sleeps.

export interface RetryPolicy {
  /** Attempts in all, the first included (>= 1). */
  attempts: number;
  /** The first retry waits a uniform [0, backoffMs]; each further one doubles the ceiling. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Abort each attempt after this long. */
  timeoutMs?: number;
  /** Longest server-requested wait honoured; a longer one ends the retries at once. */
  maxRetryAfterMs?: number;
}

export type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface Verdict {
  retry: boolean;
  /** The server's wait (Retry-After, a rate-limit reset), replacing the backoff. */
  retryAfterMs?: number | undefined;
}

export interface RetryOptions {
  signal?: AbortSignal | undefined;
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function withRetry<T>(
  attempt: (n: number, signal: AbortSignal) => Promise<T>,
  classify: (outcome: AttemptOutcome<T>) => Verdict,
  policy: RetryPolicy,
  options: RetryOptions = {},
): Promise<T> {
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const maxRetryAfterMs = policy.maxRetryAfterMs ?? 30_000;
  for (let n = 1; ; n++) {
    options.signal?.throwIfAborted();
    const signals = [
      options.signal,
      policy.timeoutMs === undefined ? undefined : AbortSignal.timeout(policy.timeoutMs),
    ];
    let outcome: AttemptOutcome<T>;
    try {
      outcome = {
        ok: true,
        value: await attempt(n, AbortSignal.any(signals.filter((s) => s !== undefined))),
      };
    } catch (error) {
      outcome = { ok: false, error };
    }
    options.signal?.throwIfAborted();
    const verdict = classify(outcome);
    const delayMs =
      verdict.retryAfterMs ??
      Math.round(random() * Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (n - 1)));
    if (!verdict.retry || n >= policy.attempts || delayMs > maxRetryAfterMs) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    await wait(delayMs, options.signal);
  }
}

/** Retry-After (delay-seconds or an HTTP-date) in ms; undefined when absent or not a Retry-After. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw = value?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  const at = /^[a-z]{3}, \d\d [a-z]{3} \d{4} \d\d:\d\d:\d\d gmt$/i.test(raw) ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
