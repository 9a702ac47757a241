// eco-resource-bot: right-sizing by KRR's `simple` strategy from Prometheus history (14 days at a
// 75 s step), falling back to one metrics.k8s.io sample per pod without Prometheus. Optional apply
// (ECO_RESOURCE_APPLY) patches a workload's requests through the rails.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  finding,
  objectRef,
  optOut,
  resources,
  SAFETY_RAILS_RBAC,
  setting,
  takeSnapshot,
  unconfiguredFinding,
} from '../../shared/index.ts';
import type { Context, Finding, ReportError, RunResult, Severity } from '../../shared/index.ts';
import {
  PRICE_BOOK_RBAC,
  PRICE_BOOK_SETTINGS,
  priceBookFor,
  pricedNode,
  roundCost,
} from '../../shared/cost/index.ts';
import type { PriceBook, PricedNode } from '../../shared/cost/index.ts';
import { PROMETHEUS_SETTINGS, prometheusClientFrom } from '../../shared/prometheus/index.ts';
import { groupWorkloads } from '../../shared/workloads/index.ts';
import type { Workload } from '../../shared/workloads/index.ts';
import { analyseWorkload, changeText, hpaTargets, podMatcher } from './analyse.ts';
import type { ContainerResult } from './analyse.ts';
import { formatCpu, formatMemory, KRR_SIMPLE } from './krr.ts';
import type { KrrSettings, KrrSeverity } from './krr.ts';
import { fromMetricsServer, fromPrometheus } from './sources.ts';
import type { UsageSource } from './sources.ts';

const NAME = 'eco-resource-bot';

const KINDS = {
  namespaces: resources.namespaces,
  nodes: resources.nodes,
  pods: resources.pods,
  replicasets: resources.replicasets,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  daemonsets: resources.daemonsets,
  hpas: resources.horizontalpodautoscalers,
};

const SEVERITY_ORDER: Record<KrrSeverity, number> = { GOOD: 0, OK: 1, WARNING: 2, CRITICAL: 3 };
// Right-sizing is never an outage: KRR's CRITICAL/WARNING are warnings here, OK is info.
const FINDING_SEVERITY: Record<KrrSeverity, Severity> = {
  GOOD: 'info',
  OK: 'info',
  WARNING: 'warning',
  CRITICAL: 'warning',
};

const SETTINGS = {
  ...PROMETHEUS_SETTINGS,
  ...PRICE_BOOK_SETTINGS,
  history: setting.duration({
    env: 'ECO_RESOURCE_HISTORY',
    default: '14d',
    min: '1h',
    max: '90d',
    meaning: 'history window of the KRR queries (KRR: 336 h)',
  }),
  step: setting.duration({
    env: 'ECO_RESOURCE_STEP',
    default: '75s',
    min: '15s',
    max: '1h',
    meaning: 'query step (KRR: 1.25 min)',
  }),
  cpuPercentile: setting.number({
    env: 'ECO_RESOURCE_CPU_PERCENTILE',
    default: 95,
    min: 1,
    max: 100,
    meaning: 'percentile of CPU usage taken as the request (KRR simple: 95)',
  }),
  memoryBufferPercent: setting.number({
    env: 'ECO_RESOURCE_MEMORY_BUFFER_PERCENT',
    default: 15,
    min: 0,
    max: 200,
    meaning: 'added to the peak working set for the memory request and limit (KRR: 15)',
  }),
  pointsRequired: setting.number({
    env: 'ECO_RESOURCE_POINTS_REQUIRED',
    default: 100,
    min: 1,
    integer: true,
    meaning: 'fewer data points than this: no recommendation (KRR: 100)',
  }),
  allowHpa: setting.boolean({
    env: 'ECO_RESOURCE_ALLOW_HPA',
    default: false,
    meaning: 'recommend a resource an HPA scales on (KRR --allow-hpa); else "?"',
  }),
  useOomKillData: setting.boolean({
    env: 'ECO_RESOURCE_USE_OOMKILL',
    default: true,
    meaning: 'after an OOMKill, memory at least the limit then × 1.25 (KRR --use_oomkill_data)',
  }),
  minSeverity: setting.enum({
    env: 'ECO_RESOURCE_MIN_SEVERITY',
    values: ['OK', 'WARNING', 'CRITICAL'] as const,
    default: 'OK',
    meaning: 'report containers whose KRR severity is at least this',
  }),
  apply: setting.boolean({
    env: 'ECO_RESOURCE_APPLY',
    default: false,
    meaning:
      "patch workloads' requests to the recommendation through the rails (still dry-run unless ECO_MODE=apply)",
  }),
};

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
  },
  { additionalProperties: false },
);

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function krrSettingsFrom(s: {
  history: number;
  step: number;
  cpuPercentile: number;
  memoryBufferPercent: number;
  pointsRequired: number;
  allowHpa: boolean;
  useOomKillData: boolean;
}): KrrSettings {
  return {
    ...KRR_SIMPLE,
    historySeconds: Math.round(s.history / 1000),
    stepSeconds: Math.round(s.step / 1000),
    cpuPercentile: s.cpuPercentile / 100,
    memoryBufferRatio: s.memoryBufferPercent / 100,
    pointsRequired: s.pointsRequired,
    allowHpa: s.allowHpa,
    useOomKillData: s.useOomKillData,
  };
}

