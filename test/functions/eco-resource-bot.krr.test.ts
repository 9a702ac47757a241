// KRR `simple` rules as pure functions (anchor: robusta-dev/krr strategies/simple.py, runner.py
// _round_value, models/config.py floors, models/severity.py), table by table.
import { describe, expect, it } from 'vitest';
import {
  KRR_SIMPLE,
  MIB,
  describeRecommended,
  formatCpu,
  formatMemory,
  recommend,
  roundCpu,
  roundMemory,
  severityOf,
  worst,
} from '../../functions/eco-resource-bot/krr.ts';
import type { PodContainerUsage, Recommended } from '../../functions/eco-resource-bot/krr.ts';

const pod = (name: string, cpu: number, mem: number, points = 200): PodContainerUsage => ({
  pod: name,
  cpuPercentile: cpu,
  cpuPoints: points,
  memoryMax: mem,
  memoryPoints: points,
});

describe('rounding (KRR _round_value) and floors', () => {
  it.each([
    [0.2501, 0.251],
    [0.25, 0.25],
    [0.0001, 0.01], // floor 10m
    [0.0101, 0.011],
    [3, 3],
  ])('CPU %d cores -> %d', (raw, want) => expect(roundCpu(raw)).toBe(want));

  it.each([
    [200 * MIB + 1, 201 * MIB],
    [256 * MIB, 256 * MIB],
    [5 * MIB, 100 * MIB], // floor 100Mi
    [0, 100 * MIB],
  ])('memory %d bytes -> %d', (raw, want) => expect(roundMemory(raw)).toBe(want));
});

describe('recommend', () => {
  it('takes the largest pod p95 for CPU and the largest peak × 1.15 for memory; no CPU limit', () => {
    const got = recommend({ usage: [pod('a', 0.2, 300 * MIB), pod('b', 0.35, 200 * MIB)] });
    expect(got.cpuRequest).toEqual({ kind: 'value', value: 0.35 });
    expect(got.cpuLimit).toEqual({ kind: 'unset' });
    expect(got.memoryRequest).toEqual({ kind: 'value', value: Math.ceil((300 * 1.15 * MIB) / MIB) * MIB });
    expect(got.memoryLimit).toEqual(got.memoryRequest);
    expect(got.explanation).toMatchObject({
      cpu: { percentile: 0.95, maxPod: 'b', rawCores: 0.35, points: 400, pods: 2 },
      memory: { maxPod: 'a', peakBytes: 300 * MIB, bufferRatio: 0.15, points: 400, pods: 2 },
    });
  });

  it.each([
    // points per pod, pods, answer?
    [99, 1, false],
    [100, 1, true],
    [50, 2, true], // KRR sums the points over the pods
    [0, 3, false],
  ])('%d points × %d pods: recommendation %s', (points, pods, answered) => {
    const usage = Array.from({ length: pods }, (_, i) => pod(`p${i}`, 0.1, 200 * MIB, points));
    const got = recommend({ usage });
    expect(got.cpuRequest.kind).toBe(answered ? 'value' : 'none');
    expect(got.memoryRequest.kind).toBe(answered ? 'value' : 'none');
  });

  it('says "No data" when Prometheus has no series for the container', () => {
    expect(recommend({ usage: [] }).cpuRequest).toEqual({ kind: 'none', reason: 'No data' });
  });

  it.each([
    [{ cpu: true, memory: false }, false, 'hpa', 'value'],
    [{ cpu: false, memory: true }, false, 'value', 'hpa'],
    [{ cpu: true, memory: true }, true, 'value', 'value'], // --allow-hpa
  ])('HPA on %j (allowHpa %s): cpu %s, memory %s', (hpaScalesOn, allowHpa, cpu, memory) => {
    const got = recommend({ usage: [pod('a', 0.2, 200 * MIB)], hpaScalesOn }, { ...KRR_SIMPLE, allowHpa });
    expect(got.cpuRequest.kind).toBe(cpu);
    expect(got.memoryRequest.kind).toBe(memory);
  });

  it.each([
    // peak, last OOMKill limit, expected memory
    [200 * MIB, 256 * MIB, 320 * MIB], // 256 × 1.25 = 320 > 230
    [400 * MIB, 256 * MIB, 460 * MIB], // 400 × 1.15 = 460 > 320
    [200 * MIB, undefined, 230 * MIB],
  ])('OOMKill-aware: peak %d, last OOM limit %s -> %d', (peak, limit, want) => {
    const got = recommend({
      usage: [pod('a', 0.2, peak)],
      ...(limit === undefined ? {} : { lastOomKillLimitBytes: limit }),
    });
    expect(got.memoryRequest).toEqual({ kind: 'value', value: want });
  });

  it('ignores OOMKill data when the setting is off', () => {
    const got = recommend(
      { usage: [pod('a', 0.2, 200 * MIB)], lastOomKillLimitBytes: 256 * MIB },
      { ...KRR_SIMPLE, useOomKillData: false },
    );
    expect(got.memoryRequest).toEqual({ kind: 'value', value: 230 * MIB });
  });
});

describe('severity (KRR models/severity.py)', () => {
  const value = (n: number): Recommended => ({ kind: 'value', value: n });
  it.each([
    ['cpu', 1, value(0.5), 'CRITICAL'],
    ['cpu', 0.5, value(0.25), 'WARNING'],
    ['cpu', 0.35, value(0.25), 'OK'],
    ['cpu', 0.3, value(0.25), 'GOOD'],
    ['cpu', undefined, value(0.25), 'WARNING'],
    ['cpu', 2, { kind: 'unset' } as Recommended, 'WARNING'], // a CPU limit KRR would remove
    ['cpu', undefined, { kind: 'unset' } as Recommended, 'GOOD'],
    ['cpu', 2, { kind: 'hpa' } as Recommended, 'GOOD'],
    ['memory', 1024 * MIB, value(512 * MIB), 'CRITICAL'],
    ['memory', 512 * MIB, value(256 * MIB), 'WARNING'],
    ['memory', 356 * MIB, value(256 * MIB), 'OK'],
    ['memory', 300 * MIB, value(256 * MIB), 'GOOD'],
    ['memory', 256 * MIB, { kind: 'none', reason: 'No data' } as Recommended, 'GOOD'],
  ] as const)('%s current %s vs %j: %s', (resource, current, recommended, want) => {
    expect(severityOf(resource, current, recommended)).toBe(want);
  });

  it('takes the worst', () => {
    expect(worst('OK', 'CRITICAL', 'WARNING')).toBe('CRITICAL');
    expect(worst()).toBe('GOOD');
  });
});

describe('formatting', () => {
  it.each([
    [0.25, '250m'],
    [1, '1'],
    [0.01, '10m'],
    [2.5, '2500m'],
  ])('cpu %d -> %s', (n, s) => expect(formatCpu(n)).toBe(s));
  it.each([
    [230 * MIB, '230Mi'],
    [1024 * MIB, '1Gi'],
  ])('memory %d -> %s', (n, s) => expect(formatMemory(n)).toBe(s));
  it('describes each kind of answer', () => {
    expect(describeRecommended({ kind: 'hpa' }, formatCpu)).toBe('?');
    expect(describeRecommended({ kind: 'unset' }, formatCpu)).toBe('unset');
    expect(describeRecommended({ kind: 'none', reason: 'No data' }, formatCpu)).toBe('No data');
    expect(describeRecommended({ kind: 'value', value: 0.1 }, formatCpu)).toBe('100m');
  });
});
