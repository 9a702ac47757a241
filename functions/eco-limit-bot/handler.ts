// eco-limit-bot: containers without requests or limits (Polaris' four efficiency checks and
// Kyverno's require-pod-requests-limits), and each tenant namespace's LimitRange defaults against its
// seed tier; optionally creates or patches those defaults through the rails.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  check,
  defineBot,
  DEFAULT_PROTECTED_NAMESPACES,
  optOut,
  resources,
  runChecks,
  SAFETY_RAILS_RBAC,
  setting,
  takeSnapshot,
} from '../../shared/index.ts';
import type { KubeObject, RunResult, Snapshot } from '../../shared/index.ts';
import { parseQuantity } from '../../shared/k8s/quantity.ts';
import { groupWorkloads, WORKLOAD_RESOURCES, templateContainers } from '../../shared/workloads/index.ts';
import {
  containerDefaults,
  coveredByDefaults,
  kyvernoMissing,
  limitRangeForTier,
  parseTier,
  polarisExempt,
  polarisFailures,
  SEED_TIERS,
  TIER_LABEL,
  tierDefaultGaps,
} from './checks.ts';
import type { LimitRangeObject, Tier } from './checks.ts';

const NAME = 'eco-limit-bot';

const KINDS = {
  namespaces: resources.namespaces,
  ...WORKLOAD_RESOURCES,
  limitranges: resources.limitranges,
};
type Snap = Snapshot<typeof KINDS>;

const SETTINGS = {
  tenantLabel: setting.string({
    env: 'ECO_LIMIT_TENANT_LABEL',
    default: 'owner',
    meaning: 'a namespace with this label is a tenant namespace, whose LimitRange defaults are checked',
  }),
  defaultTier: setting.enum({
    env: 'ECO_LIMIT_DEFAULT_TIER',
    values: ['small', 'medium', 'large'] as const,
    default: 'small',
    meaning: `seed tier of a tenant namespace without the ${TIER_LABEL} label`,
  }),
  applyDefaults: setting.boolean({
    env: 'ECO_LIMIT_APPLY_DEFAULTS',
    default: false,
    meaning: "create or patch each tenant namespace's LimitRange defaults to its tier through the rails",
  }),
  protectedNamespaces: setting.list({
    env: 'ECO_PROTECTED_NAMESPACES',
    default: [...DEFAULT_PROTECTED_NAMESPACES],
    meaning: 'namespaces whose LimitRanges the bot never checks or writes',
  }),
};
type Settings = { tenantLabel: string; defaultTier: Tier; protectedNamespaces: readonly string[] };

function tenantNamespaces(snap: Snap, settings: Settings): KubeObject[] {
  return snap.objects.namespaces.filter(
    (ns) =>
      ns.metadata.labels?.[settings.tenantLabel] !== undefined &&
      !settings.protectedNamespaces.includes(ns.metadata.name),
  );
}

function rangesIn(snap: Snap, namespace: string): LimitRangeObject[] {
  return snap.objects.limitranges.filter(
    (r) => r.metadata.namespace === namespace,
  ) as unknown as LimitRangeObject[];
}

function tierOf(ns: KubeObject, settings: Settings): { tier: Tier; from: string } {
  const labelled = parseTier(ns.metadata.labels?.[TIER_LABEL]);
  return labelled
    ? { tier: labelled, from: `label ${TIER_LABEL}` }
    : { tier: settings.defaultTier, from: 'ECO_LIMIT_DEFAULT_TIER' };
}

const LABEL = {
  cpuRequestsMissing: 'CPU request',
  memoryRequestsMissing: 'memory request',
  cpuLimitsMissing: 'CPU limit',
  memoryLimitsMissing: 'memory limit',
} as const;

export const missing = check<Snap, Settings>({
  id: 'limit.missing',
  severity: 'warning',
  title: 'containers without CPU/memory requests or limits',
  anchor:
    'Polaris cpuRequestsMissing, memoryRequestsMissing, cpuLimitsMissing, memoryLimitsMissing (warning); Kyverno require-pod-requests-limits',
  *run(snap, settings, now) {
    const namespaces = new Map(snap.objects.namespaces.map((n) => [n.metadata.name, n]));
    const workloads = groupWorkloads(snap.objects).filter((w) => w.kind !== 'Job' && w.kind !== 'ReplicaSet');
    for (const workload of workloads) {
      // System namespaces are the platform's (Polaris' default config exempts them too).
      if (settings.protectedNamespaces.includes(workload.namespace)) continue;
      if (optOut(workload.object.metadata.annotations, now, workload.name).excluded) continue;
      if (optOut(namespaces.get(workload.namespace)?.metadata.annotations, now, workload.namespace).excluded)
        continue;
      const defaults = containerDefaults(rangesIn(snap, workload.namespace));
      for (const container of templateContainers(workload)) {
        const failed = polarisFailures(container).filter(
          (c) => !polarisExempt(workload.object.metadata.annotations, c),
        );
        if (failed.length === 0) continue;
        const kyverno = kyvernoMissing(container);
        const uncovered = failed.filter((c) => !coveredByDefaults(c, defaults));
        const what = failed.map((c) => LABEL[c]).join(', ');
        yield {
          object: workload.object,
          type: workload.type,
          discriminator: container.name,
          // Filled in at admission by the namespace's LimitRange: a note, not a problem.
          severity: uncovered.length === 0 ? 'info' : 'warning',
          message: `${workload.kind} ${workload.namespace}/${workload.name} container ${container.name} sets no ${what}${uncovered.length === 0 ? ` (LimitRange ${defaults.from.join(', ')} fills them in at admission)` : ''}`,
          evidence: {
            polaris: failed,
            kyvernoRequirePodRequestsLimits: kyverno.length === 0 ? 'pass' : { missing: kyverno },
            resources: container.resources ?? {},
            limitRangeDefaults: defaults,
            uncovered,
          },
          fix: `kubectl -n ${workload.namespace} set resources ${workload.kind.toLowerCase()}/${workload.name} -c ${container.name} --requests=cpu=100m,memory=128Mi --limits=memory=256Mi (size from eco-resource-bot's recommendation)`,
        };
      }
    }
  },
});

