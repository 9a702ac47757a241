// eco-security-bot: the Pod Security Standards (baseline and restricted, check by check) and the
// read-only root filesystem on every top-level workload and bare pod, Polaris' score per namespace
// and for the cluster, and the namespaces' pod-security labels against what their pods meet.
// Optional safe fixes (off by default) go through the rails.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  apiVersionOf,
  defineBot,
  resources,
  runChecks,
  setting,
  takeSnapshot,
} from '../../shared/index.ts';
import type {
  Context,
  KubeObject,
  RbacRule,
  ResourceType,
  RunResult,
  SettingValues,
} from '../../shared/index.ts';
import type { Assessment, ObjectLike } from './assess.ts';
import { assess, topLevel } from './assess.ts';
import { CHECKS, CHECK_IDS } from './checks.ts';
import type { SecurityView } from './checks.ts';
import type { PssLevel } from './pss.ts';
import { weakestLevel } from './pss.ts';
import { emptyCounts, polarisScore, sumCounts } from './score.ts';
import type { ScoreCounts } from './score.ts';
import { safeFix } from './safe-fix.ts';

const KINDS = {
  namespaces: resources.namespaces,
  pods: resources.pods,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  daemonsets: resources.daemonsets,
  replicasets: resources.replicasets,
  replicationcontrollers: resources.replicationcontrollers,
  jobs: resources.jobs,
  cronjobs: resources.cronjobs,
} as const;

/** Kinds a safe fix may patch (a pod's and a Job's security context are immutable). */
const FIXABLE: Record<string, ResourceType> = {
  Deployment: resources.deployments,
  StatefulSet: resources.statefulsets,
  DaemonSet: resources.daemonsets,
  ReplicaSet: resources.replicasets,
  CronJob: resources.cronjobs,
};

const RBAC: RbacRule[] = [
  { apiGroups: [''], resources: ['namespaces', 'pods', 'replicationcontrollers'], verbs: ['list'] },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
    verbs: ['list', 'get', 'patch'],
  },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list'] },
  { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['list', 'get', 'patch'] },
  ...SAFETY_RAILS_RBAC,
];

const SETTINGS = {
  level: setting.enum({
    env: 'ECO_SECURITY_LEVEL',
    values: ['baseline', 'restricted'],
    default: 'restricted',
    meaning:
      'Pod Security level to report against: baseline only, or restricted (with the read-only root filesystem)',
  }),
  exemptNamespaces: setting.list({
    env: 'ECO_SECURITY_EXEMPT_NAMESPACES',
    default: ['kube-system'],
    meaning: "namespaces not judged (Polaris exempts kube-system's control-plane components by default)",
  }),
  safeFixes: setting.boolean({
    env: 'ECO_SECURITY_SAFE_FIXES',
    default: false,
    meaning:
      'patch workloads with the safe fixes (allowPrivilegeEscalation: false, seccomp RuntimeDefault); still dry-run unless ECO_MODE=apply',
  }),
};

const NAMESPACE = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: NAMESPACE })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECK_IDS.map((id) => Type.Literal(id))), { uniqueItems: true }),
    ),
    level: Type.Optional(Type.Union([Type.Literal('baseline'), Type.Literal('restricted')])),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

/** The objects with their kind and apiVersion set (list items come without them). */
function typed(objects: readonly KubeObject[], type: ResourceType): ObjectLike[] {
  return objects.map((o) => ({ ...o, kind: type.kind, apiVersion: apiVersionOf(type) }) as ObjectLike);
}

