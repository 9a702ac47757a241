// Retries with capped exponential backoff and full jitter, the same policy the kit uses for K_SINK,
// so an OpenFaaS gateway that is restarting or shedding load (429) gets the same patience.

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

export type AttemptOutcome =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; status?: number; retryAfterMs?: number; error: string };

export interface RetryResult {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/** Longest Retry-After we honour: Alertmanager's own retry is the better place for longer waits. */
const MAX_RETRY_AFTER_MS = 30_000;

export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** HTTP statuses worth another attempt: the server may recover (5xx), or asked us to slow down. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function withRetries(
  attempt: (timeout: AbortSignal) => Promise<AttemptOutcome>,
  policy: RetryPolicy,
  signal: AbortSignal,
): Promise<RetryResult> {
  let last: AttemptOutcome = { ok: false, retryable: false, error: 'not attempted' };
  let n = 0;
  while (n < policy.attempts && !signal.aborted) {
    n += 1;
    last = await attempt(AbortSignal.any([signal, AbortSignal.timeout(policy.timeoutMs)]));
    if (last.ok) return { ok: true, attempts: n, status: last.status };
    if (!last.retryable || n >= policy.attempts) break;
    const exp = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (n - 1));
    await sleep(last.retryAfterMs ?? Math.random() * exp, signal);
  }
  const result: RetryResult = {
    ok: false,
    attempts: n,
    error: last.ok ? '' : n === 0 ? 'aborted' : last.error,
  };
  if (!last.ok && last.status !== undefined) result.status = last.status;
  return result;
}