export const rangeMissing = check<Snap, Settings>({
  id: 'limit.range-missing',
  severity: 'info',
  title: 'tenant namespaces without LimitRange defaults',
  anchor: 'Kyverno add-ns-quota (LimitRange part) and add-default-resources',
  *run(snap, settings) {
    for (const ns of tenantNamespaces(snap, settings)) {
      const defaults = containerDefaults(rangesIn(snap, ns.metadata.name));
      if (defaults.from.length > 0) continue;
      const { tier, from } = tierOf(ns, settings);
      yield {
        object: ns,
        type: resources.namespaces,
        message: `Namespace ${ns.metadata.name} has no LimitRange defaults: containers without requests run BestEffort`,
        evidence: { tier, tierFrom: from, wanted: SEED_TIERS[tier] },
        fix: `Create a LimitRange with the ${tier} tier's defaults (ECO_LIMIT_APPLY_DEFAULTS=true does it): defaultRequest ${SEED_TIERS[tier].requests.cpu}/${SEED_TIERS[tier].requests.memory}, default ${SEED_TIERS[tier].limits.cpu}/${SEED_TIERS[tier].limits.memory}`,
      };
    }
  },
});

export const rangeDefaults = check<Snap, Settings>({
  id: 'limit.range-defaults',
  severity: 'info',
  title: "LimitRange defaults that differ from the namespace's seed tier",
  anchor: 'seed resource_tiers (eco-bot-list.yaml)',
  *run(snap, settings) {
    for (const ns of tenantNamespaces(snap, settings)) {
      const labelled = parseTier(ns.metadata.labels?.[TIER_LABEL]);
      if (!labelled) continue;
      const defaults = containerDefaults(rangesIn(snap, ns.metadata.name));
      if (defaults.from.length === 0) continue;
      const gaps = tierDefaultGaps(labelled, defaults, parseQuantity);
      if (gaps.length === 0) continue;
      yield {
        object: ns,
        type: resources.namespaces,
        message: `Namespace ${ns.metadata.name} is tier ${labelled} but its LimitRange defaults differ: ${gaps.map((g) => `${g.field} ${g.have ?? 'unset'} (tier: ${g.want})`).join(', ')}`,
        evidence: { tier: labelled, gaps, limitRanges: defaults.from },
        fix: `Set the LimitRange ${defaults.from[0]} defaults to the ${labelled} tier, or change the namespace's ${TIER_LABEL} label`,
      };
    }
  },
});

export const CHECKS = [missing, rangeMissing, rangeDefaults];

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

export default defineBot({
  name: NAME,
  category: 'optimisation',
  tier: 'small',
  summary:
    "Containers without requests/limits (Polaris' four checks, Kyverno require-pod-requests-limits), LimitRange defaults per seed tier; optionally patches the defaults in",
  triggers: { http: true, cron: '30 5 * * *' },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['list'] },
    { apiGroups: [''], resources: ['limitranges'], verbs: ['get', 'list', 'create', 'patch'] },
    {
      apiGroups: ['apps'],
      resources: ['replicasets', 'deployments', 'statefulsets', 'daemonsets'],
      verbs: ['list'],
    },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const settings = ctx.settings;
    const { findings, errors } = runChecks(
      ctx,
      CHECKS,
      snap,
      settings,
      input.checks ? { only: input.checks } : {},
    );
    if (settings.applyDefaults) {
      for (const ns of tenantNamespaces(snap, settings)) {
        const { tier } = tierOf(ns, settings);
        const ranges = rangesIn(snap, ns.metadata.name);
        const wanted = limitRangeForTier(tier, ns.metadata.name);
        const ours = ranges.find((r) => r.metadata.name === wanted.metadata.name);
        if (ranges.length === 0) {
          await ctx.safety.create(
            resources.limitranges,
            wanted as unknown as KubeObject,
            `namespace ${ns.metadata.name} has no LimitRange: the ${tier} tier's defaults`,
          );
        } else if (ours && tierDefaultGaps(tier, containerDefaults([ours]), parseQuantity).length > 0) {
          // Only the bot's own LimitRange is rewritten; a team's own LimitRange is reported, not changed.
          await ctx.safety.patch(
            resources.limitranges,
            ours as unknown as KubeObject,
            { spec: wanted.spec },
            'merge',
            `LimitRange defaults to the ${tier} tier`,
          );
        }
      }
    }
    const missingCount = findings.filter((f) => f.check === 'limit.missing').length;
    return {
      summary: `${snap.objects.namespaces.length} namespaces, ${missingCount} containers without requests or limits, ${findings.length - missingCount} LimitRange findings`,
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
    };
  },
});
