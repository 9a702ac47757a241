// The registry client's only retry. Kept to this one function so the fleet's shared retry module
// (shared/http/retry.ts, being written separately) can replace it in one place.
//
// GET and HEAD are retried on a network error, 429 and 5xx (not 501): repeating a read is harmless.
// DELETE is retried only on a 429 or 503 (answered before acting) and on a refused connection: a
// repeat after an ambiguous failure would answer 404 for a delete that did happen.

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server's Retry-After. */
  maxRetryAfterMs: number;
}

export const DEFAULT_REGISTRY_RETRY: RetryOptions = {
  attempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 10_000,
};

export async function sendWithRetry(
  method: string,
  send: () => Promise<Response>,
  options: RetryOptions,
  signal?: AbortSignal,
): Promise<Response> {
  const read = method === 'GET' || method === 'HEAD';
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= options.attempts;
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      const refused = errnoOf(error) === 'ECONNREFUSED';
      if (last || signal?.aborted || !(read || refused)) throw error;
      await sleep(backoff(attempt, options), signal);
      continue;
    }
    const status = response.status;
    const retryable = read
      ? status === 429 || (status >= 500 && status !== 501)
      : status === 429 || status === 503;
    if (!retryable || last || signal?.aborted) return response;
    const retryAfter = retryAfterMs(response.headers.get('retry-after'));
    await response.body?.cancel().catch(() => undefined);
    await sleep(
      retryAfter !== undefined ? Math.min(retryAfter, options.maxRetryAfterMs) : backoff(attempt, options),
      signal,
    );
  }
}

/** Full-jitter exponential backoff. */
function backoff(attempt: number, options: RetryOptions): number {
  return Math.floor(Math.random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1)));
}

function retryAfterMs(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
