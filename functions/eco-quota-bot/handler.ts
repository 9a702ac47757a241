// eco-quota-bot: ResourceQuota use per namespace as the kubernetes-mixin alerts judge it
// (KubeQuotaAlmostFull > 90 %, KubeQuotaFullyUsed, KubeQuotaExceeded), tenant namespaces without a
// quota (Kyverno add-ns-quota would generate one), and an opt-in raise within the tier's bounds.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  check,
  defineBot,
  DEFAULT_PROTECTED_NAMESPACES,
  resources,
  runChecks,
  SAFETY_RAILS_RBAC,
  setting,
  takeSnapshot,
} from '../../shared/index.ts';
import type { KubeObject, RunResult, Snapshot } from '../../shared/index.ts';
import { parseQuantity } from '../../shared/k8s/quantity.ts';
import { DEFAULT_TIER_BOUNDS, formatQuota, proposedHard, quotaLines, SEVERITY_OF_STATE } from './quota.ts';
import type { QuotaLine, QuotaState, TierBounds } from './quota.ts';

const NAME = 'eco-quota-bot';
const TIER_LABEL = 'eco.bsw-arch.org/tier';

const KINDS = { namespaces: resources.namespaces, quotas: resources.resourcequotas };
type Snap = Snapshot<typeof KINDS>;

type Bounds = Record<'small' | 'medium' | 'large', TierBounds>;

function checkBounds(value: unknown): Bounds {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error('must be an object of tier to bounds');
  const out: Bounds = { ...DEFAULT_TIER_BOUNDS };
  for (const [tier, bounds] of Object.entries(value as Record<string, unknown>)) {
    if (tier !== 'small' && tier !== 'medium' && tier !== 'large')
      throw new Error(`unknown tier "${tier}" (small, medium, large)`);
    if (bounds === null || typeof bounds !== 'object')
      throw new Error(`${tier} must map quota resources to quantities`);
    const parsed: TierBounds = {};
    for (const [resource, quantity] of Object.entries(bounds as Record<string, unknown>)) {
      const number = parseQuantity(typeof quantity === 'number' ? quantity : String(quantity));
      if (number === undefined || number < 0)
        throw new Error(`${tier}.${resource}: "${String(quantity)}" is not a quantity`);
      parsed[resource] = number;
    }
    out[tier] = parsed;
  }
  return out;
}

const SETTINGS = {
  tenantLabel: setting.string({
    env: 'ECO_QUOTA_TENANT_LABEL',
    default: 'owner',
    meaning: 'a namespace with this label is a tenant namespace and should have a ResourceQuota',
  }),
  defaultTier: setting.enum({
    env: 'ECO_QUOTA_DEFAULT_TIER',
    values: ['small', 'medium', 'large'] as const,
    default: 'small',
    meaning: `tier of a namespace without the ${TIER_LABEL} label (its raise bounds)`,
  }),
  tierBounds: setting.json<Bounds>({
    env: 'ECO_QUOTA_TIER_BOUNDS',
    meaning:
      'the most a raise may give per tier, e.g. {"small":{"requests.cpu":"4","requests.memory":"8Gi"}}; unset: built-in bounds',
    check: checkBounds,
  }),
  raise: setting.boolean({
    env: 'ECO_QUOTA_RAISE',
    default: false,
    meaning: 'raise a quota at ≥ 90 % to used / 0.8, within its tier bound, through the rails',
  }),
  protectedNamespaces: setting.list({
    env: 'ECO_PROTECTED_NAMESPACES',
    default: [...DEFAULT_PROTECTED_NAMESPACES],
    meaning: 'namespaces never asked to have a quota and whose quotas are never raised',
  }),
};

type Settings = { tenantLabel: string; protectedNamespaces: readonly string[] };

const PERCENT = (ratio: number): string => (Number.isFinite(ratio) ? `${Math.round(ratio * 100)}%` : '∞');

function quotaCheck(state: Exclude<QuotaState, 'ok'>, id: string, title: string, anchor: string) {
  return check<Snap, Settings>({
    id,
    severity: SEVERITY_OF_STATE[state],
    title,
    anchor,
    *run(snap) {
      for (const quota of snap.objects.quotas) {
        const lines = quotaLines(
          quota['status'] as { hard?: Record<string, string>; used?: Record<string, string> },
          parseQuantity,
        );
        for (const line of lines.filter((l) => l.state === state)) {
          yield {
            object: quota,
            type: resources.resourcequotas,
            discriminator: line.resource,
            message: `ResourceQuota ${quota.metadata.namespace}/${quota.metadata.name}: ${line.resource} ${line.usedText} of ${line.hardText} used (${PERCENT(line.ratio)})`,
            evidence: {
              resource: line.resource,
              used: line.usedText,
              hard: line.hardText,
              ratio: line.ratio,
              alert: anchor,
            },
            fix:
              state === 'exceeded'
                ? `Lower the namespace's use of ${line.resource} or raise the quota: new pods are refused until it is under ${line.hardText}`
                : `Raise ${line.resource} in ResourceQuota ${quota.metadata.name} (ECO_QUOTA_RAISE=true raises it within the tier's bound) or right-size the namespace's workloads (eco-resource-bot)`,
          };
        }
      }
    },
  });
}