function nodeOf(workload: Workload, nodes: Map<string, PricedNode>): PricedNode | undefined {
  for (const pod of workload.pods) {
    const name = (pod['spec'] as { nodeName?: string } | undefined)?.nodeName;
    const node = name === undefined ? undefined : nodes.get(name);
    if (node) return node;
  }
  return undefined;
}

function resultFinding(
  result: ContainerResult,
  source: UsageSource,
  settings: KrrSettings,
  book: PriceBook,
): Finding {
  const { workload, recommendation: rec } = result;
  const single = source.kind === 'metrics.k8s.io';
  const changes = changeText(result);
  const savings = result.monthlyCost?.savings;
  const query = source.queries.get(workload.namespace);
  const cpu = rec.cpuRequest.kind === 'value' ? formatCpu(rec.cpuRequest.value) : undefined;
  const memory = rec.memoryRequest.kind === 'value' ? formatMemory(rec.memoryRequest.value) : undefined;
  const requests = [cpu && `cpu=${cpu}`, memory && `memory=${memory}`].filter(Boolean).join(',');
  const kind = workload.kind.toLowerCase();
  return finding({
    bot: NAME,
    check: 'resource.right-size',
    severity: single && result.severity !== 'GOOD' ? 'info' : FINDING_SEVERITY[result.severity],
    object: objectRef(workload.object, workload.type),
    discriminator: result.container,
    message: `${workload.kind} ${workload.namespace}/${workload.name} container ${result.container}: ${changes} (KRR simple${single ? ', from a single metrics.k8s.io sample' : `, p${Math.round(settings.cpuPercentile * 100)} CPU over ${settings.historySeconds / 3600} h`})`,
    evidence: {
      strategy: 'KRR simple',
      source: single
        ? 'metrics.k8s.io (a single sample per pod: no history, a first estimate only)'
        : 'prometheus',
      ...(query ? { queries: query } : {}),
      windowHours: single ? 0 : settings.historySeconds / 3600,
      stepSeconds: single ? undefined : settings.stepSeconds,
      cpuPercentile: settings.cpuPercentile,
      memoryBuffer: settings.memoryBufferRatio,
      pointsRequired: single ? 1 : settings.pointsRequired,
      floors: { cpu: formatCpu(settings.cpuMinCores), memory: formatMemory(settings.memoryMinBytes) },
      pods: result.pods,
      replicas: result.replicas,
      current: {
        cpuRequest: result.current.cpuRequest === undefined ? null : formatCpu(result.current.cpuRequest),
        cpuLimit: result.current.cpuLimit === undefined ? null : formatCpu(result.current.cpuLimit),
        memoryRequest:
          result.current.memoryRequest === undefined ? null : formatMemory(result.current.memoryRequest),
        memoryLimit:
          result.current.memoryLimit === undefined ? null : formatMemory(result.current.memoryLimit),
      },
      recommended: {
        cpuRequest:
          rec.cpuRequest.kind === 'value'
            ? formatCpu(rec.cpuRequest.value)
            : rec.cpuRequest.kind === 'hpa'
              ? '?'
              : rec.cpuRequest.kind,
        cpuLimit: 'unset',
        memoryRequest: memory ?? (rec.memoryRequest.kind === 'hpa' ? '?' : rec.memoryRequest.kind),
        memoryLimit: memory ?? (rec.memoryLimit.kind === 'hpa' ? '?' : rec.memoryLimit.kind),
      },
      explanation: rec.explanation,
      krrSeverity: { overall: result.severity, ...result.severities },
      ...(result.hpa ? { hpa: result.hpa } : {}),
      ...(result.monthlyCost
        ? {
            monthlyCost: {
              current: roundCost(result.monthlyCost.current),
              recommended: roundCost(result.monthlyCost.recommended),
              delta: roundCost(-result.monthlyCost.savings),
              currency: book.currency,
            },
          }
        : {}),
    },
    fix:
      requests === ''
        ? `Review the container's requests (${changes})`
        : `kubectl -n ${workload.namespace} set resources ${kind}/${workload.name} -c ${result.container} --requests=${requests}${memory ? ` --limits=memory=${memory}` : ''}`,
    ...(savings !== undefined && savings > 0
      ? { impact: { monthlyCost: roundCost(savings), currency: book.currency } }
      : {}),
  });
}

