// The registry client's retries, on the fleet's one retry loop (shared/http/retry.ts). Only the
// verdict is the registry's own: GET and HEAD follow the plain-HTTP rule (network errors, 408, 429,
// 5xx but 501/505; Retry-After honoured). DELETE is retried only when the registry certainly did
// not act: a refused connection, 429 or 503; a repeat after an ambiguous failure would answer 404 for
// a delete that did happen.
import { parseRetryAfter } from '../http/retry-after.ts';
import { httpVerdict, retry, type AttemptOutcome, type Verdict } from '../http/retry.ts';

export interface RegistryRetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this ends the retries. */
  maxRetryAfterMs: number;
}

export const DEFAULT_REGISTRY_RETRY: RegistryRetryOptions = {
  attempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 10_000,
};

export function registryVerdict(outcome: AttemptOutcome<Response>, method: string): Verdict {
  if (method === 'GET' || method === 'HEAD') return httpVerdict(outcome, { method });
  if (!outcome.ok) return { retry: errnoOf(outcome.error) === 'ECONNREFUSED' };
  const { status, headers } = outcome.value;
  if (status !== 429 && status !== 503) return { retry: false };
  return { retry: true, retryAfterMs: parseRetryAfter(headers.get('retry-after')) };
}

/**
 * Sends with retries. `send` gets each attempt's signal (the caller's, plus the per-attempt
 * timeout). Resolves with the last response (check its status), rejects with the last network
 * error or the caller's abort reason.
 */
export function sendWithRetry(
  method: string,
  send: (signal: AbortSignal) => Promise<Response>,
  options: RegistryRetryOptions & { timeoutMs: number },
  signal?: AbortSignal,
): Promise<Response> {
  return retry(
    (_attempt, attemptSignal) => send(attemptSignal),
    (outcome) => registryVerdict(outcome, method),
    {
      attempts: options.attempts,
      backoffMs: options.baseDelayMs,
      maxBackoffMs: options.maxDelayMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
      timeoutMs: options.timeoutMs,
    },
    {
      signal,
      // Drain a retried response so its connection is reused.
      onRetry: (info) => {
        if (info.outcome.ok) void info.outcome.value.arrayBuffer().catch(() => undefined);
      },
    },
  );
}

/** Node's fetch wraps the socket error in `cause`. */
export function errnoOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
