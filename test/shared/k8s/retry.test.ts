import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, isSafeToRepeat, shouldRetry } from '../../../shared/k8s/retry.ts';

// Backoff and Retry-After parsing are the kit's (test/shared/http/retry.test.ts); this is the
// apiserver-specific part: which requests are safe to repeat.
describe('retry policy', () => {
  it('repeats only requests that cannot do harm when the first attempt may have landed', () => {
    expect(isSafeToRepeat({ method: 'GET', dryRun: false })).toBe(true);
    expect(isSafeToRepeat({ method: 'DELETE', dryRun: false })).toBe(true);
    expect(isSafeToRepeat({ method: 'PUT', dryRun: false })).toBe(true);
    expect(
      isSafeToRepeat({
        method: 'PATCH',
        dryRun: false,
        contentType: 'application/merge-patch+json',
        body: {},
      }),
    ).toBe(true);
    const add = [{ op: 'add', path: '/spec/x/-', value: 1 }];
    expect(
      isSafeToRepeat({
        method: 'PATCH',
        dryRun: false,
        contentType: 'application/json-patch+json',
        body: add,
      }),
    ).toBe(false);
    expect(
      isSafeToRepeat({
        method: 'PATCH',
        dryRun: false,
        contentType: 'application/json-patch+json',
        body: [{ op: 'test', path: '/metadata/resourceVersion', value: '1' }, ...add],
      }),
    ).toBe(true);
    expect(
      isSafeToRepeat({ method: 'POST', dryRun: false, body: { metadata: { generateName: 'x-' } } }),
    ).toBe(false);
    expect(isSafeToRepeat({ method: 'POST', dryRun: false, body: { metadata: { name: 'x' } } })).toBe(true);
    expect(isSafeToRepeat({ method: 'POST', dryRun: true, body: {} })).toBe(true);
  });

  it('retries unprocessed failures for every method, ambiguous ones only when safe', () => {
    const post = { method: 'POST', dryRun: false, body: {} };
    expect(shouldRetry({ kind: 'transport', mayHaveBeenProcessed: false }, post)).toBe(true);
    expect(shouldRetry({ kind: 'transport', mayHaveBeenProcessed: true }, post)).toBe(false);
    expect(shouldRetry({ kind: 'status', status: 429 }, post)).toBe(true);
    expect(shouldRetry({ kind: 'status', status: 429, disruptionBudget: true }, post)).toBe(false);
    expect(shouldRetry({ kind: 'status', status: 503 }, post)).toBe(false);
    expect(shouldRetry({ kind: 'status', status: 503 }, { method: 'GET', dryRun: false })).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 410, 422, 501, 505]) {
      expect(shouldRetry({ kind: 'status', status }, { method: 'GET', dryRun: false })).toBe(false);
    }
    // The kit's retryable statuses (408, 5xx but 501/505) for a request that is safe to repeat.
    for (const status of [408, 507]) {
      expect(shouldRetry({ kind: 'status', status }, { method: 'GET', dryRun: false })).toBe(true);
      expect(shouldRetry({ kind: 'status', status }, post)).toBe(false);
    }
  });

  it('makes 5 attempts by default (4 retries), backoff 200 ms capped at 5 s, Retry-After up to 30 s', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({
      attempts: 5,
      backoffMs: 200,
      maxBackoffMs: 5_000,
      maxRetryAfterMs: 30_000,
    });
  });
});
