import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  lifetimeOf,
  resources,
  runChecks,
  setting,
  takeSnapshot,
  type Action,
  type Context,
  type KubeObject,
  type ResourceType,
  type SettingValues,
} from '../../shared/index.ts';
import { CHECKS, KINDS, WORKLOADS, missingPieces, tenantNamespaces, type NamespaceSnap } from './checks.ts';
import {
  TENANT_TIERS,
  tenantDefaultDenyPolicy,
  tenantLimitRange,
  tenantResourceQuota,
  tenantTierOf,
  type TenantTier,
} from '../../shared/index.ts';

const NAME = 'eco-namespace-bot';

const SETTINGS = {
  skip: setting.list({
    env: 'ECO_NAMESPACE_SKIP',
    default: ['default', 'kube-system', 'kube-public', 'kube-node-lease'],
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    meaning: 'namespaces the baseline does not apply to (kube-* are always skipped)',
  }),
  emptyDays: setting.number({
    env: 'ECO_NAMESPACE_EMPTY_DAYS',
    default: 7,
    min: 0,
    max: 3650,
    integer: true,
    meaning: 'a namespace older than this with no workload is reported empty',
  }),
  reconcile: setting.boolean({
    env: 'ECO_NAMESPACE_RECONCILE',
    default: false,
    meaning:
      'create the missing ResourceQuota, LimitRange and default-deny NetworkPolicy (never changes existing ones; dry-run unless ECO_MODE=apply)',
  }),
  defaultTier: setting.enum({
    env: 'ECO_NAMESPACE_DEFAULT_TIER',
    values: TENANT_TIERS,
    default: 'small',
    meaning: 'the tier that sizes created objects when the namespace has no eco.bsw-arch.org/tier label',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
    /** Overrides ECO_NAMESPACE_RECONCILE for this run. */
    reconcile: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

/** The objects to create in a non-conformant namespace: only what is missing, never a replacement. */
export function reconcilePlan(
  snap: NamespaceSnap,
  ns: KubeObject,
  defaultTier: TenantTier,
): { type: ResourceType; object: KubeObject }[] {
  const missing = missingPieces(snap, ns);
  const tier = tenantTierOf(ns) ?? defaultTier;
  const name = ns.metadata.name;
  const plan: { type: ResourceType; object: KubeObject }[] = [];
  if (missing.includes('ResourceQuota'))
    plan.push({ type: resources.resourcequotas, object: tenantResourceQuota(name, tier, NAME) });
  if (missing.includes('LimitRange'))
    plan.push({ type: resources.limitranges, object: tenantLimitRange(name, tier, NAME) });
  // A namespace that has a policy named default-deny which does not deny is left to a person.
  if (
    missing.includes('NetworkPolicy') &&
    !snap.objects.networkpolicies.some(
      (p) => p.metadata.namespace === name && p.metadata.name === 'default-deny',
    )
  )
    plan.push({ type: resources.networkpolicies, object: tenantDefaultDenyPolicy(name, NAME) });
  return plan;
}

export default defineBot({
  name: NAME,
  category: 'infrastructure',
  tier: 'small',
  summary:
    'Namespace baseline (ResourceQuota, LimitRange, default-deny NetworkPolicy, owner label) with optional reconcile that only creates what is missing; empty namespaces (k8s-cleaner) and namespaces past their TTL (kube-janitor annotations)',
  triggers: { http: true, cron: '15 * * * *' },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['list'] },
    { apiGroups: [''], resources: ['resourcequotas', 'limitranges'], verbs: ['get', 'list', 'create'] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'create'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['list'] },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  scopeOptions: ['namespace', 'checks'],
  async run(input: Input, ctx: Context<Settings>) {
    const snap = await takeSnapshot(ctx, KINDS, {
      ...(input.namespace ? { namespace: input.namespace } : {}),
      // Workloads are only counted per namespace: their metadata is all the checks read.
      metadataOnly: WORKLOADS,
    });
    const view: NamespaceSnap = input.namespace
      ? {
          ...snap,
          objects: {
            ...snap.objects,
            namespaces: snap.objects.namespaces.filter((n) => n.metadata.name === input.namespace),
          },
        }
      : snap;
    const settings = { skip: ctx.settings.skip, emptyDays: ctx.settings.emptyDays };
    const { findings, errors } = runChecks(ctx, CHECKS, view, settings, {
      ...(input.checks ? { only: input.checks } : {}),
    });

    const actions: Action[] = [];
    const reconcile = input.reconcile ?? ctx.settings.reconcile;
    const readable = !['namespaces', 'resourcequotas', 'limitranges', 'networkpolicies'].some((k) =>
      snap.failed.has(k as keyof typeof KINDS),
    );
    const tenants = tenantNamespaces(view, settings);
    if (reconcile && readable) {
      for (const ns of tenants) {
        // An expired namespace is on its way out: no new objects in it.
        const life = lifetimeOf(ns, ctx.now());
        if (life.kind === 'deadline' && life.expired) continue;
        for (const { type, object } of reconcilePlan(view, ns, ctx.settings.defaultTier)) {
          actions.push(
            await ctx.safety.create(type, object, `namespace baseline: missing ${type.kind}`, {
              eventReason: 'BaselineCreated',
            }),
          );
        }
      }
    }
    const conformant = tenants.filter((ns) => missingPieces(view, ns).length === 0).length;
    return {
      summary:
        `${tenants.length} namespaces checked, ${conformant} conform to the baseline, ${findings.length} findings` +
        (reconcile
          ? `; reconcile: ${actions.filter((a) => a.status !== 'skipped').length} objects to create`
          : ''),
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
      data: { namespaces: tenants.length, conformant, reconcile },
    };
  },
});
