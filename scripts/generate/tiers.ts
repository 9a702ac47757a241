import type { Tier } from '../../shared/bot/types.ts';

/** Kubernetes quantities for one container. */
export interface Resources {
  memory: string;
  cpu: string;
}

export interface TierSpec {
  requests: Resources;
  limits: Resources;
  /** Most replicas one bot may scale to (OpenFaaS CE caps this at 5). */
  maxScale: number;
  /** Knative containerConcurrency and autoscaling target: in-flight requests per replica. */
  concurrency: number;
  /**
   * NODE_OPTIONS for the tier, when one needs any: the manifests set it, and the image writes its V8
   * code cache with it (build arg ECO_NODE_OPTIONS). None does today (see small).
   */
  nodeOptions?: string;
}

/**
 * The seed's three tiers. The seed only fixes "small requests 128 Mi"; the rest is our choice,
 * each tier doubling the one below, limits at twice the requests so a scan can burst.
 */
export const TIERS: Readonly<Record<Tier, TierSpec>> = {
  small: {
    requests: { memory: '128Mi', cpu: '100m' },
    limits: { memory: '256Mi', cpu: '200m' },
    maxScale: 3,
    concurrency: 10,
    // No heap flags: Node sizes V8's heap from the pod's memory limit (eco-alert-bot under 50
    // connections peaks at 66.5 MiB in a 256 MiB cgroup without flags, 118 MiB on a 24 GiB machine),
    // and any V8 flag costs ~8 ms of every cold start, because Node's own built-in code cache is only
    // accepted with the flags Node was built with.
  },
  medium: {
    requests: { memory: '256Mi', cpu: '250m' },
    limits: { memory: '512Mi', cpu: '500m' },
    maxScale: 5,
    concurrency: 10,
  },
  large: {
    requests: { memory: '512Mi', cpu: '500m' },
    limits: { memory: '1Gi', cpu: '1000m' },
    maxScale: 5,
    concurrency: 5,
  },
};

export const TIER_ORDER: readonly Tier[] = ['small', 'medium', 'large'];

/** The larger of two tiers (a CE group function runs all its bots in one container). */
export function maxTier(tiers: Iterable<Tier>): Tier {
  let best: Tier = 'small';
  for (const tier of tiers) if (TIER_ORDER.indexOf(tier) > TIER_ORDER.indexOf(best)) best = tier;
  return best;
}

/**
 * Namespace sizing for OpenTofu's `resource_tier` (the seed's eco-namespace-setup): the quota a
 * whole fleet namespace gets. Independent of the per-bot tiers above.
 */
export interface NamespaceTier {
  requestsCpu: string;
  requestsMemory: string;
  limitsCpu: string;
  limitsMemory: string;
  pods: number;
}

export const NAMESPACE_TIERS: Readonly<Record<Tier, NamespaceTier>> = {
  small: { requestsCpu: '2', requestsMemory: '4Gi', limitsCpu: '4', limitsMemory: '8Gi', pods: 30 },
  medium: { requestsCpu: '6', requestsMemory: '12Gi', limitsCpu: '12', limitsMemory: '24Gi', pods: 80 },
  large: { requestsCpu: '16', requestsMemory: '32Gi', limitsCpu: '32', limitsMemory: '64Gi', pods: 200 },
};

const MEMORY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

/** Bytes of a memory quantity in Ki/Mi/Gi (the only forms this file uses). */
export function memoryBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unsupported memory quantity ${quantity}`);
  return Number(match[1]) * (MEMORY_UNITS[match[2] ?? ''] ?? 1);
}

/** Millicores of a CPU quantity (`250m` or whole cores `2`). */
export function cpuMillis(quantity: string): number {
  const match = /^(\d+)(m?)$/.exec(quantity);
  if (!match) throw new Error(`unsupported cpu quantity ${quantity}`);
  return match[2] === 'm' ? Number(match[1]) : Number(match[1]) * 1000;
}