export const nearFull = quotaCheck(
  'almost-full',
  'quota.near-full',
  'quotas over 90 % used',
  'kubernetes-mixin KubeQuotaAlmostFull (> 0.9 and < 1)',
);
export const full = quotaCheck(
  'full',
  'quota.full',
  'quotas fully used',
  'kubernetes-mixin KubeQuotaFullyUsed (== 1)',
);
export const exceeded = quotaCheck(
  'exceeded',
  'quota.exceeded',
  'quotas exceeded',
  'kubernetes-mixin KubeQuotaExceeded (> 1)',
);

export const missing = check<Snap, Settings>({
  id: 'quota.missing',
  severity: 'warning',
  title: 'tenant namespaces without a ResourceQuota',
  anchor: 'Kyverno best-practices/add-ns-quota',
  *run(snap, settings) {
    const withQuota = new Set(snap.objects.quotas.map((q) => q.metadata.namespace));
    for (const ns of snap.objects.namespaces) {
      const owner = ns.metadata.labels?.[settings.tenantLabel];
      if (owner === undefined || settings.protectedNamespaces.includes(ns.metadata.name)) continue;
      if (withQuota.has(ns.metadata.name)) continue;
      yield {
        object: ns,
        type: resources.namespaces,
        message: `Tenant namespace ${ns.metadata.name} (${settings.tenantLabel}=${owner}) has no ResourceQuota: nothing caps what it can request`,
        evidence: {
          tenantLabel: settings.tenantLabel,
          owner,
          tier: ns.metadata.labels?.[TIER_LABEL] ?? null,
        },
        fix: `kubectl -n ${ns.metadata.name} create quota compute --hard=requests.cpu=4,requests.memory=8Gi,limits.cpu=8,limits.memory=16Gi,pods=50`,
      };
    }
  },
});

export const CHECKS = [nearFull, full, exceeded, missing];

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

function tierOf(
  ns: KubeObject | undefined,
  fallback: 'small' | 'medium' | 'large',
): 'small' | 'medium' | 'large' {
  const label = ns?.metadata.labels?.[TIER_LABEL];
  return label === 'small' || label === 'medium' || label === 'large' ? label : fallback;
}

export default defineBot({
  name: NAME,
  category: 'optimisation',
  tier: 'small',
  summary:
    'ResourceQuota use per namespace (mixin KubeQuotaAlmostFull > 90 %, full, exceeded), tenant namespaces without a quota; raises within the tier’s bounds when opted in',
  triggers: {
    http: true,
    cron: '*/30 * * * *',
    alerts: ['KubeQuotaAlmostFull', 'KubeQuotaFullyUsed', 'KubeQuotaExceeded'],
  },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
    { apiGroups: [''], resources: ['resourcequotas'], verbs: ['get', 'list', 'patch'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const { findings, errors } = runChecks(
      ctx,
      CHECKS,
      snap,
      ctx.settings,
      input.checks ? { only: input.checks } : {},
    );
    if (ctx.settings.raise) {
      const bounds = ctx.settings.tierBounds ?? DEFAULT_TIER_BOUNDS;
      const namespaces = new Map(snap.objects.namespaces.map((n) => [n.metadata.name, n]));
      for (const quota of snap.objects.quotas) {
        const namespace = quota.metadata.namespace ?? '';
        if (ctx.settings.protectedNamespaces.includes(namespace)) continue;
        const tier = tierOf(namespaces.get(namespace), ctx.settings.defaultTier);
        const lines = quotaLines(
          quota['status'] as { hard?: Record<string, string>; used?: Record<string, string> },
          parseQuantity,
        );
        const raised: Record<string, string> = {};
        const notes: string[] = [];
        const atBound: QuotaLine[] = [];
        for (const line of lines) {
          if (line.state === 'ok') continue;
          const next = proposedHard(line, bounds[tier][line.resource]);
          if (next === undefined) atBound.push(line);
          else {
            raised[line.resource] = formatQuota(line.resource, next);
            notes.push(`${line.resource} ${line.hardText} → ${raised[line.resource]}`);
          }
        }
        if (Object.keys(raised).length > 0) {
          await ctx.safety.patch(
            resources.resourcequotas,
            quota,
            { spec: { hard: raised } },
            'merge',
            `quota at ≥ 90 %: ${notes.join(', ')} (tier ${tier} bound)`,
          );
        }
        for (const line of atBound) {
          ctx.safety.skip(
            'patch',
            quota,
            `${line.resource} at ${PERCENT(line.ratio)} but already at the ${tier} tier's bound (or no bound for it)`,
            resources.resourcequotas,
          );
        }
      }
    }
    const over = findings.filter((f) => f.check !== 'quota.missing').length;
    return {
      summary: `${snap.objects.quotas.length} quotas in ${snap.objects.namespaces.length} namespaces: ${over} resources at ≥ 90 %, ${findings.length - over} tenant namespaces without a quota`,
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
    };
  },
});
