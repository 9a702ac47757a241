// Requests and limits checks as pure functions:
// - Polaris' efficiency checks (pkg/config/checks: cpuRequestsMissing, memoryRequestsMissing,
//   cpuLimitsMissing, memoryLimitsMissing; warning each), per container;
// - Kyverno's require-pod-requests-limits (best-practices): every container must set
//   requests.memory, requests.cpu and limits.memory;
// - a namespace's LimitRange defaults compared with the seed tier's requests and limits.

export type Tier = 'small' | 'medium' | 'large';

/** The seed's resource tiers (eco-bot-list.yaml resource_tiers). */
export const SEED_TIERS: Readonly<Record<Tier, { requests: Resources; limits: Resources }>> = Object.freeze({
  small: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
  medium: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  large: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
});

export const TIER_LABEL = 'eco.bsw-arch.org/tier';

export interface Resources {
  cpu?: string;
  memory?: string;
}

export interface ContainerSpec {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export type PolarisCheck =
  'cpuRequestsMissing' | 'memoryRequestsMissing' | 'cpuLimitsMissing' | 'memoryLimitsMissing';

export const POLARIS_CHECKS: readonly PolarisCheck[] = [
  'cpuRequestsMissing',
  'memoryRequestsMissing',
  'cpuLimitsMissing',
  'memoryLimitsMissing',
];

function present(value: string | undefined): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

/** The Polaris checks a container fails. */
export function polarisFailures(container: ContainerSpec): PolarisCheck[] {
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  const failed: PolarisCheck[] = [];
  if (!present(requests['cpu'])) failed.push('cpuRequestsMissing');
  if (!present(requests['memory'])) failed.push('memoryRequestsMissing');
  if (!present(limits['cpu'])) failed.push('cpuLimitsMissing');
  if (!present(limits['memory'])) failed.push('memoryLimitsMissing');
  return failed;
}

/** Kyverno require-pod-requests-limits: the fields (as paths) a container lacks. */
export function kyvernoMissing(container: ContainerSpec): string[] {
  const requests = container.resources?.requests ?? {};
  const limits = container.resources?.limits ?? {};
  const missing: string[] = [];
  if (!present(requests['memory'])) missing.push('resources.requests.memory');
  if (!present(requests['cpu'])) missing.push('resources.requests.cpu');
  if (!present(limits['memory'])) missing.push('resources.limits.memory');
  return missing;
}

/** Polaris' exemptions: `polaris.fairwinds.com/exempt` or `polaris.fairwinds.com/<check>-exempt`. */
export function polarisExempt(
  annotations: Readonly<Record<string, string>> | undefined,
  check: PolarisCheck,
): boolean {
  if (!annotations) return false;
  return (
    annotations['polaris.fairwinds.com/exempt'] === 'true' ||
    annotations[`polaris.fairwinds.com/${check}-exempt`] === 'true'
  );
}

export interface LimitRangeItem {
  type?: string;
  default?: Record<string, string>;
  defaultRequest?: Record<string, string>;
  max?: Record<string, string>;
  min?: Record<string, string>;
}

export interface LimitRangeObject {
  metadata: { name: string; namespace?: string };
  spec?: { limits?: LimitRangeItem[] };
}

/** The Container defaults a namespace's LimitRanges give (first LimitRange with a value wins, by name). */
export function containerDefaults(limitRanges: readonly LimitRangeObject[]): {
  requests: Resources;
  limits: Resources;
  from: string[];
} {
  const sorted = [...limitRanges].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const out: { requests: Resources; limits: Resources; from: string[] } = {
    requests: {},
    limits: {},
    from: [],
  };
  for (const range of sorted) {
    for (const item of range.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      let used = false;
      for (const resource of ['cpu', 'memory'] as const) {
        const request = item.defaultRequest?.[resource];
        const limit = item.default?.[resource];
        if (request !== undefined && out.requests[resource] === undefined) {
          out.requests[resource] = request;
          used = true;
        }
        if (limit !== undefined && out.limits[resource] === undefined) {
          out.limits[resource] = limit;
          used = true;
        }
      }
      if (used && !out.from.includes(range.metadata.name)) out.from.push(range.metadata.name);
    }
  }
  return out;
}

/**
 * Whether a missing field is filled at admission by a LimitRange default (Kubernetes also copies a
 * default limit into a missing request when there is no defaultRequest).
 */
export function coveredByDefaults(
  check: PolarisCheck,
  defaults: { requests: Resources; limits: Resources },
): boolean {
  switch (check) {
    case 'cpuRequestsMissing':
      return defaults.requests.cpu !== undefined || defaults.limits.cpu !== undefined;
    case 'memoryRequestsMissing':
      return defaults.requests.memory !== undefined || defaults.limits.memory !== undefined;
    case 'cpuLimitsMissing':
      return defaults.limits.cpu !== undefined;
    case 'memoryLimitsMissing':
      return defaults.limits.memory !== undefined;
  }
}

/** The LimitRange the bot creates (or patches its defaults to) for a tier. */
export function limitRangeForTier(
  tier: Tier,
  namespace: string,
  name = 'eco-defaults',
): LimitRangeObject & {
  apiVersion: string;
  kind: string;
} {
  const { requests, limits } = SEED_TIERS[tier];
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name, namespace },
    spec: {
      limits: [
        {
          type: 'Container',
          defaultRequest: { cpu: requests.cpu as string, memory: requests.memory as string },
          default: { cpu: limits.cpu as string, memory: limits.memory as string },
        },
      ],
    },
  };
}

/** Which of the tier's four defaults the namespace's LimitRanges lack or set differently. */
export function tierDefaultGaps(
  tier: Tier,
  defaults: { requests: Resources; limits: Resources },
  parse: (quantity: string | undefined) => number | undefined,
): Array<{ field: string; want: string; have?: string }> {
  const want = SEED_TIERS[tier];
  const gaps: Array<{ field: string; want: string; have?: string }> = [];
  for (const [kind, key] of [
    ['requests', 'defaultRequest'],
    ['limits', 'default'],
  ] as const) {
    for (const resource of ['cpu', 'memory'] as const) {
      const wanted = want[kind][resource] as string;
      const have = defaults[kind][resource];
      if (have === undefined) gaps.push({ field: `${key}.${resource}`, want: wanted });
      else if (parse(have) !== parse(wanted)) gaps.push({ field: `${key}.${resource}`, want: wanted, have });
    }
  }
  return gaps;
}

export function parseTier(value: string | undefined): Tier | undefined {
  return value === 'small' || value === 'medium' || value === 'large' ? value : undefined;
}
