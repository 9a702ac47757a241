// eco-cost-bot: OpenCost's cost allocation per namespace, workload, pod or label, with idle cost,
// a 730-hour monthly projection and namespace budgets with their burn rate. `data` holds the table;
// `format: "csv"` also serves it as CSV.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  finding,
  objectRef,
  optOut,
  resources,
  setting,
  takeSnapshot,
  unconfiguredFinding,
} from '../../shared/index.ts';
import type { Finding, RunResult } from '../../shared/index.ts';
import {
  HOURS_PER_MONTH,
  PRICE_BOOK_RBAC,
  PRICE_BOOK_SETTINGS,
  priceBookFor,
  pricedNode,
  roundCost,
} from '../../shared/cost/index.ts';
import { PROMETHEUS_SETTINGS, prometheusClientFrom } from '../../shared/prometheus/index.ts';
import {
  containerResources,
  groupWorkloads,
  WORKLOAD_RESOURCES,
  isActivePod,
} from '../../shared/workloads/index.ts';
import type { ContainerSpec } from '../../shared/workloads/index.ts';
import { allocate, BUDGET_ANNOTATION, budgetStatus, IDLE, toCsv } from './allocation.ts';
import type { AggregateBy, ContainerAllocation, IdleSharing, NodeCapacity } from './allocation.ts';
import { containerKey, usageFromMetricsServer, usageFromPrometheus } from '../../shared/workloads/usage.ts';
import type { AverageUsage } from '../../shared/workloads/usage.ts';

const NAME = 'eco-cost-bot';

const KINDS = {
  namespaces: resources.namespaces,
  nodes: resources.nodes,
  ...WORKLOAD_RESOURCES,
};

const SETTINGS = {
  ...PROMETHEUS_SETTINGS,
  ...PRICE_BOOK_SETTINGS,
  window: setting.duration({
    env: 'ECO_COST_WINDOW',
    default: '24h',
    min: '1h',
    max: '31d',
    meaning: 'the window costs are allocated over (then projected to 730 hours)',
  }),
  idleNodeShare: setting.number({
    env: 'ECO_COST_IDLE_NODE_SHARE',
    default: 0.5,
    min: 0,
    max: 1,
    meaning: 'report a node whose idle share of its cost is at least this (cost.node-idle)',
  }),
};

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    aggregate: Type.Optional(
      Type.Union(
        [
          Type.Literal('namespace'),
          Type.Literal('workload'),
          Type.Literal('pod'),
          Type.String({ pattern: '^label:[A-Za-z0-9./_-]+$' }),
        ],
        {
          description: 'namespace | workload | pod | label:<key>',
        },
      ),
    ),
    idle: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('weighted'), Type.Literal('even')])),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);

