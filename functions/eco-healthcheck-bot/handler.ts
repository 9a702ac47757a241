// eco-healthcheck-bot: HTTP/TCP probes of configured endpoints (ECO_HEALTHCHECK_TARGETS) with
// latency and status, and the cluster's health from one snapshot: Services without a ready
// endpoint (EndpointSlices), pods not ready or Pending too long, crash loops, OOM kills, image pull
// back-off and failed Jobs (checks.ts). Read-only.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  checkIds,
  defineBot,
  finding,
  reportErrorFrom,
  resources,
  runChecks,
  setting,
  takeSnapshot,
  type Context,
  type Finding,
  type ReportError,
  type RunResult,
  type SettingValues,
} from '../../shared/index.ts';
import { CLUSTER_CHECKS, KINDS, type HealthSettings } from './checks.ts';
import { TARGET_PATTERN, displayTarget, probeAll, type ProbeResult } from './probes.ts';

const NAME = 'eco-healthcheck-bot';
/** The ConfigMap (fixed name, so RBAC can name it) that lists targets besides the environment's. */
export const TARGETS_CONFIGMAP = 'eco-healthcheck-targets';
const PROBE_CHECKS = ['health.probe-failed', 'health.probe-slow'] as const;
const ALL_CHECKS = [...checkIds([...CLUSTER_CHECKS]), ...PROBE_CHECKS];

