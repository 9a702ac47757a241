import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  isSafeToRepeat,
  parseRetryAfter,
  shouldRetry,
} from '../../../shared/k8s/retry.ts';

describe('retry policy', () => {
  it('keeps full-jitter backoff within [0, min(cap, base*2^n)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          const delay = backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => r);
          const ceiling = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** attempt,
          );
          return delay >= 0 && delay <= ceiling;
        },
      ),
    );
  });

  it('parses Retry-After seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(['1'])).toBe(1000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

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
    for (const status of [400, 401, 403, 404, 409, 410, 422]) {
      expect(shouldRetry({ kind: 'status', status }, { method: 'GET', dryRun: false })).toBe(false);
    }
  });
});
