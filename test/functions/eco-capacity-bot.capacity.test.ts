// eco-capacity-bot's rules: headroom, pods that fit, the least-squares trend and days to
// exhaustion, the mixin's overcommit (requests > allocatable − largest node), Popeye 602-605.
import { describe, expect, it } from 'vitest';
import {
  allHpasBurst,
  clusterHeadroom,
  daysUntil,
  headroom,
  hpaBurst,
  linearTrend,
  overcommitted,
  podsThatFit,
} from '../../functions/eco-capacity-bot/capacity.ts';
import type { NodeCapacity } from '../../functions/eco-capacity-bot/capacity.ts';

const GiB = 2 ** 30;
const node = (
  name: string,
  cpu: number,
  memGiB: number,
  reqCpu: number,
  reqMemGiB: number,
  pods = 110,
  reqPods = 10,
  schedulable = true,
): NodeCapacity => ({
  name,
  allocatable: { cpu, memory: memGiB * GiB, pods },
  requested: { cpu: reqCpu, memory: reqMemGiB * GiB, pods: reqPods },
  schedulable,
});
const nodes = [node('a', 4, 16, 3, 4), node('b', 4, 16, 1, 14), node('c', 8, 32, 8, 32, 110, 110, false)];

describe('headroom and what fits', () => {
  it('is allocatable − requests, never negative, cluster total over schedulable nodes', () => {
    expect(headroom(node('x', 2, 4, 3, 1))).toEqual({ cpu: 0, memory: 3 * GiB, pods: 100 });
    const cluster = clusterHeadroom(nodes);
    expect(cluster.cpu).toBe(4);
    expect(cluster.memory).toBe(14 * GiB);
    expect(cluster.allocatable.cpu).toBe(8);
  });

  it.each([
    // pod size, fits: per node min(cpu, memory, pods)
    [{ cpu: 0.5, memory: 1 * GiB }, 2 + 2], // a: cpu 1/0.5=2, mem 12; b: cpu 6, mem 2
    [{ cpu: 1, memory: 4 * GiB }, 1 + 0],
    [{ cpu: 0.1, memory: 0 }, 10 + 30],
    [{ cpu: 5, memory: 1 * GiB }, 0],
  ])('pods of %j: %d more fit (a pod does not span nodes)', (size, want) => {
    expect(podsThatFit(nodes, size)).toBe(want);
  });

  it('respects free pod slots', () => {
    expect(podsThatFit([node('p', 64, 256, 0, 0, 110, 108)], { cpu: 0.1, memory: GiB })).toBe(2);
  });
});

describe('trend', () => {
  it('fits a least-squares line and counts the days to the limit', () => {
    const day = 86_400;
    const t0 = 1_790_000_000;
    // 10 cores requested growing by 0.5 a day, with noise that cancels out.
    const points = Array.from(
      { length: 15 },
      (_, i) => [t0 + i * day, 10 + 0.5 * i + (i % 2 === 0 ? 0.1 : -0.1)] as const,
    );
    const trend = linearTrend(points);
    expect(trend?.slopePerDay).toBeCloseTo(0.5, 2);
    expect(daysUntil(trend!, 20)).toBeCloseTo((20 - trend!.current) / trend!.slopePerDay, 9);
    expect(daysUntil(trend!, 20)).toBeGreaterThan(5.5);
    expect(daysUntil(trend!, 20)).toBeLessThan(6.5);
  });

  it.each([
    [[[1, 1]] as const, undefined],
    [
      [
        [1, 1],
        [1, 2],
      ] as const,
      undefined,
    ],
  ])('needs two distinct times', (points, want) => {
    expect(linearTrend(points)).toBe(want);
  });

  it('never exhausts on a flat or falling trend', () => {
    expect(daysUntil({ slopePerDay: 0, current: 1, points: 2 }, 10)).toBeUndefined();
    expect(daysUntil({ slopePerDay: -1, current: 1, points: 2 }, 10)).toBeUndefined();
  });
});

describe('kubernetes-mixin overcommit and Popeye HPA bursts', () => {
  it('tolerates losing the largest node: memory 8Gi requested of 2 × 16Gi is fine', () => {
    const got = overcommitted([node('a', 4, 16, 1, 4), node('b', 4, 16, 1, 4)], 'memory');
    expect(got).toEqual({ overcommitted: false, requested: 8 * GiB, tolerable: 16 * GiB });
  });

  it('flags 4.5 cores requested on two 4-core nodes and not 4', () => {
    expect(overcommitted([node('a', 4, 16, 3, 4), node('b', 4, 16, 1, 4)], 'cpu').overcommitted).toBe(false);
    expect(overcommitted([node('a', 4, 16, 3, 4), node('b', 4, 16, 1.5, 4)], 'cpu').overcommitted).toBe(true);
  });

  it('compares one HPA at max, and all at max together, with the free capacity', () => {
    const free = { cpu: 4, memory: 8 * GiB };
    const web = {
      namespace: 'shop',
      name: 'web',
      maxReplicas: 10,
      currentReplicas: 4,
      podRequests: { cpu: 0.5, memory: 1 * GiB },
    };
    const api = {
      namespace: 'shop',
      name: 'api',
      maxReplicas: 6,
      currentReplicas: 2,
      podRequests: { cpu: 0.25, memory: 0.5 * GiB },
    };
    expect(hpaBurst(web, free)).toEqual({
      extraCpu: 3,
      extraMemory: 6 * GiB,
      cpuExceeds: false,
      memoryExceeds: false,
    });
    expect(allHpasBurst([web, api], free)).toEqual({
      extraCpu: 4,
      extraMemory: 8 * GiB,
      cpuExceeds: false,
      memoryExceeds: false,
    });
    expect(allHpasBurst([web, { ...api, maxReplicas: 7 }], free).cpuExceeds).toBe(true);
  });
});
