// eco-quota-bot's rules: the kubernetes-mixin quota alerts (KubeQuotaAlmostFull > 90 % and < 100 %,
// KubeQuotaFullyUsed = 100 %, KubeQuotaExceeded > 100 %) and the raise within a tier's bounds.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIER_BOUNDS,
  formatQuota,
  proposedHard,
  quotaLines,
  quotaState,
} from '../../functions/eco-quota-bot/quota.ts';
import { parseQuantity } from '../../shared/k8s/quantity.ts';

describe('quota state (kubernetes-mixin)', () => {
  it.each([
    [0, 10, 'ok'],
    [9, 10, 'ok'], // exactly 90 %: the mixin's > 0.9 is not met
    [9.1, 10, 'almost-full'],
    [10, 10, 'full'],
    [11, 10, 'exceeded'],
    [0, 0, 'full'],
    [1, 0, 'exceeded'],
    [0.1 + 0.2, 0.3, 'full'], // float sums do not make a full quota look exceeded
  ])('%d used of %d: %s', (used, hard, state) => expect(quotaState(used, hard)).toBe(state));

  it('reads a quota status: quantities parsed, resources missing from used count as 0, sorted', () => {
    const lines = quotaLines(
      {
        hard: { 'requests.memory': '1Gi', 'requests.cpu': '2', pods: '10' },
        used: { 'requests.cpu': '1900m', 'requests.memory': '1Gi' },
      },
      parseQuantity,
    );
    expect(lines.map((l) => [l.resource, l.state, l.usedText, l.hardText])).toEqual([
      ['pods', 'ok', '0', '10'],
      ['requests.cpu', 'almost-full', '1900m', '2'],
      ['requests.memory', 'full', '1Gi', '1Gi'],
    ]);
    expect(lines[1]?.ratio).toBeCloseTo(0.95, 12);
  });
});

describe('raising within the tier bounds', () => {
  const line = (resource: string, used: number, hard: number) => ({
    resource,
    used,
    hard,
    ratio: used / hard,
    state: quotaState(used, hard),
    usedText: '',
    hardText: '',
  });
  const Gi = 2 ** 30;
  it.each([
    ['cpu 1.9 of 2 -> 3 (used / 0.8 = 2.375, whole cores)', line('requests.cpu', 1.9, 2), 4, 3],
    ['cpu capped by the bound', line('requests.cpu', 3.8, 4), 4, undefined],
    ['cpu below one core in 100m steps', line('requests.cpu', 0.5, 0.5), 4, 0.7],
    [
      'memory to 256Mi steps (1Gi / 0.8 = 1280Mi)',
      line('requests.memory', 1 * Gi, 1 * Gi),
      8 * Gi,
      1.25 * Gi,
    ],
    [
      'memory rounded up to the next 256Mi',
      line('requests.memory', 1000 * 2 ** 20, 1000 * 2 ** 20),
      8 * Gi,
      1280 * 2 ** 20,
    ],
    ['pods over the quota', line('pods', 12, 10), 50, 15],
    ['an ok line is left alone', line('pods', 5, 10), 50, undefined],
    ['no bound for the resource: no raise', line('count/secrets', 10, 10), undefined, undefined],
  ])('%s', (_, quotaLine, bound, want) => {
    expect(proposedHard(quotaLine, bound)).toBe(want);
  });

  it('has bounds per tier that grow with the tier', () => {
    expect(DEFAULT_TIER_BOUNDS.small['requests.cpu']).toBeLessThan(
      DEFAULT_TIER_BOUNDS.medium['requests.cpu'] as number,
    );
    expect(DEFAULT_TIER_BOUNDS.medium['requests.cpu']).toBeLessThan(
      DEFAULT_TIER_BOUNDS.large['requests.cpu'] as number,
    );
  });

  it.each([
    ['requests.cpu', 3, '3'],
    ['requests.cpu', 0.7, '700m'],
    ['requests.memory', 2 * Gi, '2Gi'],
    ['requests.memory', 1.5 * Gi, '1536Mi'],
    ['pods', 15, '15'],
  ])('formats %s %d as %s', (resource, value, text) => expect(formatQuota(resource, value)).toBe(text));
});
