// eco-limit-bot's rules: Polaris' four efficiency checks (cpu/memory requests/limits missing),
// Kyverno require-pod-requests-limits (requests.memory, requests.cpu, limits.memory), LimitRange
// defaults and the seed tiers.
import { describe, expect, it } from 'vitest';
import {
  SEED_TIERS,
  containerDefaults,
  coveredByDefaults,
  kyvernoMissing,
  limitRangeForTier,
  polarisExempt,
  polarisFailures,
  tierDefaultGaps,
} from '../../functions/eco-limit-bot/checks.ts';
import { parseQuantity } from '../../shared/k8s/quantity.ts';

describe("Polaris' efficiency checks and Kyverno's require-pod-requests-limits", () => {
  it.each([
    [
      'nothing set',
      {},
      ['cpuRequestsMissing', 'memoryRequestsMissing', 'cpuLimitsMissing', 'memoryLimitsMissing'],
      ['resources.requests.memory', 'resources.requests.cpu', 'resources.limits.memory'],
    ],
    ['all set', { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } }, [], []],
    [
      'no CPU limit (Kyverno does not require one)',
      { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      ['cpuLimitsMissing'],
      [],
    ],
    [
      'empty strings count as missing',
      { requests: { cpu: '', memory: '64Mi' }, limits: { cpu: '1', memory: ' ' } },
      ['cpuRequestsMissing', 'memoryLimitsMissing'],
      ['resources.requests.cpu', 'resources.limits.memory'],
    ],
    [
      'limits only',
      { limits: { cpu: '1', memory: '1Gi' } },
      ['cpuRequestsMissing', 'memoryRequestsMissing'],
      ['resources.requests.memory', 'resources.requests.cpu'],
    ],
  ])('%s', (_, resources, polaris, kyverno) => {
    const container = { name: 'app', resources };
    expect(polarisFailures(container)).toEqual(polaris);
    expect(kyvernoMissing(container)).toEqual(kyverno);
  });

  it.each([
    [{ 'polaris.fairwinds.com/exempt': 'true' }, 'cpuLimitsMissing', true],
    [{ 'polaris.fairwinds.com/cpuLimitsMissing-exempt': 'true' }, 'cpuLimitsMissing', true],
    [{ 'polaris.fairwinds.com/cpuLimitsMissing-exempt': 'true' }, 'memoryLimitsMissing', false],
    [undefined, 'cpuLimitsMissing', false],
  ] as const)('exemption %j for %s: %s', (annotations, check, exempt) => {
    expect(polarisExempt(annotations, check)).toBe(exempt);
  });
});

describe('LimitRange defaults', () => {
  const ranges = [
    { metadata: { name: 'b-mem' }, spec: { limits: [{ type: 'Container', default: { memory: '512Mi' } }] } },
    {
      metadata: { name: 'a-cpu' },
      spec: {
        limits: [
          { type: 'Container', defaultRequest: { cpu: '100m' }, default: { cpu: '200m' } },
          { type: 'Pod', max: { cpu: '4' } },
        ],
      },
    },
  ];

  it('merges the Container defaults of all LimitRanges (by name order)', () => {
    expect(containerDefaults(ranges)).toEqual({
      requests: { cpu: '100m' },
      limits: { cpu: '200m', memory: '512Mi' },
      from: ['a-cpu', 'b-mem'],
    });
  });

  it.each([
    ['cpuRequestsMissing', true],
    ['memoryRequestsMissing', true], // a default limit becomes the request when no defaultRequest
    ['cpuLimitsMissing', true],
    ['memoryLimitsMissing', true],
  ] as const)('%s covered: %s', (check, covered) => {
    expect(coveredByDefaults(check, containerDefaults(ranges))).toBe(covered);
  });

  it('is not covered without defaults', () => {
    expect(coveredByDefaults('cpuRequestsMissing', containerDefaults([]))).toBe(false);
  });

  it.each(['small', 'medium', 'large'] as const)(
    'the %s tier LimitRange carries the seed numbers',
    (tier) => {
      const range = limitRangeForTier(tier, 'team-a');
      expect(range.spec?.limits?.[0]).toEqual({
        type: 'Container',
        defaultRequest: SEED_TIERS[tier].requests,
        default: SEED_TIERS[tier].limits,
      });
      expect(SEED_TIERS.small).toEqual({
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '200m', memory: '256Mi' },
      });
      expect(tierDefaultGaps(tier, containerDefaults([range]), parseQuantity)).toEqual([]);
    },
  );

  it('lists what a namespace lacks or sets differently from its tier (0.1 equals 100m)', () => {
    const defaults = { requests: { cpu: '0.1' }, limits: { cpu: '300m' } };
    expect(tierDefaultGaps('small', defaults, parseQuantity)).toEqual([
      { field: 'defaultRequest.memory', want: '128Mi' },
      { field: 'default.cpu', want: '200m', have: '300m' },
      { field: 'default.memory', want: '256Mi' },
    ]);
  });
});