const SETTINGS = {
  targets: setting.list({
    env: 'ECO_HEALTHCHECK_TARGETS',
    default: [],
    pattern: TARGET_PATTERN,
    meaning:
      'endpoints to probe, comma-separated: http(s)://host/path (200-399 is healthy) or tcp://host:port',
  }),
  targetsNamespace: setting.string({
    env: 'ECO_HEALTHCHECK_TARGETS_NAMESPACE',
    default: 'eco-bots',
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    meaning: `namespace of the ConfigMap ${TARGETS_CONFIGMAP} whose \`targets\` key lists more endpoints (one per line or comma-separated, # comments)`,
  }),
  probeTimeout: setting.duration({
    env: 'ECO_HEALTHCHECK_TIMEOUT',
    default: '5s',
    min: '100ms',
    max: '30s',
    meaning: 'timeout of one probe attempt',
  }),
  probeAttempts: setting.number({
    env: 'ECO_HEALTHCHECK_ATTEMPTS',
    default: 3,
    min: 1,
    max: 10,
    integer: true,
    meaning: 'failed attempts in a row before a probe is failed (the kubelet failureThreshold, 3)',
  }),
  slow: setting.duration({
    env: 'ECO_HEALTHCHECK_SLOW',
    default: '1s',
    min: '1ms',
    max: '60s',
    meaning: 'a successful probe slower than this is reported (the kubelet probe timeoutSeconds, 1 s)',
  }),
  crashloopRestarts: setting.number({
    env: 'ECO_HEALTHCHECK_CRASHLOOP_RESTARTS',
    default: 2,
    min: 1,
    max: 1000,
    integer: true,
    meaning: 'restarts from which a CrashLoopBackOff container is reported (Robusta restart_count 2)',
  }),
  crashloopWindow: setting.duration({
    env: 'ECO_HEALTHCHECK_CRASHLOOP_WINDOW',
    default: '4h',
    min: '1m',
    max: '7d',
    meaning: 'one crash-loop finding id per pod per window (Robusta rate_limit 14400 s)',
  }),
  oomWindow: setting.duration({
    env: 'ECO_HEALTHCHECK_OOM_WINDOW',
    default: '1h',
    min: '1m',
    max: '7d',
    meaning:
      'OOM kills this recent are reported, one finding id per container per window (Robusta rate_limit 3600 s)',
  }),
  notReadyAfter: setting.duration({
    env: 'ECO_HEALTHCHECK_NOT_READY_AFTER',
    default: '15m',
    min: '0s',
    max: '7d',
    meaning: 'a Running pod not ready for longer is reported (kubernetes-mixin KubePodNotReady 15 m)',
  }),
  pendingAfter: setting.duration({
    env: 'ECO_HEALTHCHECK_PENDING_AFTER',
    default: '15m',
    min: '0s',
    max: '7d',
    meaning: 'a pod Pending for longer is reported (kubernetes-mixin KubePodNotReady 15 m)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    namespace: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
        description: 'check this namespace only',
      }),
    ),
    checks: Type.Optional(
      Type.Array(Type.Union(ALL_CHECKS.map((id) => Type.Literal(id))), {
        uniqueItems: true,
        description: 'run these checks only',
      }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

const targetRef = (target: string): Finding['object'] => ({
  apiVersion: 'eco.bsw-arch.org/v1',
  kind: 'HealthcheckTarget',
  name: target,
});

/** The probe findings: a failed probe (critical) or a slow one (warning). */
export function probeFindings(
  results: readonly ProbeResult[],
  slowMs: number,
  only?: readonly string[],
): Finding[] {
  const wanted = (id: string): boolean => only === undefined || only.includes(id);
  const findings: Finding[] = [];
  for (const r of results) {
    const evidence = {
      protocol: r.protocol,
      ...(r.status === undefined ? {} : { status: r.status }),
      latencyMs: r.latencyMs,
      attempts: r.attempts,
      ...(r.error === undefined ? {} : { error: r.error }),
    };
    if (!r.ok && wanted('health.probe-failed')) {
      findings.push(
        finding({
          bot: NAME,
          check: 'health.probe-failed',
          severity: 'critical',
          object: targetRef(r.target),
          message: `${r.target} failed its ${r.protocol.toUpperCase()} probe ${r.attempts} times in a row: ${r.error ?? `HTTP ${r.status}`}`,
          evidence,
          fix:
            r.protocol === 'http'
              ? 'Check the service behind the URL answers 200-399 (its logs, its pods, the route to it)'
              : 'Check something listens on that host and port and no firewall or NetworkPolicy drops the connection',
        }),
      );
    } else if (r.ok && r.latencyMs > slowMs && wanted('health.probe-slow')) {
      findings.push(
        finding({
          bot: NAME,
          check: 'health.probe-slow',
          severity: 'warning',
          object: targetRef(r.target),
          message: `${r.target} answered its ${r.protocol.toUpperCase()} probe in ${r.latencyMs} ms (threshold ${slowMs} ms)`,
          evidence: { ...evidence, thresholdMs: slowMs },
          fix: 'Find what slows the endpoint down (its latency metrics, CPU throttling, a slow dependency)',
        }),
      );
    }
  }
  return findings;
}

/** ECO_HEALTHCHECK_TARGETS plus the ConfigMap's `targets` key (absent ConfigMap: none from it). */
async function allTargets(ctx: Context<Settings>, errors: ReportError[]): Promise<string[]> {
  const out = new Set(ctx.settings.targets);
  const ns = ctx.settings.targetsNamespace;
  try {
    const cm = await ctx.k8s.get(resources.configmaps, TARGETS_CONFIGMAP, ns);
    const text = (cm?.['data'] as Record<string, string> | undefined)?.['targets'] ?? '';
    for (const raw of text.split(/[\n,]/)) {
      const entry = raw.replace(/#.*$/, '').trim();
      if (entry === '') continue;
      if (TARGET_PATTERN.test(entry)) out.add(entry);
      else
        errors.push({
          code: 'healthcheck-bad-target',
          message: `ConfigMap ${ns}/${TARGETS_CONFIGMAP}: "${displayTarget(entry)}" is not http(s)://… or tcp://host:port`,
        });
    }
  } catch (error) {
    errors.push(reportErrorFrom(error, `get ConfigMap ${ns}/${TARGETS_CONFIGMAP}`));
  }
  return [...out];
}

function recordProbeMetrics(ctx: Context<Settings>, results: readonly ProbeResult[]): void {
  const up = ctx.metrics.gauge(
    'eco_healthcheck_probe_success',
    'Whether the last probe of a target succeeded',
    ['target'] as const,
  );
  const seconds = ctx.metrics.gauge(
    'eco_healthcheck_probe_duration_seconds',
    'Duration of the last probe attempt of a target',
    ['target'] as const,
  );
  for (const r of results) {
    up.set({ target: r.target }, r.ok ? 1 : 0);
    seconds.set({ target: r.target }, r.latencyMs / 1000);
  }
}

export default defineBot({
  name: NAME,
  category: 'observability',
  tier: 'small',
  summary:
    'HTTP/TCP probes of configured endpoints, Services without ready endpoints (EndpointSlices), pods not ready or Pending, crash loops (>= 2 restarts, one finding per pod per 4 h), OOM kills, image pull back-off, failed Jobs',
  triggers: {
    http: true,
    cron: '*/5 * * * *',
    alerts: ['KubePodNotReady', 'KubeContainerWaiting', 'KubePdbNotEnoughHealthyPods'],
  },
  rbac: [
    { apiGroups: [''], resources: ['pods', 'services'], verbs: ['list'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: [TARGETS_CONFIGMAP] },
  ],
  mutates: false,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const s = ctx.settings;
    const only = input.checks;
    const wants = (ids: readonly string[]): boolean =>
      only === undefined || ids.some((id) => only.includes(id));
    const targetErrors: ReportError[] = [];
    const targets = wants(PROBE_CHECKS) ? await allTargets(ctx, targetErrors) : [];
    // The probes and the cluster reads run side by side: a slow endpoint does not delay the reads.
    const probes =
      targets.length > 0
        ? probeAll(
            targets,
            { attempts: s.probeAttempts, timeoutMs: s.probeTimeout, slowMs: s.slow },
            ctx.signal,
          )
        : Promise.resolve([]);
    const clusterWanted = wants(ALL_CHECKS.filter((id) => !(PROBE_CHECKS as readonly string[]).includes(id)));
    const snap = clusterWanted
      ? await takeSnapshot(ctx, KINDS, input.namespace === undefined ? {} : { namespace: input.namespace })
      : undefined;
    const health: HealthSettings = {
      crashloopRestarts: s.crashloopRestarts,
      crashloopWindowMs: s.crashloopWindow,
      oomWindowMs: s.oomWindow,
      notReadyMs: s.notReadyAfter,
      pendingMs: s.pendingAfter,
    };
    const checked = snap
      ? runChecks(ctx, CLUSTER_CHECKS, snap, health, only === undefined ? {} : { only })
      : { findings: [], errors: [] };
    const results = await probes;
    recordProbeMetrics(ctx, results);
    const findings = [
      ...(snap?.findings ?? []),
      ...checked.findings,
      ...probeFindings(results, s.slow, only),
    ];
    const failedProbes = results.filter((r) => !r.ok).length;
    const parts = [
      snap
        ? `${snap.objects.pods.length} pods, ${snap.objects.services.length} Services, ${snap.objects.jobs.length} Jobs checked`
        : undefined,
      results.length > 0 ? `${results.length - failedProbes}/${results.length} probes healthy` : undefined,
      `${findings.length} findings`,
    ].filter((p) => p !== undefined);
    return {
      summary: parts.join(', '),
      findings,
      errors: [...targetErrors, ...(snap?.errors ?? []), ...checked.errors],
      ...(results.length > 0 ? { data: { probes: results } } : {}),
    };
  },
});
