// The one retry loop: capped exponential backoff with full jitter, Retry-After honoured up to a cap,
// an attempts limit, a per-attempt timeout and an AbortSignal that ends any wait at once. What is
// worth repeating is the caller's call (`classify`); `httpVerdict` is the rule for plain HTTP.
//
// A Retry-After longer than `maxRetryAfterMs` ends the retries (the last outcome is returned or
// thrown) instead of waiting the cap: coming back before the time the server named is against RFC
// 9110's "ought to wait" and mostly earns another 429/503 while spending the caller's deadline. A
// long wait belongs to the caller's own caller (Alertmanager's resend, Knative delivery, the next
// cron run), which a prompt failure hands it to.
import { parseRetryAfter } from './retry-after.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included (>= 1). */
  attempts: number;
  /** The first retry waits a uniform [0, backoffMs]; each further one doubles the ceiling. */
  backoffMs: number;
  /** Ceiling of the exponential backoff. */
  maxBackoffMs: number;
  /** Abort each attempt's signal after this long; unset or 0: no per-attempt timeout. */
  timeoutMs?: number;
  /** Longest server-requested wait honoured; a longer Retry-After gives up. Default 30 s. */
  maxRetryAfterMs?: number;
}

export const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;

/** What an attempt produced: a value (possibly an HTTP error response) or a thrown error. */
export type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Whether to try again; `retryAfterMs` (a server's Retry-After) replaces the backoff delay. */
export interface Verdict {
  retry: boolean;
  retryAfterMs?: number | undefined;
}

export interface RetryInfo<T> {
  /** The attempt that just failed (1-based). */
  attempt: number;
  delayMs: number;
  outcome: AttemptOutcome<T>;
}

export interface RetryOptions<T> {
  /** Stops the loop: rejects at once with signal.reason, also during a wait. */
  signal?: AbortSignal | undefined;
  /** Called before each wait (logging, counting attempts). */
  onRetry?: ((info: RetryInfo<T>) => void) | undefined;
  /** Injectable for tests; defaults: a timer that the signal cuts short, Math.random, AbortSignal.timeout. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  random?: (() => number) | undefined;
  timeout?: ((ms: number) => AbortSignal) | undefined;
}

/** Full jitter (AWS architecture blog): uniform in [0, min(maxBackoffMs, backoffMs * 2^(retry-1))]. */
export function backoffDelay(
  retry: number,
  policy: Pick<RetryPolicy, 'backoffMs' | 'maxBackoffMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (retry - 1));
  return Math.round(random() * ceiling);
}

/** Resolves after `ms`, or at once when `signal` aborts (the loop then rejects with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    // No { once }: `done` removes itself, whichever of timer and abort comes first.
    signal?.addEventListener('abort', done);
  });
}

/**
 * Runs `attempt` until it succeeds, `classify` says no, the attempts run out, a Retry-After exceeds
 * the cap, or `options.signal` aborts. Resolves with the last value (which may be an HTTP error
 * response the caller inspects) or rejects with the last error; an abort rejects with signal.reason.
 * `attempt` gets its 1-based number and a signal that aborts on the outer signal or its timeout.
 */
export async function retry<T>(
  attempt: (n: number, signal: AbortSignal) => Promise<T>,
  classify: (outcome: AttemptOutcome<T>) => Verdict,
  policy: RetryPolicy,
  options: RetryOptions<T> = {},
): Promise<T> {
  const { signal } = options;
  const wait = options.sleep ?? sleep;
  // The literal, not DEFAULT_MAX_RETRY_AFTER_MS: one module-level binding fewer in every bundle.
  const maxRetryAfterMs = policy.maxRetryAfterMs ?? 30_000;
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    const signals = [signal, policy.timeoutMs && (options.timeout ?? AbortSignal.timeout)(policy.timeoutMs)];
    let outcome: AttemptOutcome<T>;
    try {
      outcome = { ok: true, value: await attempt(n, AbortSignal.any(signals.filter((s) => !!s))) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    signal?.throwIfAborted();
    const verdict = classify(outcome);
    const after = verdict.retryAfterMs;
    const delayMs = after ?? backoffDelay(n, policy, options.random);
    // Only the server's wait is judged against the cap: our own backoff has its own ceiling.
    if (!verdict.retry || n >= policy.attempts || (after ?? 0) > maxRetryAfterMs) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    options.onRetry?.({ attempt: n, delayMs, outcome });
    await wait(delayMs, signal);
  }
}

/** Statuses worth another attempt: 408, 429 and 5xx except 501 and 505 (those will not change). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** RFC 9110 9.2.2: methods whose repetition has the effect of one request. */
export function isIdempotentMethod(method: string): boolean {
  return /^(GET|HEAD|OPTIONS|TRACE|PUT|DELETE)$/i.test(method);
}

/** The parts of a fetch Response the verdict reads. */
export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
}

/**
 * The plain-HTTP rule: a network error or a retryable status is retried when the request is
 * idempotent or the caller says repeating it is harmless (`safeToRepeat`: a CloudEvent a receiver
 * dedupes by id, a create with a fixed name); a Retry-After on the response sets the wait.
 */
export function httpVerdict(
  outcome: AttemptOutcome<ResponseLike>,
  request: { method: string; safeToRepeat?: boolean | undefined },
  now?: Date | number,
): Verdict {
  const repeatable = request.safeToRepeat === true || isIdempotentMethod(request.method);
  if (!outcome.ok) return { retry: repeatable };
  const { status, headers } = outcome.value;
  if (status < 400 || !repeatable || !isRetryableStatus(status)) return { retry: false };
  return { retry: true, retryAfterMs: parseRetryAfter(headers.get('retry-after'), now) };
}

/** RequestInit without `signal` (pass it as `options.signal`), with a required method. */
export type RetryingFetchInit = Omit<RequestInit, 'signal' | 'method'> & {
  method: string;
  safeToRepeat?: boolean;
};

/**
 * fetch with `retry` and `httpVerdict`: resolves with the last Response (check `ok`: a 4xx, or a
 * 5xx after the last attempt, resolves too), rejects with the last network error or the abort
 * reason. The bodies of responses it retries are drained so their connections are reused.
 */
export function fetchWithRetry(
  url: string | URL,
  init: RetryingFetchInit,
  policy: RetryPolicy,
  options: RetryOptions<Response> & { fetch?: typeof fetch | undefined } = {},
): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  // `safeToRepeat` travels to fetch too, which ignores it.
  return retry(
    (_n, signal) => doFetch(url, { ...init, signal }),
    (outcome) => httpVerdict(outcome, init),
    policy,
    {
      ...options,
      onRetry: (info) => {
        if (info.outcome.ok) void info.outcome.value.arrayBuffer().catch(() => undefined);
        options.onRetry?.(info);
      },
    },
  );
}
