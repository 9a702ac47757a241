// eco-efficiency-bot: OpenCost's efficiency per workload (usage / request, cost-weighted), the
// over-allocated (< 50 %) and under-allocated (> 200 %) workloads with the money the unused requests
// cost (Popeye 503-506), and node bin-packing (requests vs allocatable, cluster-autoscaler's 0.5).
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
import { parseQuantity } from '../../shared/k8s/quantity.ts';
import { PROMETHEUS_SETTINGS, prometheusClientFrom } from '../../shared/prometheus/index.ts';
import {
  containerResources,
  groupWorkloads,
  WORKLOAD_RESOURCES,
  isActivePod,
} from '../../shared/workloads/index.ts';
import type { ContainerSpec } from '../../shared/workloads/index.ts';
import { containerKey, usageFromMetricsServer, usageFromPrometheus } from '../../shared/workloads/usage.ts';
import type { AverageUsage } from '../../shared/workloads/usage.ts';
import {
  efficiency,
  nodePacking,
  OVER_ALLOCATED_BELOW,
  UNDER_ALLOCATED_ABOVE,
  verdict,
  wastedPerHour,
} from './efficiency.ts';
import type { WorkloadUsage } from './efficiency.ts';

const NAME = 'eco-efficiency-bot';

const KINDS = {
  namespaces: resources.namespaces,
  nodes: resources.nodes,
  ...WORKLOAD_RESOURCES,
};

const SETTINGS = {
  ...PROMETHEUS_SETTINGS,
  ...PRICE_BOOK_SETTINGS,
  window: setting.duration({
    env: 'ECO_EFFICIENCY_WINDOW',
    default: '24h',
    min: '1h',
    max: '31d',
    meaning: 'window of the average usage read from Prometheus',
  }),
};

const Input = Type.Object(
  { namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })) },
  { additionalProperties: false },
);

const pct = (ratio: number): string => `${Math.round(ratio * 100)}%`;

