import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  finding,
  reportErrorFrom,
  runChecks,
  setting,
  takeSnapshot,
  type Context,
  type ReportError,
  type SettingValues,
} from '../../shared/index.ts';
import { CHECKS, KINDS, clusterRef, grade, score, type ClusterSnap } from './checks.ts';
import { endpointHealth, serverVersion, type Version } from './health.ts';

const NAME = 'eco-cluster-bot';

const SETTINGS = {
  clusterName: setting.string({
    env: 'ECO_CLUSTER_NAME',
    default: 'cluster',
    pattern: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
    meaning: 'the name the cluster-wide findings carry (object kind Cluster)',
  }),
  minReadyPercent: setting.number({
    env: 'ECO_CLUSTER_MIN_READY_PERCENT',
    default: 100,
    min: 0,
    max: 100,
    meaning: 'the share of ready nodes below which the cluster is reported (below 50 % it is critical)',
  }),
  latestMinor: setting.number({
    env: 'ECO_CLUSTER_LATEST_MINOR',
    default: 35,
    min: 20,
    max: 99,
    integer: true,
    meaning: 'the newest Kubernetes 1.x minor released; with ECO_CLUSTER_SUPPORTED_MINORS it sets Popeye 405',
  }),
  supportedMinors: setting.number({
    env: 'ECO_CLUSTER_SUPPORTED_MINORS',
    default: 3,
    min: 1,
    max: 10,
    integer: true,
    meaning: 'how many minors upstream supports (the latest three)',
  }),
  minScore: setting.number({
    env: 'ECO_CLUSTER_MIN_SCORE',
    default: 80,
    min: 0,
    max: 100,
    meaning: 'a cluster score below this (grade B) is a finding; below 50 (grade F) it is critical',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

export default defineBot({
  name: NAME,
  category: 'infrastructure',
  tier: 'large',
  summary:
    "Cluster health: /readyz and /livez (failed checks named), node readiness ratio, kubelet/apiserver version skew (skew policy: up to 3 minors older, never newer), an out-of-support control plane (Popeye 405), and a cluster score on Popeye's A-F scale",
  triggers: { http: true, cron: '*/10 * * * *' },
  // /readyz, /livez and /version are non-resource URLs every authenticated user may GET
  // (system:public-info-viewer, system:discovery): no rule is needed for them.
  rbac: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }],
  mutates: false,
  input: Input,
  settings: SETTINGS,
  async run(input: Input, ctx: Context<Settings>) {
    const errors: ReportError[] = [];
    const [nodes, readyz, livez, server] = await Promise.all([
      takeSnapshot(ctx, KINDS),
      endpointHealth(ctx.k8s, 'readyz'),
      endpointHealth(ctx.k8s, 'livez'),
      serverVersion(ctx.k8s).catch((error: unknown): Version | undefined => {
        errors.push(reportErrorFrom(error, 'GET /version'));
        return undefined;
      }),
    ]);
    const snap: ClusterSnap = { nodes, readyz, livez, server, cluster: ctx.settings.clusterName };
    const checked = runChecks(ctx, CHECKS, snap, ctx.settings, {
      ...(input.checks ? { only: input.checks } : {}),
    });
    const result = score(snap, ctx.settings);
    const letter = grade(result.score);
    ctx.metrics
      .gauge('eco_cluster_score', "Cluster score 0-100 on Popeye's scale (grade A >= 90)")
      .set(result.score);
    const findings = [...nodes.findings, ...checked.findings];
    if (result.score < ctx.settings.minScore && !input.checks)
      findings.push(
        finding({
          bot: NAME,
          check: 'cluster.low-score',
          severity: result.score < 50 ? 'critical' : 'warning',
          object: clusterRef(ctx.settings.clusterName),
          message: `The cluster scores ${result.score}/100 (grade ${letter}), below ${ctx.settings.minScore}.`,
          evidence: {
            score: result.score,
            grade: letter,
            threshold: ctx.settings.minScore,
            sections: result.sections,
          },
          fix: 'Fix the lowest section first (see the other findings of this report).',
        }),
      );
    const ready = nodes.objects.nodes.filter((n) =>
      ((n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some(
        (c) => c.type === 'Ready' && c.status === 'True',
      ),
    ).length;
    return {
      summary: `Kubernetes ${server?.text ?? 'unknown'}, ${ready}/${nodes.objects.nodes.length} nodes ready, readyz ${readyz.ok ? 'ok' : 'failing'}, livez ${livez.ok ? 'ok' : 'failing'}: score ${result.score} (grade ${letter})`,
      findings,
      errors: [...errors, ...nodes.errors, ...checked.errors],
      data: {
        version: server?.text ?? null,
        score: result.score,
        grade: letter,
        sections: result.sections,
        readyz: {
          ok: readyz.ok,
          failed: readyz.checks.filter((c) => !c.ok).map((c) => c.name),
          checks: readyz.checks.length,
        },
        livez: {
          ok: livez.ok,
          failed: livez.checks.filter((c) => !c.ok).map((c) => c.name),
          checks: livez.checks.length,
        },
        nodes: { total: nodes.objects.nodes.length, ready },
      },
    };
  },
});