async function applyRecommendations(ctx: Context, results: ContainerResult[]): Promise<void> {
  const byWorkload = new Map<Workload, ContainerResult[]>();
  for (const result of results) {
    if (
      result.recommendation.cpuRequest.kind !== 'value' ||
      result.recommendation.memoryRequest.kind !== 'value'
    )
      continue;
    if (SEVERITY_ORDER[result.severity] < SEVERITY_ORDER.WARNING) continue;
    byWorkload.set(result.workload, [...(byWorkload.get(result.workload) ?? []), result]);
  }
  for (const [workload, list] of byWorkload) {
    const containers = list.map((r) => {
      const cpu = formatCpu((r.recommendation.cpuRequest as { value: number }).value);
      const memory = formatMemory((r.recommendation.memoryRequest as { value: number }).value);
      return { name: r.container, resources: { requests: { cpu, memory }, limits: { memory } } };
    });
    await ctx.safety.patch(
      workload.type,
      workload.object,
      { spec: { template: { spec: { containers } } } },
      'strategic',
      `KRR simple right-sizing: ${list.map(changeText).join('; ')}`,
    );
  }
}

export default defineBot({
  name: NAME,
  category: 'optimisation',
  tier: 'medium',
  summary:
    "Right-sizing by KRR's simple strategy: CPU request = p95 of usage over 14 days (max across pods), memory = peak working set + 15 %, from Prometheus or one metrics.k8s.io sample; optional apply",
  triggers: { http: true, cron: '0 6 * * 1', alerts: ['HighMemory'] },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['namespaces', 'nodes', 'pods'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'daemonsets'],
      verbs: ['get', 'list', 'patch'],
    },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
    { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['list'] },
    PRICE_BOOK_RBAC,
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
    const settings = krrSettingsFrom(ctx.settings);
    const snap = await takeSnapshot(ctx, KINDS, {
      ...(input.namespace ? { namespace: input.namespace } : {}),
      optional: ['hpas'],
    });
    const findings: Finding[] = [...snap.findings];
    const errors: ReportError[] = [...snap.errors];
    const { book, errors: bookErrors } = await priceBookFor(ctx, ctx.settings);
    errors.push(...bookErrors);

    const now = ctx.now();
    const namespaces = new Map(snap.objects.namespaces.map((n) => [n.metadata.name, n]));
    const nodes = new Map(
      snap.objects.nodes.map((n) => [n.metadata.name, pricedNode(n as Parameters<typeof pricedNode>[0])]),
    );
    const all = groupWorkloads({
      pods: snap.objects.pods,
      replicasets: snap.objects.replicasets,
      deployments: snap.objects.deployments,
      statefulsets: snap.objects.statefulsets,
      daemonsets: snap.objects.daemonsets,
    }).filter((w) => WORKLOAD_KINDS.has(w.kind));
    const excluded: string[] = [];
    const workloads = all.filter((w) => {
      const own = optOut(w.object.metadata.annotations, now, `${w.kind} ${w.name}`);
      const ns = optOut(namespaces.get(w.namespace)?.metadata.annotations, now, `namespace ${w.namespace}`);
      if (own.excluded || ns.excluded) excluded.push(`${w.namespace}/${w.kind}/${w.name}`);
      return !own.excluded && !ns.excluded;
    });

    const client = prometheusClientFrom(ctx.settings);
    let source: UsageSource;
    if (client) {
      const names = [...new Set(workloads.map((w) => w.namespace))].sort();
      source = await fromPrometheus(client, names, settings, ctx);
    } else {
      findings.push(
        unconfiguredFinding({
          bot: NAME,
          setting: 'PROMETHEUS_URL',
          message:
            'PROMETHEUS_URL is not set: recommendations come from a single metrics.k8s.io sample per pod, not from 14 days of history',
          evidence: { fallback: 'metrics.k8s.io' },
          fix: 'Set PROMETHEUS_URL to a Prometheus holding cAdvisor metrics (container_cpu_usage_seconds_total, container_memory_working_set_bytes)',
        }),
      );
      const fallback = await fromMetricsServer(ctx, input.namespace);
      source = fallback;
      if (fallback.missing) {
        findings.push(
          finding({
            bot: NAME,
            check: `${NAME}.api-missing`,
            severity: 'info',
            object: {
              apiVersion: 'apiregistration.k8s.io/v1',
              kind: 'APIService',
              name: 'v1beta1.metrics.k8s.io',
            },
            message:
              'metrics.k8s.io is not served and Prometheus is not configured: no usage to right-size from',
            fix: 'Install metrics-server, or set PROMETHEUS_URL',
          }),
        );
      }
    }
    errors.push(...source.errors);
    // A single sample is one point: the 100-point rule would always refuse it.
    const effective = source.kind === 'metrics.k8s.io' ? { ...settings, pointsRequired: 1 } : settings;

    const hpas = hpaTargets(snap.objects.hpas);
    const results: ContainerResult[] = [];
    for (const workload of workloads) {
      const hpa = hpas.get(`${workload.namespace}/${workload.kind}/${workload.name}`);
      const node = nodeOf(workload, nodes);
      results.push(
        ...analyseWorkload(
          workload,
          source.byNamespace.get(workload.namespace),
          podMatcher(workload, snap.objects.replicasets),
          effective,
          { book, ...(hpa ? { hpa } : {}), ...(node ? { node } : {}) },
        ),
      );
    }
    const threshold = SEVERITY_ORDER[ctx.settings.minSeverity];
    const hasData = (r: ContainerResult): boolean =>
      r.recommendation.cpuRequest.kind !== 'none' || r.recommendation.memoryRequest.kind !== 'none';
    // Without data KRR has nothing to say, not even about the CPU limit it would leave unset.
    const reported = results.filter(
      (r) => hasData(r) && SEVERITY_ORDER[r.severity] >= threshold && changeText(r) !== '',
    );
    for (const result of reported) findings.push(resultFinding(result, source, effective, book));
    if (ctx.settings.apply && source.kind === 'prometheus') await applyRecommendations(ctx, reported);

    const noData = results.filter(
      (r) => r.recommendation.cpuRequest.kind === 'none' && r.recommendation.memoryRequest.kind === 'none',
    ).length;
    const savings = reported.reduce((sum, r) => sum + Math.max(0, r.monthlyCost?.savings ?? 0), 0);
    return {
      summary: `${workloads.length} workloads (${results.length} containers) right-sized from ${source.kind}: ${reported.length} to change, ${noData} without enough data, ${excluded.length} excluded; ${roundCost(savings)} ${book.currency}/month to save`,
      findings,
      errors,
      data: {
        source: source.kind,
        windowHours: source.kind === 'prometheus' ? settings.historySeconds / 3600 : 0,
        excluded,
        monthlySavings: roundCost(savings),
        currency: book.currency,
        recommendations: results.map((r) => ({
          namespace: r.workload.namespace,
          kind: r.workload.kind,
          name: r.workload.name,
          container: r.container,
          severity: r.severity,
          change: changeText(r),
          pods: r.pods.length,
        })),
      },
    };
  },
});
