// A tenant's baseline, as Kyverno's best-practices generate it when a namespace is created
// (add-ns-quota: ResourceQuota + LimitRange; add-network-policy + add-networkpolicy-dns: default deny
// with DNS egress; add-rolebinding: the owner's group gets `edit`), sized from the seed's resource
// tiers (configs/eco-bot-list.yaml `resource_tiers`: per-container requests/limits/storage).
// eco-provision-bot creates these objects; eco-namespace-bot checks for them and creates the missing
// ones: one definition here so both agree on what a tenant is.
import type { KubeObject } from '../k8s/types.ts';

export const TENANT_TIERS = ['small', 'medium', 'large'] as const;
export type TenantTier = (typeof TENANT_TIERS)[number];

export const TENANT_LABELS = Object.freeze({
  owner: 'eco.bsw-arch.org/owner',
  tier: 'eco.bsw-arch.org/tier',
  managedBy: 'app.kubernetes.io/managed-by',
});
/** The owner label the demo cluster and many teams already use; read as a fallback. */
export const LEGACY_OWNER_LABEL = 'owner';

interface TierSize {
  cpuRequest: string;
  cpuLimit: string;
  memoryRequest: string;
  memoryLimit: string;
  storage: string;
  /** How many pods of the tier's size the quota holds. */
  pods: number;
}

/** The seed's per-container sizes; a tenant's quota holds `pods` such containers. */
export const TENANT_TIER_SIZES: Readonly<Record<TenantTier, TierSize>> = Object.freeze({
  small: {
    cpuRequest: '100m',
    cpuLimit: '200m',
    memoryRequest: '128Mi',
    memoryLimit: '256Mi',
    storage: '1Gi',
    pods: 10,
  },
  medium: {
    cpuRequest: '250m',
    cpuLimit: '500m',
    memoryRequest: '256Mi',
    memoryLimit: '512Mi',
    storage: '2Gi',
    pods: 25,
  },
  large: {
    cpuRequest: '500m',
    cpuLimit: '1',
    memoryRequest: '512Mi',
    memoryLimit: '1Gi',
    storage: '5Gi',
    pods: 50,
  },
});

/** `n` times a quantity, in the quantity's own unit (m, Mi, Gi, or whole cores). */
export function scaleQuantity(quantity: string, n: number): string {
  const m = /^(\d+)(m|Mi|Gi)?$/.exec(quantity);
  if (!m) throw new TypeError(`unsupported quantity ${quantity}`);
  const value = Number(m[1]) * n;
  const unit = m[2] ?? '';
  if (unit === 'm' && value % 1000 === 0) return String(value / 1000);
  if (unit === 'Mi' && value % 1024 === 0) return `${value / 1024}Gi`;
  return `${value}${unit}`;
}

export function tenantQuotaHard(tier: TenantTier): Record<string, string> {
  const s = TENANT_TIER_SIZES[tier];
  return {
    'requests.cpu': scaleQuantity(s.cpuRequest, s.pods),
    'limits.cpu': scaleQuantity(s.cpuLimit, s.pods),
    'requests.memory': scaleQuantity(s.memoryRequest, s.pods),
    'limits.memory': scaleQuantity(s.memoryLimit, s.pods),
    'requests.storage': scaleQuantity(s.storage, s.pods * 2),
    persistentvolumeclaims: String(s.pods),
    pods: String(s.pods * 2),
  };
}

const managed = (bot: string): Record<string, string> => ({ [TENANT_LABELS.managedBy]: bot });

export function tenantResourceQuota(namespace: string, tier: TenantTier, bot: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'tenant-quota', namespace, labels: { ...managed(bot), [TENANT_LABELS.tier]: tier } },
    spec: { hard: tenantQuotaHard(tier) },
  };
}

export function tenantLimitRange(namespace: string, tier: TenantTier, bot: string): KubeObject {
  const s = TENANT_TIER_SIZES[tier];
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'tenant-limits', namespace, labels: { ...managed(bot), [TENANT_LABELS.tier]: tier } },
    spec: {
      limits: [
        {
          type: 'Container',
          default: { cpu: s.cpuLimit, memory: s.memoryLimit },
          defaultRequest: { cpu: s.cpuRequest, memory: s.memoryRequest },
          max: { cpu: scaleQuantity(s.cpuLimit, 4), memory: scaleQuantity(s.memoryLimit, 4) },
        },
        { type: 'PersistentVolumeClaim', max: { storage: scaleQuantity(s.storage, 5) } },
      ],
    },
  };
}

/** Deny all ingress and egress except DNS to kube-system (add-network-policy + add-networkpolicy-dns). */
export function tenantDefaultDenyPolicy(namespace: string, bot: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace, labels: managed(bot) },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    },
  };
}

/** The owner's group may edit the namespace (add-rolebinding, bound to the `edit` ClusterRole). */
export function tenantOwnerRoleBinding(namespace: string, owner: string, bot: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'owner-edit', namespace, labels: { ...managed(bot), [TENANT_LABELS.owner]: owner } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: owner }],
  };
}

export function tenantNamespace(
  name: string,
  tier: TenantTier,
  owner: string | undefined,
  bot: string,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'kubernetes.io/metadata.name': name,
        ...managed(bot),
        [TENANT_LABELS.tier]: tier,
        ...(owner ? { [TENANT_LABELS.owner]: owner } : {}),
      },
    },
  };
}

export function tenantOwnerOf(ns: KubeObject): string | undefined {
  const labels = ns.metadata.labels ?? {};
  return labels[TENANT_LABELS.owner] ?? labels[LEGACY_OWNER_LABEL];
}

export function tenantTierOf(ns: KubeObject): TenantTier | undefined {
  const value = ns.metadata.labels?.[TENANT_LABELS.tier];
  return (TENANT_TIERS as readonly string[]).includes(value ?? '') ? (value as TenantTier) : undefined;
}

interface PolicySpec {
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  policyTypes?: string[];
  ingress?: unknown[];
  egress?: unknown[];
}

/**
 * Which directions a namespace's policies deny by default: a policy selecting every pod
 * (`podSelector: {}`) with that policy type and no allow-all rule. Rules that open specific peers
 * (DNS, an ingress controller) keep it a default deny; an empty rule `{}` allows everything.
 */
export function defaultDenyOf(policies: readonly KubeObject[]): { ingress: boolean; egress: boolean } {
  let ingress = false;
  let egress = false;
  for (const p of policies) {
    const spec = (p.spec ?? {}) as PolicySpec;
    const selector = spec.podSelector ?? {};
    const all =
      Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
    if (!all) continue;
    const types = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    const allowsAll = (rules: unknown[] | undefined): boolean =>
      (rules ?? []).some((r) => {
        const rule = r as { from?: unknown[]; to?: unknown[]; ports?: unknown[] };
        return (rule.from ?? rule.to ?? []).length === 0 && (rule.ports ?? []).length === 0;
      });
    if (types.includes('Ingress') && !allowsAll(spec.ingress)) ingress = true;
    if (types.includes('Egress') && !allowsAll(spec.egress)) egress = true;
  }
  return { ingress, egress };
}