export function buildView(
  assessments: readonly Assessment[],
  namespaces: readonly KubeObject[],
): SecurityView {
  const levels = new Map<string, PssLevel[]>();
  const counts = new Map<string, ScoreCounts[]>();
  for (const a of assessments) {
    const ns = a.object.metadata.namespace ?? '';
    levels.set(ns, [...(levels.get(ns) ?? []), a.level]);
    counts.set(ns, [...(counts.get(ns) ?? []), a.counts]);
  }
  const byNamespace = new Map<string, { level: PssLevel; counts: ScoreCounts; objects: number }>();
  for (const [ns, l] of levels)
    byNamespace.set(ns, {
      level: weakestLevel(l),
      counts: sumCounts(counts.get(ns) ?? []),
      objects: l.length,
    });
  return {
    assessments,
    namespaces: new Map(namespaces.map((n) => [n.metadata.name, n.metadata.labels ?? {}])),
    byNamespace,
  };
}

export default defineBot({
  name: 'eco-security-bot',
  category: 'security',
  tier: 'medium',
  summary:
    'Pod Security Standards (baseline and restricted, check by check) and a read-only root filesystem on every workload and bare pod, Polaris score per namespace and cluster, pod-security namespace labels vs what the pods meet; optional safe fixes',
  triggers: { http: true, cron: '17 * * * *' },
  rbac: RBAC,
  mutates: true,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<SettingValues<typeof SETTINGS>>): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const all: ObjectLike[] = [];
    for (const key of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
      if (key !== 'namespaces') all.push(...typed(snap.objects[key], KINDS[key]));
    }
    const exempt = new Set(ctx.settings.exemptNamespaces);
    const assessments = topLevel(all)
      .filter((o) => !exempt.has(o.metadata.namespace ?? ''))
      .map(assess)
      .filter((a): a is Assessment => a !== undefined);
    const namespaces = input.namespace
      ? snap.objects.namespaces.filter((n) => n.metadata.name === input.namespace)
      : snap.objects.namespaces;
    const view = buildView(assessments, namespaces);
    const level = input.level ?? ctx.settings.level;
    const { findings, errors } = runChecks(
      ctx,
      CHECKS,
      view,
      { level },
      input.checks ? { only: input.checks } : {},
    );

    // Polaris' score per namespace and for the cluster, as gauges and in the report's data.
    const gauge = ctx.metrics.gauge(
      'eco_security_score',
      "Polaris' score 2P/(2P+W+2D) of the judged workloads, per namespace ('' for the cluster)",
      ['namespace'],
    );
    gauge.reset();
    const scores: Record<string, { score: number; level: PssLevel; objects: number } & ScoreCounts> = {};
    for (const [ns, s] of [...view.byNamespace].sort((a, b) => a[0].localeCompare(b[0]))) {
      scores[ns] = { score: polarisScore(s.counts), level: s.level, objects: s.objects, ...s.counts };
      gauge.set({ namespace: ns }, scores[ns].score);
    }
    const cluster = assessments.length ? sumCounts(assessments.map((a) => a.counts)) : emptyCounts();
    const clusterScore = polarisScore(cluster);
    gauge.set({ namespace: '' }, clusterScore);

    // A fix belongs to its check: a run narrowed to other checks changes nothing.
    const wanted = (id: string): boolean => !input.checks || input.checks.includes(id);
    const parts = {
      escalation: wanted('security.privilege-escalation'),
      seccomp: wanted('security.seccomp'),
    };
    if (ctx.settings.safeFixes && (parts.escalation || parts.seccomp)) {
      for (const a of assessments) {
        const type = FIXABLE[a.object.kind ?? ''];
        const fix = type ? safeFix(a.object.kind ?? '', a.spec, parts) : undefined;
        if (!type || !fix) continue;
        await ctx.safety.patch(
          type,
          a.object as KubeObject,
          fix.patch,
          'strategic',
          `safe security fixes: ${fix.changes.join(', ')}`,
          {
            eventReason: 'SecurityHardened',
          },
        );
      }
    }

    return {
      summary: `${assessments.length} workloads and bare pods judged, Polaris score ${clusterScore} (${cluster.passes} passed, ${cluster.warnings} warnings, ${cluster.dangers} dangers), ${findings.length} findings`,
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
      data: { score: clusterScore, counts: cluster, namespaces: scores },
    };
  },
});
