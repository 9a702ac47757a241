// Which cluster-API failures are retried: the apiserver-specific rule on top of the kit's loop
// (shared/http/retry.ts). Kept pure so it is unit-tested without a server.
//
// Rule: a request is retried when repeating it cannot do harm.
// - Failures where the server certainly did not act (connection refused, reset on a reused idle
//   keep-alive socket, 429 throttling, which API Priority and Fairness answers before processing)
//   are retried for every method.
// - Ambiguous failures (reset or timeout after sending, 408 and 5xx but 501/505) are retried only for
//   requests that are safe to repeat: GET/HEAD, PUT and DELETE (they carry a resourceVersion or
//   preconditions, or are naturally idempotent), PATCH except JSON-patch without a `test` op
//   (an `add` to a list would apply twice), and POST when dryRun=All is set or when the body has a
//   fixed metadata.name (a repeat fails with 409 AlreadyExists instead of creating a second object;
//   the error is marked `afterAmbiguousRetry` so the caller can treat it as "ours").
// - 429 for a PodDisruptionBudget refusal (eviction) is a decision, not throttling: not retried.

import { isIdempotentMethod, isRetryableStatus, type RetryPolicy } from '../http/retry.ts';

/** The k8s client's retry policy (the loop and the Retry-After parser are shared/http/retry.ts). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  backoffMs: 200,
  maxBackoffMs: 5_000,
  maxRetryAfterMs: 30_000,
};

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
  // GET/HEAD/PUT/DELETE (and OPTIONS): idempotent by RFC 9110, and writes carry preconditions.
  if (request.dryRun || isIdempotentMethod(method)) return true;
  if (method === 'PATCH') {
    return (
      request.contentType !== 'application/json-patch+json' ||
      (Array.isArray(request.body) && request.body.some((op) => isRecord(op) && op.op === 'test'))
    );
  }
  const metadata = method === 'POST' && isRecord(request.body) ? request.body.metadata : undefined;
  return isRecord(metadata) && typeof metadata.name === 'string' && metadata.name !== '';
}

export type K8sOutcome =
  | { kind: 'status'; status: number; disruptionBudget?: boolean }
  | { kind: 'transport'; mayHaveBeenProcessed: boolean };

/** Whether to try again after this outcome. */
export function shouldRetry(outcome: K8sOutcome, request: RequestShape): boolean {
  if (outcome.kind === 'transport') {
    return !outcome.mayHaveBeenProcessed || isSafeToRepeat(request);
  }
  if (outcome.status === 429) return !outcome.disruptionBudget;
  return isRetryableStatus(outcome.status) && isSafeToRepeat(request);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
