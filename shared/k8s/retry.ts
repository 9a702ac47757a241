// Which failures are retried, and how long to wait. Kept pure so it is unit-tested without a server.
//
// Rule: a request is retried when repeating it cannot do harm.
// - Failures where the server certainly did not act (connection refused, reset on a reused idle
//   keep-alive socket, 429 throttling, which API Priority and Fairness answers before processing)
//   are retried for every method.
// - Ambiguous failures (reset or timeout after sending, 500/502/503/504) are retried only for
//   requests that are safe to repeat: GET/HEAD, PUT and DELETE (they carry a resourceVersion or
//   preconditions, or are naturally idempotent), PATCH except JSON-patch without a `test` op
//   (an `add` to a list would apply twice), and POST when dryRun=All is set or when the body has a
//   fixed metadata.name (a repeat fails with 409 AlreadyExists instead of creating a second object;
//   the error is marked `afterAmbiguousRetry` so the caller can treat it as "ours").
// - 429 for a PodDisruptionBudget refusal (eviction) is a decision, not throttling: not retried.

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound for a server-provided Retry-After. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

/** "Full jitter" exponential backoff (AWS architecture blog): uniform in [0, min(cap, base*2^attempt)]. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Retry-After as delta-seconds or an HTTP date, in ms; undefined when absent or unparsable. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw.trim()) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface RequestShape {
  method: string;
  /** Query has dryRun=All. */
  dryRun: boolean;
  contentType?: string | undefined;
  /** Parsed body, for POST/PATCH inspection. */
  body?: unknown;
}

/** Whether repeating the request is harmless even if the first attempt was applied. */
export function isSafeToRepeat(request: RequestShape): boolean {
  const method = request.method.toUpperCase();
  if (request.dryRun) return true;
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'PUT':
    case 'DELETE':
      return true;
    case 'PATCH':
      if (request.contentType === 'application/json-patch+json') {
        return Array.isArray(request.body) && request.body.some((op) => isRecord(op) && op.op === 'test');
      }
      return true;
    case 'POST': {
      const metadata = isRecord(request.body) ? request.body.metadata : undefined;
      return isRecord(metadata) && typeof metadata.name === 'string' && metadata.name !== '';
    }
    default:
      return false;
  }
}

export type Outcome =
  | { kind: 'status'; status: number; disruptionBudget?: boolean }
  | { kind: 'transport'; mayHaveBeenProcessed: boolean };

/** Whether to try again after this outcome. */
export function shouldRetry(outcome: Outcome, request: RequestShape): boolean {
  if (outcome.kind === 'transport') {
    return !outcome.mayHaveBeenProcessed || isSafeToRepeat(request);
  }
  if (outcome.status === 429) return !outcome.disruptionBudget;
  if (outcome.status === 500 || outcome.status === 502 || outcome.status === 503 || outcome.status === 504) {
    return isSafeToRepeat(request);
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
