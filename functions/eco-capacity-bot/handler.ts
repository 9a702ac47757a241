// eco-capacity-bot: headroom (allocatable − requests) per node and cluster, how many more pods of a
// size fit, days until requests reach allocatable from the 14-day trend (Prometheus), the mixin's
// overcommit (requests > allocatable − the largest node) and Popeye 602-605 (HPAs at max vs capacity).
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  finding,
  objectRef,
  resources,
  setting,
  takeSnapshot,
  unconfiguredFinding,
} from '../../shared/index.ts';
import type { Finding, KubeObject, RunResult } from '../../shared/index.ts';
import { parseQuantity } from '../../shared/k8s/quantity.ts';
import {
  PROMETHEUS_SETTINGS,
  prometheusClientFrom,
  prometheusReportError,
} from '../../shared/prometheus/index.ts';
import { containerResources, isActivePod, templateContainers } from '../../shared/workloads/index.ts';
import type { ContainerSpec } from '../../shared/workloads/index.ts';
import {
  allHpasBurst,
  clusterHeadroom,
  daysUntil,
  headroom,
  hpaBurst,
  overcommitted,
  podsThatFit,
} from './capacity.ts';
import type { HpaDemand, NodeCapacity } from './capacity.ts';
import { loadRequestTrend } from './history.ts';

const NAME = 'eco-capacity-bot';
const CLUSTER = { apiVersion: 'eco.bsw-arch.org/v1', kind: 'Cluster', name: 'cluster' };
const KINDS = {
  nodes: resources.nodes,
  pods: resources.pods,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  hpas: resources.horizontalpodautoscalers,
};

const SETTINGS = {
  ...PROMETHEUS_SETTINGS,
  exhaustionDays: setting.number({
    env: 'ECO_CAPACITY_EXHAUSTION_DAYS',
    default: 30,
    min: 1,
    max: 365,
    meaning: 'report when the request trend reaches allocatable within this many days',
  }),
  trendWindow: setting.duration({
    env: 'ECO_CAPACITY_TREND_WINDOW',
    default: '14d',
    min: '1d',
    max: '90d',
    meaning: 'history the request trend is fitted over',
  }),
};

const Input = Type.Object(
  {
    podCpu: Type.Optional(
      Type.String({ pattern: '^[0-9.]+m?$', description: 'pod size for "N more fit" (default 100m)' }),
    ),
    podMemory: Type.Optional(
      Type.String({
        pattern: '^[0-9.]+(Ki|Mi|Gi)?$',
        description: 'pod size for "N more fit" (default 128Mi)',
      }),
    ),
  },
  { additionalProperties: false },
);

const GiB = 2 ** 30;
const cores = (n: number): string => `${Number(n.toFixed(2))} cores`;
const gib = (n: number): string => `${Number((n / GiB).toFixed(1))}Gi`;

function podRequests(containers: readonly ContainerSpec[]): { cpu: number; memory: number } {
  return containers.reduce(
    (sum, c) => {
      const r = containerResources(c);
      return { cpu: sum.cpu + (r.requests.cpu ?? 0), memory: sum.memory + (r.requests.memory ?? 0) };
    },
    { cpu: 0, memory: 0 },
  );
}