export default defineBot({
  name: NAME,
  category: 'optimisation',
  tier: 'small',
  summary:
    'Efficiency = usage/request (OpenCost, cost-weighted), over-allocated (< 50 %) and under-allocated (> 200 %) workloads with the money at stake, node bin-packing',
  triggers: { http: true, cron: '15 6 * * *' },
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
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
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
            'PROMETHEUS_URL is not set: efficiency is judged on one metrics.k8s.io sample per pod, not an average over the window',
          evidence: { fallback: 'metrics.k8s.io' },
          fix: 'Set PROMETHEUS_URL for average usage over the window',
        }),
      );
      usage = await usageFromMetricsServer(ctx, input.namespace);
    }
    errors.push(...usage.errors);
    const sourceNote =
      usage.source === 'prometheus'
        ? `average over ${ctx.settings.window / 3_600_000} h`
        : usage.source === 'metrics.k8s.io'
          ? 'a single metrics.k8s.io sample'
          : 'no usage data';

    const now = ctx.now();
    const namespaces = new Map(snap.objects.namespaces.map((n) => [n.metadata.name, n]));
    const nodes = new Map(
      snap.objects.nodes.map((n) => [n.metadata.name, pricedNode(n as Parameters<typeof pricedNode>[0])]),
    );
    const rows: Array<Record<string, unknown>> = [];
    if (usage.source !== 'none') {
      for (const workload of groupWorkloads(snap.objects)) {
        if (workload.kind === 'Job') continue;
        if (optOut(workload.object.metadata.annotations, now, workload.name).excluded) continue;
        if (
          optOut(namespaces.get(workload.namespace)?.metadata.annotations, now, workload.namespace).excluded
        )
          continue;
        const totals: WorkloadUsage = {
          cpuRequestCores: 0,
          cpuUsageCores: 0,
          memoryRequestBytes: 0,
          memoryUsageBytes: 0,
        };
        let measured = 0;
        let nodeName: string | undefined;
        for (const pod of workload.pods.filter(isActivePod)) {
          nodeName ??= (pod['spec'] as { nodeName?: string }).nodeName;
          for (const container of (pod['spec'] as { containers?: ContainerSpec[] }).containers ?? []) {
            const res = containerResources(container);
            const used = usage.byContainer.get(
              containerKey(workload.namespace, pod.metadata.name, container.name),
            );
            if (!used) continue;
            measured += 1;
            totals.cpuRequestCores += res.requests.cpu ?? 0;
            totals.memoryRequestBytes += res.requests.memory ?? 0;
            totals.cpuUsageCores += used.cpu ?? 0;
            totals.memoryUsageBytes += used.memory ?? 0;
          }
        }
        if (measured === 0) continue;
        const node = nodeName ? nodes.get(nodeName) : undefined;
        const prices = book.nodePrices(node);
        const eff = efficiency(totals, prices);
        const cpuVerdict = verdict(totals.cpuUsageCores, totals.cpuRequestCores);
        const memoryVerdict = verdict(totals.memoryUsageBytes, totals.memoryRequestBytes);
        rows.push({
          namespace: workload.namespace,
          kind: workload.kind,
          name: workload.name,
          cpu: eff.cpu,
          memory: eff.memory,
          total: eff.total,
        });
        const evidence = {
          usageSource: sourceNote,
          cpu: {
            requestCores: totals.cpuRequestCores,
            usageCores: Number(totals.cpuUsageCores.toFixed(4)),
            efficiency: Number(eff.cpu.toFixed(4)),
          },
          memory: {
            requestBytes: totals.memoryRequestBytes,
            usageBytes: Math.round(totals.memoryUsageBytes),
            efficiency: Number(eff.memory.toFixed(4)),
          },
          totalEfficiency: Number(eff.total.toFixed(4)),
          thresholds: {
            overAllocatedBelow: OVER_ALLOCATED_BELOW,
            underAllocatedAbove: UNDER_ALLOCATED_ABOVE,
          },
          pods: workload.pods.length,
          prices: { cpuCoreHour: prices.cpuCoreHour, ramGiBHour: prices.ramGiBHour, source: prices.source },
        };
        const over = [
          cpuVerdict === 'over-allocated' ? `CPU ${pct(eff.cpu)}` : '',
          memoryVerdict === 'over-allocated' ? `memory ${pct(eff.memory)}` : '',
        ].filter(Boolean);
        if (over.length > 0) {
          const wasted = wastedPerHour(totals, prices) * HOURS_PER_MONTH;
          findings.push(
            finding({
              bot: NAME,
              check: 'efficiency.over-allocated',
              severity: 'warning',
              object: objectRef(workload.object, workload.type),
              message: `${workload.kind} ${workload.namespace}/${workload.name} uses ${over.join(' and ')} of what it requests (${sourceNote}); the unused requests cost ${roundCost(wasted)} ${book.currency}/month`,
              evidence: { ...evidence, wastedMonthly: roundCost(wasted) },
              fix: `Lower the requests towards usage: run eco-resource-bot for a KRR recommendation for ${workload.namespace}/${workload.name}`,
              impact: { monthlyCost: roundCost(wasted), currency: book.currency },
            }),
          );
        }
        const under = [
          cpuVerdict === 'under-allocated' ? `CPU ${pct(eff.cpu)}` : '',
          memoryVerdict === 'under-allocated' ? `memory ${pct(eff.memory)}` : '',
        ].filter(Boolean);
        if (under.length > 0) {
          const extraCpu = Math.max(0, totals.cpuUsageCores - totals.cpuRequestCores);
          const extraMemory = Math.max(0, totals.memoryUsageBytes - totals.memoryRequestBytes);
          const extra =
            (extraCpu * prices.cpuCoreHour + (extraMemory / 2 ** 30) * prices.ramGiBHour) * HOURS_PER_MONTH;
          findings.push(
            finding({
              bot: NAME,
              check: 'efficiency.under-allocated',
              severity: 'warning',
              object: objectRef(workload.object, workload.type),
              message: `${workload.kind} ${workload.namespace}/${workload.name} uses ${under.join(' and ')} of what it requests (${sourceNote}): the scheduler places it on too little, and it is evicted first under pressure`,
              evidence: { ...evidence, unrequestedMonthly: roundCost(extra) },
              fix: `Raise the requests to its usage (eco-resource-bot recommends them) for ${workload.namespace}/${workload.name}`,
              impact: { monthlyCost: roundCost(extra), currency: book.currency },
            }),
          );
        }
      }
    }

    // Bin-packing: requests of the active pods per node against its allocatable.
    const requested = new Map<string, { cpu: number; memory: number }>();
    for (const pod of snap.objects.pods.filter(isActivePod)) {
      const name = (pod['spec'] as { nodeName?: string }).nodeName;
      if (!name) continue;
      const sum = requested.get(name) ?? { cpu: 0, memory: 0 };
      for (const c of (pod['spec'] as { containers?: ContainerSpec[] }).containers ?? []) {
        const res = containerResources(c);
        sum.cpu += res.requests.cpu ?? 0;
        sum.memory += res.requests.memory ?? 0;
      }
      requested.set(name, sum);
    }
    const packing = [];
    if (!input.namespace) {
      for (const node of snap.objects.nodes) {
        if ((node['spec'] as { unschedulable?: boolean } | undefined)?.unschedulable) continue;
        const allocatable =
          (node['status'] as { allocatable?: Record<string, string> } | undefined)?.allocatable ?? {};
        const packed = nodePacking(
          node.metadata.name,
          requested.get(node.metadata.name) ?? { cpu: 0, memory: 0 },
          {
            cpu: parseQuantity(allocatable['cpu']) ?? 0,
            memory: parseQuantity(allocatable['memory']) ?? 0,
          },
        );
        packing.push(packed);
        if (!packed.underused) continue;
        const priced = nodes.get(node.metadata.name);
        const monthly = book.monthlyCost(
          priced?.cpuCores ?? 0,
          priced?.memoryBytes ?? 0,
          priced,
          priced?.gpus ?? 0,
        );
        findings.push(
          finding({
            bot: NAME,
            check: 'efficiency.node-underused',
            severity: 'info',
            object: objectRef(node, resources.nodes),
            message: `Node ${node.metadata.name} is ${pct(packed.packed)} requested (CPU ${pct(packed.cpuRatio)}, memory ${pct(packed.memoryRatio)}): below cluster-autoscaler's 50 % scale-down threshold`,
            evidence: { ...packed, threshold: 0.5, nodeMonthly: roundCost(monthly) },
            fix: 'Drain and remove it if the others can hold its pods (cluster-autoscaler does this for node groups), or bin-pack with the descheduler',
            impact: { monthlyCost: roundCost(monthly * (1 - packed.packed)), currency: book.currency },
          }),
        );
      }
    }
    const over = findings.filter((f) => f.check === 'efficiency.over-allocated').length;
    const under = findings.filter((f) => f.check === 'efficiency.under-allocated').length;
    return {
      summary: `${rows.length} workloads measured (${sourceNote}): ${over} over-allocated, ${under} under-allocated; ${packing.filter((p) => p.underused).length} of ${packing.length} nodes under 50 % requested`,
      findings,
      errors,
      data: { usageSource: usage.source, workloads: rows, nodes: packing },
    };
  },
});
