// eco-optimize-bot's rules: the mixin's CPUThrottlingHigh (> 25 % of CFS periods), VPA's OOM bump
// (× 1.2, at least + 100 MiB), OOMKilled from the container status, limits that cause throttling.
import { describe, expect, it } from 'vitest';
import {
  limitCausesThrottling,
  oomBump,
  oomKilled,
  suggestedCpuLimit,
  sustainedThrottlingQuery,
  throttled,
  throttlingQuery,
} from '../../functions/eco-optimize-bot/performance.ts';

const MiB = 2 ** 20;

describe('CPUThrottlingHigh', () => {
  it.each([
    [0.25, false],
    [0.2501, true],
    [undefined, false],
    [Number.NaN, false],
  ])('ratio %s throttled: %s', (ratio, want) => expect(throttled(ratio)).toBe(want));

  it("asks the mixin's ratio per container, one query per namespace, sustained 15 minutes", () => {
    expect(throttlingQuery('shop')).toBe(
      'sum(increase(container_cpu_cfs_throttled_periods_total{namespace="shop",container!=""}[5m])) by (namespace, pod, container) / sum(increase(container_cpu_cfs_periods_total{namespace="shop",container!=""}[5m])) by (namespace, pod, container)',
    );
    expect(sustainedThrottlingQuery('shop')).toMatch(/^min_over_time\(\(.*\)\[15m:1m\]\)$/);
  });
});

describe('OOMKilled and the VPA bump', () => {
  it.each([
    [256 * MiB, 356 * MiB], // +100Mi beats ×1.2 (307.2Mi)
    [1024 * MiB, Math.ceil(1024 * 1.2) * MiB], // ×1.2 beats +100Mi
    [500 * MiB, 600 * MiB], // equal at 500Mi
  ])('memory at OOM %d -> %d', (atOom, want) => expect(oomBump(atOom)).toBe(want));

  it.each([
    [
      {
        name: 'a',
        restartCount: 3,
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-12-04T10:00:00Z' } },
      },
      { restartCount: 3, finishedAt: '2026-12-04T10:00:00Z' },
    ],
    [{ name: 'a', state: { terminated: { reason: 'OOMKilled' } } }, { restartCount: 0 }],
    [{ name: 'a', lastState: { terminated: { reason: 'Error', exitCode: 1 } } }, undefined],
    [{ name: 'a' }, undefined],
  ])('%j', (status, want) => expect(oomKilled(status)).toEqual(want));
});

describe('limits that cause throttling', () => {
  it.each([
    [0.4, 0.45, 0.5, true], // throttled and p95 at 90 % of the limit
    [0.4, 0.2, 0.5, false], // throttled but far below the limit: bursts
    [0.1, 0.49, 0.5, false], // not throttled
    [0.4, 0.45, undefined, false], // no limit
  ])('ratio %d, p95 %d, limit %s: %s', (ratio, p95, limit, want) => {
    expect(limitCausesThrottling(ratio, p95, limit)).toBe(want);
  });

  it('suggests a limit that keeps p95 at 80 %, rounded up to 10m', () => {
    expect(suggestedCpuLimit(0.45)).toBe(0.57);
  });
});