export default defineBot({
  name: NAME,
  category: 'optimisation',
  tier: 'small',
  summary:
    'Cost allocation per namespace, workload or label (OpenCost: max(request, usage) × hours × price book), idle cost, monthly projection, namespace budgets with burn rate',
  triggers: { http: true, httpGet: true, cron: '0 7 * * *' },
  rbac: [
    { apiGroups: [''], resources: ['namespaces', 'nodes', 'pods'], verbs: ['list'] },
    {
      apiGroups: ['apps'],
      resources: ['replicasets', 'deployments', 'statefulsets', 'daemonsets'],
      verbs: ['list'],
    },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
    { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['list'] },
    PRICE_BOOK_RBAC,
  ],
  mutates: false,
  input: Input,
  settings: SETTINGS,
  scopeOptions: ['namespace'],
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
    const aggregateBy = (input.aggregate ?? 'namespace') as AggregateBy;
    const idle: IdleSharing = input.idle ?? 'none';
    const windowHours = ctx.settings.window / 3_600_000;
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const findings: Finding[] = [...snap.findings];
    const { book, errors: bookErrors } = await priceBookFor(ctx, ctx.settings);
    const errors = [...snap.errors, ...bookErrors];

    const client = prometheusClientFrom(ctx.settings);
    let usage: AverageUsage;
    if (client)
      usage = await usageFromPrometheus(client, Math.round(ctx.settings.window / 1000), ctx, input.namespace);
    else {
      findings.push(
        unconfiguredFinding({
          bot: NAME,
          setting: 'PROMETHEUS_URL',
          message:
            'PROMETHEUS_URL is not set: usage is one metrics.k8s.io sample taken as the window’s average, and every running pod is charged for the whole window',
          evidence: { fallback: 'metrics.k8s.io' },
          fix: 'Set PROMETHEUS_URL for average usage over the window',
        }),
      );
      usage = await usageFromMetricsServer(ctx, input.namespace);
    }
    errors.push(...usage.errors);

    const workloadOf = new Map<string, string>();
    for (const w of groupWorkloads(snap.objects)) {
      for (const pod of w.pods)
        workloadOf.set(`${pod.metadata.namespace}/${pod.metadata.name}`, `${w.kind}/${w.name}`);
    }
    const containers: ContainerAllocation[] = [];
    for (const pod of snap.objects.pods) {
      if (!isActivePod(pod)) continue;
      const spec = pod['spec'] as { nodeName?: string; containers?: ContainerSpec[] } | undefined;
      const namespace = pod.metadata.namespace ?? '';
      for (const container of spec?.containers ?? []) {
        const res = containerResources(container);
        const used = usage.byContainer.get(containerKey(namespace, pod.metadata.name, container.name));
        containers.push({
          namespace,
          pod: pod.metadata.name,
          container: container.name,
          ...(spec?.nodeName ? { node: spec.nodeName } : {}),
          workload: workloadOf.get(`${namespace}/${pod.metadata.name}`) ?? `Pod/${pod.metadata.name}`,
          labels: pod.metadata.labels ?? {},
          cpuRequestCores: res.requests.cpu ?? 0,
          memoryRequestBytes: res.requests.memory ?? 0,
          gpuRequest: res.requests.gpu ?? 0,
          ...(used?.cpu !== undefined ? { cpuUsageCores: used.cpu } : {}),
          ...(used?.memory !== undefined ? { memoryUsageBytes: used.memory } : {}),
        });
      }
    }
    const nodes: NodeCapacity[] = snap.objects.nodes.map((node) => {
      const priced = pricedNode(node as Parameters<typeof pricedNode>[0]);
      return {
        node: priced,
        cpuCores: priced.cpuCores ?? 0,
        memoryBytes: priced.memoryBytes ?? 0,
        gpus: priced.gpus ?? 0,
      };
    });
    // A namespace-scoped run cannot know other namespaces' share of a node: no idle then.
    const scopedNodes = input.namespace ? [] : nodes;
    const result = allocate({ windowHours, nodes: scopedNodes, containers, book, aggregateBy, idle });
    const byNamespace = allocate({
      windowHours,
      nodes: scopedNodes,
      containers,
      book,
      aggregateBy: 'namespace',
      idle: 'none',
    });

    // Budgets per namespace (annotation), on what the namespace itself is charged.
    const now = ctx.now();
    for (const ns of snap.objects.namespaces) {
      if (optOut(ns.metadata.annotations, now, ns.metadata.name).excluded) continue;
      const row = byNamespace.rows.find((r) => r.name === ns.metadata.name);
      const status = budgetStatus(ns.metadata.annotations?.[BUDGET_ANNOTATION], row?.monthlyCost ?? 0);
      if (!status || status.state === 'ok') continue;
      findings.push(
        finding({
          bot: NAME,
          check: status.state === 'over' ? 'cost.over-budget' : 'cost.budget-burn',
          severity: status.state === 'over' ? 'warning' : 'info',
          object: objectRef(ns, resources.namespaces),
          message: `Namespace ${ns.metadata.name} is projected at ${roundCost(status.projected)} ${book.currency}/month against a budget of ${status.budget} (burn rate ${status.burnRate.toFixed(2)})`,
          evidence: {
            budget: status.budget,
            projectedMonthly: roundCost(status.projected),
            burnRate: Number(status.burnRate.toFixed(3)),
            windowHours,
            annotation: BUDGET_ANNOTATION,
            usageSource: usage.source,
          },
          fix: `Right-size the namespace's workloads (eco-resource-bot) or raise its ${BUDGET_ANNOTATION} annotation`,
          impact: {
            monthlyCost: roundCost(Math.max(0, status.projected - status.budget)),
            currency: book.currency,
          },
        }),
      );
    }

    // Idle cost per node: what the node costs and nobody is charged for.
    if (!input.namespace) {
      for (const node of snap.objects.nodes) {
        const capacity = nodes.find((n) => n.node.name === node.metadata.name);
        if (!capacity) continue;
        const prices = book.nodePrices(capacity.node);
        const nodeHourly =
          capacity.cpuCores * prices.cpuCoreHour +
          (capacity.memoryBytes / 2 ** 30) * prices.ramGiBHour +
          capacity.gpus * prices.gpuHour;
        const onNode = containers.filter((c) => c.node === node.metadata.name);
        const charged = allocate({
          windowHours: 1,
          nodes: [capacity],
          containers: onNode,
          book,
          aggregateBy: 'namespace',
          idle: 'none',
        });
        const idleHourly = charged.totals.idle;
        if (nodeHourly <= 0 || idleHourly / nodeHourly < ctx.settings.idleNodeShare) continue;
        findings.push(
          finding({
            bot: NAME,
            check: 'cost.node-idle',
            severity: 'info',
            object: objectRef(node, resources.nodes),
            message: `Node ${node.metadata.name}: ${Math.round((idleHourly / nodeHourly) * 100)}% of its ${roundCost(nodeHourly * HOURS_PER_MONTH)} ${book.currency}/month is idle (no pod is charged for it)`,
            evidence: {
              nodeMonthly: roundCost(nodeHourly * HOURS_PER_MONTH),
              idleMonthly: roundCost(idleHourly * HOURS_PER_MONTH),
              prices,
              pods: new Set(onNode.map((c) => c.pod)).size,
            },
            fix: 'Consolidate: fewer or smaller nodes (cluster-autoscaler scales down under 50 % requested), or move work here',
            impact: { monthlyCost: roundCost(idleHourly * HOURS_PER_MONTH), currency: book.currency },
          }),
        );
      }
    }

    const idleRow = result.rows.find((r) => r.name === IDLE);
    const table = result.rows.map((r) => ({
      name: r.name,
      cpuCost: roundCost(r.cpuCost),
      ramCost: roundCost(r.ramCost),
      gpuCost: roundCost(r.gpuCost),
      sharedIdleCost: roundCost(r.sharedIdleCost),
      totalCost: roundCost(r.totalCost),
      monthlyCost: roundCost(r.monthlyCost),
      cpuCoreHours: Number(r.cpuCoreHours.toFixed(3)),
      ramGiBHours: Number(r.ramGiBHours.toFixed(3)),
    }));
    return {
      summary: `${roundCost(result.totals.monthly)} ${book.currency}/month projected from ${windowHours} h (${result.rows.length} ${aggregateBy} rows, idle ${roundCost(((idleRow?.totalCost ?? result.totals.idle) * HOURS_PER_MONTH) / windowHours)}/month, usage from ${usage.source})`,
      findings,
      errors,
      data: {
        currency: book.currency,
        windowHours,
        aggregate: aggregateBy,
        idle,
        usageSource: usage.source,
        totals: {
          allocated: roundCost(result.totals.allocated),
          idle: roundCost(result.totals.idle),
          cluster: roundCost(result.totals.cluster),
          monthly: roundCost(result.totals.monthly),
        },
        allocation: table,
        prices: book.describe(),
      },
      ...(input.format === 'csv'
        ? { http: { contentType: 'text/csv; charset=utf-8', body: toCsv(result) } }
        : {}),
    };
  },
});