export default defineBot({
  name: NAME,
  category: 'optimisation',
  tier: 'medium',
  summary:
    'Headroom (allocatable − requests), what fits (N more pods of size X), days until exhaustion from the request trend, overcommit, HPA max × requests vs capacity',
  triggers: { http: true, cron: '0 8 * * *' },
  rbac: [
    { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['list'] },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
  ],
  mutates: false,
  input: Input,
  settings: SETTINGS,
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, { optional: ['hpas'] });
    const findings: Finding[] = [...snap.findings];
    const errors = [...snap.errors];
    const requested = new Map<string, { cpu: number; memory: number; pods: number }>();
    for (const pod of snap.objects.pods.filter(isActivePod)) {
      const spec = pod['spec'] as { nodeName?: string; containers?: ContainerSpec[] };
      if (!spec.nodeName) continue;
      const sum = requested.get(spec.nodeName) ?? { cpu: 0, memory: 0, pods: 0 };
      const r = podRequests(spec.containers ?? []);
      requested.set(spec.nodeName, {
        cpu: sum.cpu + r.cpu,
        memory: sum.memory + r.memory,
        pods: sum.pods + 1,
      });
    }
    const nodes: NodeCapacity[] = snap.objects.nodes.map((node) => {
      const allocatable =
        (node['status'] as { allocatable?: Record<string, string> } | undefined)?.allocatable ?? {};
      const conditions =
        (node['status'] as { conditions?: Array<{ type?: string; status?: string }> } | undefined)
          ?.conditions ?? [];
      const ready =
        conditions.length === 0 || conditions.some((c) => c.type === 'Ready' && c.status === 'True');
      return {
        name: node.metadata.name,
        allocatable: {
          cpu: parseQuantity(allocatable['cpu']) ?? 0,
          memory: parseQuantity(allocatable['memory']) ?? 0,
          pods: parseQuantity(allocatable['pods']) ?? 110,
        },
        requested: requested.get(node.metadata.name) ?? { cpu: 0, memory: 0, pods: 0 },
        schedulable:
          ready && (node['spec'] as { unschedulable?: boolean } | undefined)?.unschedulable !== true,
      };
    });
    const cluster = clusterHeadroom(nodes);
    const size = {
      cpu: parseQuantity(input.podCpu ?? '100m') ?? 0.1,
      memory: parseQuantity(input.podMemory ?? '128Mi') ?? 128 * 2 ** 20,
    };
    const fits = podsThatFit(nodes, size);

    for (const resource of ['cpu', 'memory'] as const) {
      const over = overcommitted(nodes, resource);
      if (!over.overcommitted) continue;
      const fmt = resource === 'cpu' ? cores : gib;
      // The finding names the node the cluster could not afford to lose: its largest schedulable one.
      const largest = nodes
        .filter((n) => n.schedulable)
        .sort((a, b) => b.allocatable[resource] - a.allocatable[resource])[0];
      const largestNode = snap.objects.nodes.find((n) => n.metadata.name === largest?.name);
      findings.push(
        finding({
          bot: NAME,
          check: resource === 'cpu' ? 'capacity.cpu-overcommit' : 'capacity.memory-overcommit',
          severity: 'warning',
          object: largestNode ? objectRef(largestNode, resources.nodes) : CLUSTER,
          message: `${fmt(over.requested)} of ${resource} requested: more than the cluster keeps if it loses its largest node${largest ? `, ${largest.name}` : ''} (${fmt(over.tolerable)} left)`,
          evidence: {
            ...over,
            rule: 'requests > allocatable − largest node',
            anchor: resource === 'cpu' ? 'KubeCPUOvercommit' : 'KubeMemoryOvercommit',
          },
          fix: 'Add a node (or a larger one), or right-size requests (eco-resource-bot)',
        }),
      );
    }

    // HPAs at max (Popeye 602/603 one by one, 604/605 all together).
    const free = { cpu: cluster.cpu, memory: cluster.memory };
    const targets = new Map<string, KubeObject>();
    for (const o of [...snap.objects.deployments, ...snap.objects.statefulsets])
      targets.set(`${o.metadata.namespace}/${o.kind ?? ''}/${o.metadata.name}`, o);
    const demands: Array<{ hpa: KubeObject; demand: HpaDemand }> = [];
    for (const hpa of snap.objects.hpas) {
      const spec = hpa['spec'] as { maxReplicas?: number; scaleTargetRef?: { kind?: string; name?: string } };
      const ref = spec.scaleTargetRef;
      const list = ref?.kind === 'StatefulSet' ? snap.objects.statefulsets : snap.objects.deployments;
      const target = list.find(
        (o) => o.metadata.namespace === hpa.metadata.namespace && o.metadata.name === ref?.name,
      );
      if (!target || spec.maxReplicas === undefined) continue;
      const current = (hpa['status'] as { currentReplicas?: number } | undefined)?.currentReplicas ?? 0;
      const demand: HpaDemand = {
        namespace: hpa.metadata.namespace ?? '',
        name: hpa.metadata.name,
        maxReplicas: spec.maxReplicas,
        currentReplicas: current,
        podRequests: podRequests(templateContainers({ kind: 'Deployment', object: target })),
      };
      demands.push({ hpa, demand });
      const burst = hpaBurst(demand, free);
      if (!burst.cpuExceeds && !burst.memoryExceeds) continue;
      findings.push(
        finding({
          bot: NAME,
          check: 'capacity.hpa-burst',
          severity: 'warning',
          object: objectRef(hpa, resources.horizontalpodautoscalers),
          message: `HPA ${demand.namespace}/${demand.name} at maxReplicas ${demand.maxReplicas} needs ${cores(burst.extraCpu)} and ${gib(burst.extraMemory)} more; the cluster has ${cores(free.cpu)} and ${gib(free.memory)} free`,
          evidence: {
            ...burst,
            free,
            currentReplicas: current,
            maxReplicas: demand.maxReplicas,
            podRequests: demand.podRequests,
            anchor: 'Popeye POP-602/603',
          },
          fix: 'Lower maxReplicas to what fits, or add capacity (cluster-autoscaler max size)',
        }),
      );
    }
    const all = allHpasBurst(
      demands.map((d) => d.demand),
      free,
    );
    if (demands.length > 1 && (all.cpuExceeds || all.memoryExceeds)) {
      findings.push(
        finding({
          bot: NAME,
          check: 'capacity.hpa-all-burst',
          severity: 'warning',
          object: CLUSTER,
          message: `All ${demands.length} HPAs at max together need ${cores(all.extraCpu)} and ${gib(all.extraMemory)} more than now; ${cores(free.cpu)} and ${gib(free.memory)} are free`,
          evidence: {
            ...all,
            free,
            hpas: demands.map((d) => `${d.demand.namespace}/${d.demand.name}`),
            anchor: 'Popeye POP-604/605',
          },
          fix: 'Size the cluster (or the autoscaler’s max) for the HPAs’ peaks, or lower their maxReplicas',
        }),
      );
    }

    // Trend of requests.
    const client = prometheusClientFrom(ctx.settings);
    const trends: Record<string, unknown> = {};
    if (!client) {
      findings.push(
        unconfiguredFinding({
          bot: NAME,
          setting: 'PROMETHEUS_URL',
          message:
            'PROMETHEUS_URL is not set: days until exhaustion (the request trend) were not computed; headroom and HPA checks were',
          fix: 'Set PROMETHEUS_URL to a Prometheus with kube-state-metrics (kube_pod_container_resource_requests)',
        }),
      );
    } else {
      for (const resource of ['cpu', 'memory'] as const) {
        try {
          const { trend, points, query } = await loadRequestTrend(
            client,
            resource,
            { end: ctx.now(), seconds: Math.round(ctx.settings.trendWindow / 1000), stepSeconds: 3600 },
            { signal: ctx.signal },
          );
          const limit = cluster.allocatable[resource];
          const days = trend ? daysUntil(trend, limit) : undefined;
          trends[resource] = {
            points,
            slopePerDay: trend?.slopePerDay ?? null,
            current: trend?.current ?? null,
            allocatable: limit,
            daysUntilExhaustion: days ?? null,
            query,
          };
          if (days === undefined || days > ctx.settings.exhaustionDays) continue;
          const fmt = resource === 'cpu' ? cores : gib;
          findings.push(
            finding({
              bot: NAME,
              check: 'capacity.exhaustion',
              severity: days < 7 ? 'critical' : 'warning',
              object: CLUSTER,
              message: `At the ${ctx.settings.trendWindow / 86_400_000}-day trend (+${fmt(trend!.slopePerDay)} a day), ${resource} requests reach the allocatable ${fmt(limit)} in ${Math.floor(days)} days`,
              evidence: trends[resource] as Record<string, unknown>,
              fix: 'Plan capacity now: add nodes or raise the autoscaler’s max; right-size the biggest requesters (eco-resource-bot)',
            }),
          );
        } catch (error) {
          errors.push(prometheusReportError(error, `${resource} request trend`));
        }
      }
    }

    return {
      summary: `${nodes.filter((n) => n.schedulable).length} schedulable nodes: ${cores(cluster.cpu)} and ${gib(cluster.memory)} free (${cluster.pods} pod slots); ${fits} more pods of ${input.podCpu ?? '100m'}/${input.podMemory ?? '128Mi'} fit`,
      findings,
      errors,
      data: {
        cluster,
        fits: { size: { cpu: input.podCpu ?? '100m', memory: input.podMemory ?? '128Mi' }, count: fits },
        nodes: nodes.map((n) => ({
          name: n.name,
          schedulable: n.schedulable,
          allocatable: n.allocatable,
          requested: n.requested,
          headroom: headroom(n),
        })),
        trends,
      },
    };
  },
});
