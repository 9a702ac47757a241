// eco-efficiency-bot's rules: OpenCost efficiency (usage/request; no request but usage = 100 %;
// cost-weighted total), over-allocated < 50 % and under-allocated > 200 % (Popeye 503-506), money
// wasted, node bin-packing with cluster-autoscaler's 0.5 threshold.
import { describe, expect, it } from 'vitest';
import {
  efficiency,
  nodePacking,
  resourceEfficiency,
  verdict,
  wastedPerHour,
} from '../../functions/eco-efficiency-bot/efficiency.ts';

const GiB = 2 ** 30;
const prices = { cpuCoreHour: 0.031611, ramGiBHour: 0.004237 };

describe('OpenCost efficiency', () => {
  it.each([
    [0.5, 1, 0.5],
    [2, 1, 2],
    [0.3, 0, 1], // no request but usage: 100 %
    [0, 0, 0],
  ])('usage %d / request %d = %d', (usage, request, want) =>
    expect(resourceEfficiency(usage, request)).toBe(want),
  );

  it('weights the total by each resource’s cost (max of request and usage at its price)', () => {
    const got = efficiency(
      { cpuRequestCores: 1, cpuUsageCores: 0.25, memoryRequestBytes: 4 * GiB, memoryUsageBytes: 3 * GiB },
      prices,
    );
    const cpuCost = 1 * 0.031611;
    const ramCost = 4 * 0.004237;
    expect(got.cpu).toBe(0.25);
    expect(got.memory).toBe(0.75);
    expect(got.total).toBeCloseTo((0.25 * cpuCost + 0.75 * ramCost) / (cpuCost + ramCost), 12);
  });

  it.each([
    [0.49, 1, 'over-allocated'],
    [0.5, 1, 'ok'],
    [2, 1, 'ok'],
    [2.01, 1, 'under-allocated'],
    [1, 0, 'no-request'],
  ])('usage %d of request %d: %s', (usage, request, want) => expect(verdict(usage, request)).toBe(want));

  it('counts only requests above usage as wasted', () => {
    const perHour = wastedPerHour(
      { cpuRequestCores: 2, cpuUsageCores: 0.5, memoryRequestBytes: 1 * GiB, memoryUsageBytes: 2 * GiB },
      prices,
    );
    expect(perHour).toBeCloseTo(1.5 * 0.031611, 12);
  });
});

describe('node bin-packing', () => {
  it.each([
    [
      'half CPU, little memory: packed by CPU',
      { cpu: 2, memory: GiB },
      { cpu: 4, memory: 16 * GiB },
      0.5,
      false,
    ],
    [
      'under 50 % on both: a scale-down candidate',
      { cpu: 1, memory: 4 * GiB },
      { cpu: 4, memory: 16 * GiB },
      0.25,
      true,
    ],
    ['memory-bound', { cpu: 0.5, memory: 15 * GiB }, { cpu: 4, memory: 16 * GiB }, 15 / 16, false],
  ])('%s', (_, requested, allocatable, packed, underused) => {
    const got = nodePacking('n1', requested, allocatable);
    expect(got.packed).toBeCloseTo(packed, 12);
    expect(got.underused).toBe(underused);
  });
});
