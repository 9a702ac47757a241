import {
  collect,
  defineBot,
  finding,
  isK8sApiError,
  reportErrorFrom,
  resources,
  setting,
  settle,
} from '../../shared/index.ts';
import type {
  Context,
  Finding,
  KubeObject,
  ReportError,
  RbacRule,
  RunResult,
  SettingValues,
  Severity,
} from '../../shared/index.ts';
import { InputSchema, type Input } from './schema.ts';
import {
  nodeUsage,
  podBasis,
  podUsage,
  type ContainerBasis,
  type NodeMetrics,
  type PodMetrics,
  type PodUsage,
} from './usage.ts';

const NAME = 'eco-monitoring-bot';

const RBAC: RbacRule[] = [
  { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['list'] },
  { apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: ['list'] },
];

const METRICS_API = {
  apiVersion: 'apiregistration.k8s.io/v1',
  kind: 'APIService',
  name: 'v1beta1.metrics.k8s.io',
};

const SETTINGS = {
  cpuThreshold: setting.number({
    env: 'ECO_MONITOR_CPU_THRESHOLD',
    default: 80,
    min: 1,
    max: 1000,
    meaning: 'CPU percent above which a node or pod is reported',
  }),
  memoryThreshold: setting.number({
    env: 'ECO_MONITOR_MEMORY_THRESHOLD',
    default: 90,
    min: 1,
    max: 1000,
    meaning: 'memory percent above which a node or pod is reported',
  }),
};

/** Container limits/requests per pod, keyed `namespace/name`; the pod objects themselves are dropped. */
async function podBases(
  ctx: Context,
  options: { namespace?: string },
): Promise<Map<string, Map<string, ContainerBasis>>> {
  const bases = new Map<string, Map<string, ContainerBasis>>();
  for await (const pod of ctx.k8s.list(resources.pods, options)) {
    bases.set(`${pod.metadata.namespace ?? ''}/${pod.metadata.name}`, podBasis(pod));
  }
  return bases;
}

function readyOf(node: KubeObject | undefined): string {
  const conditions = (node?.status as { conditions?: { type?: string; status?: string }[] } | undefined)
    ?.conditions;
  return conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

function severityOf(percent: number, basis: 'limit' | 'request' | 'allocatable'): Severity {
  if (basis === 'request') return 'info';
  return percent >= (basis === 'allocatable' ? 95 : 100) ? 'critical' : 'warning';
}

export default defineBot({
  name: NAME,
  category: 'observability',
  tier: 'small',
  summary:
    'Node and pod CPU/memory from metrics.k8s.io against node allocatable and container limits (or requests): Prometheus gauges per node and pod, findings above 80 % CPU / 90 % memory',
  triggers: { http: true, cron: '*/5 * * * *' },
  rbac: RBAC,
  mutates: false,
  input: InputSchema,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<SettingValues<typeof SETTINGS>>): Promise<RunResult> {
    const cpuThreshold = input.cpuThresholdPercent ?? ctx.settings.cpuThreshold;
    const memoryThreshold = input.memoryThresholdPercent ?? ctx.settings.memoryThreshold;
    const findings: Finding[] = [];
    const errors: ReportError[] = [];
    const gauges = createGauges(ctx);
    gauges.reset();

    // All four reads at once (one round trip of latency on a cold start). Settled, never rejected.
    const listOptions = input.namespace ? { namespace: input.namespace } : {};
    const nodeMetricsRead = settle(collect(ctx.k8s.list<NodeMetrics>(resources.nodeMetrics)));
    const nodesRead = settle(collect(ctx.k8s.list(resources.nodes)));
    const podsRead = input.pods ? settle(podBases(ctx, listOptions)) : undefined;
    const podMetricsRead = input.pods
      ? settle(collect(ctx.k8s.list<PodMetrics>(resources.podMetrics, listOptions)))
      : undefined;

    // A 404 on node metrics means metrics-server (metrics.k8s.io) is not installed.
    const nodeMetricsResult = await nodeMetricsRead;
    await Promise.all([nodesRead, podsRead, podMetricsRead]);
    if (!nodeMetricsResult.ok) {
      const error = nodeMetricsResult.error;
      if (isK8sApiError(error) && error.status === 404) {
        gauges.available.set(0);
        findings.push(
          finding({
            bot: NAME,
            check: 'monitoring.metrics-unavailable',
            severity: 'warning',
            object: METRICS_API,
            message: 'metrics.k8s.io is not served by this cluster: node and pod usage cannot be measured',
            fix: 'Install metrics-server (https://github.com/kubernetes-sigs/metrics-server) or another metrics.k8s.io provider',
            evidence: { status: error.code, reason: error.reason },
          }),
        );
        return { summary: 'metrics.k8s.io is not available; nothing measured', findings, errors };
      }
      errors.push(reportErrorFrom(error, 'list node metrics'));
      return { summary: 'could not read node metrics', findings, errors };
    }
    const nodeMetrics = nodeMetricsResult.value;
    gauges.available.set(1);

    const nodes = new Map<string, KubeObject>();
    const nodesResult = await nodesRead;
    if (nodesResult.ok) for (const node of nodesResult.value) nodes.set(node.metadata.name, node);
    else errors.push(reportErrorFrom(nodesResult.error, 'list nodes (allocatable)'));

    // A node the API lists but metrics-server does not measure (NotReady, kubelet down): say so.
    const measured = new Set(nodeMetrics.map((m) => m.metadata.name));
    for (const [name] of nodes) {
      if (measured.has(name)) continue;
      findings.push(
        finding({
          bot: NAME,
          check: 'monitoring.no-metrics',
          severity: 'warning',
          object: { apiVersion: 'v1', kind: 'Node', name },
          message: `node ${name} has no usage metrics: metrics-server cannot scrape its kubelet`,
          evidence: { ready: readyOf(nodes.get(name)) },
          fix: 'Check the node is Ready and its kubelet serves /metrics/resource to metrics-server',
        }),
      );
    }

    const nodeRows = nodeMetrics.map((m) => nodeUsage(m, nodes.get(m.metadata.name)));
    for (const row of nodeRows) {
      const labels = { node: row.node };
      gauges.nodeCpuCores.set(labels, row.cpuCores);
      gauges.nodeMemoryBytes.set(labels, row.memoryBytes);
      if (row.cpuPercent !== undefined) gauges.nodeCpu.set(labels, row.cpuPercent);
      if (row.memoryPercent !== undefined) gauges.nodeMemory.set(labels, row.memoryPercent);
      const object = { apiVersion: 'v1', kind: 'Node', name: row.node };
      if (row.cpuPercent !== undefined && row.cpuPercent > cpuThreshold) {
        findings.push(
          finding({
            bot: NAME,
            check: 'monitoring.node-cpu',
            severity: severityOf(row.cpuPercent, 'allocatable'),
            object,
            message: `node ${row.node} uses ${row.cpuPercent}% of its allocatable CPU (threshold ${cpuThreshold}%)`,
            evidence: {
              usageCores: row.cpuCores,
              allocatableCores: row.cpuAllocatable,
              percent: row.cpuPercent,
              threshold: cpuThreshold,
            },
            fix: 'Spread load (more nodes, anti-affinity) or right-size the busiest pods',
          }),
        );
      }
      if (row.memoryPercent !== undefined && row.memoryPercent > memoryThreshold) {
        findings.push(
          finding({
            bot: NAME,
            check: 'monitoring.node-memory',
            severity: severityOf(row.memoryPercent, 'allocatable'),
            object,
            message: `node ${row.node} uses ${row.memoryPercent}% of its allocatable memory (threshold ${memoryThreshold}%)`,
            evidence: {
              usageBytes: row.memoryBytes,
              allocatableBytes: row.memoryAllocatable,
              percent: row.memoryPercent,
              threshold: memoryThreshold,
            },
            fix: 'Add capacity or lower memory use; pods on this node risk eviction under memory pressure',
          }),
        );
      }
    }

    const podRows: PodUsage[] = [];
    if (podsRead && podMetricsRead) {
      const podsResult = await podsRead;
      const bases = podsResult.ok ? podsResult.value : new Map<string, Map<string, ContainerBasis>>();
      if (!podsResult.ok) errors.push(reportErrorFrom(podsResult.error, 'list pods (limits)'));
      const podMetricsResult = await podMetricsRead;
      if (podMetricsResult.ok) {
        for (const m of podMetricsResult.value) {
          podRows.push(podUsage(m, bases.get(`${m.metadata.namespace ?? ''}/${m.metadata.name}`)));
        }
      } else {
        errors.push(reportErrorFrom(podMetricsResult.error, 'list pod metrics'));
      }
      for (const row of podRows) {
        const labels = { namespace: row.namespace, pod: row.pod };
        gauges.podCpuCores.set(labels, row.cpuCores);
        gauges.podMemoryBytes.set(labels, row.memoryBytes);
        if (row.cpuPercent !== undefined) gauges.podCpu.set(labels, row.cpuPercent);
        if (row.memoryPercent !== undefined) gauges.podMemory.set(labels, row.memoryPercent);
        const object = { apiVersion: 'v1', kind: 'Pod', namespace: row.namespace, name: row.pod };
        if (row.cpuPercent !== undefined && row.cpuBasis && row.cpuPercent > cpuThreshold) {
          findings.push(
            finding({
              bot: NAME,
              check: 'monitoring.pod-cpu',
              severity: severityOf(row.cpuPercent, row.cpuBasis),
              object,
              message: `pod ${row.namespace}/${row.pod} uses ${row.cpuPercent}% of its CPU ${row.cpuBasis}s (threshold ${cpuThreshold}%)`,
              evidence: {
                usageCores: row.cpuCores,
                [`${row.cpuBasis}Cores`]: row.cpuOf,
                percent: row.cpuPercent,
                basis: row.cpuBasis,
              },
              fix:
                row.cpuBasis === 'limit'
                  ? 'Raise the CPU limit or reduce load: the pod is being throttled'
                  : 'Raise the CPU request to what the pod uses',
            }),
          );
        }
        if (row.memoryPercent !== undefined && row.memoryBasis && row.memoryPercent > memoryThreshold) {
          findings.push(
            finding({
              bot: NAME,
              check: 'monitoring.pod-memory',
              severity: severityOf(row.memoryPercent, row.memoryBasis),
              object,
              message: `pod ${row.namespace}/${row.pod} uses ${row.memoryPercent}% of its memory ${row.memoryBasis}s (threshold ${memoryThreshold}%)`,
              evidence: {
                usageBytes: row.memoryBytes,
                [`${row.memoryBasis}Bytes`]: row.memoryOf,
                percent: row.memoryPercent,
                basis: row.memoryBasis,
              },
              fix:
                row.memoryBasis === 'limit'
                  ? 'Raise the memory limit: the pod is close to being OOM-killed'
                  : 'Raise the memory request to what the pod uses',
            }),
          );
        }
      }
    }

    const top = [...podRows]
      .filter((r) => r.cpuPercent !== undefined)
      .sort((a, b) => (b.cpuPercent ?? 0) - (a.cpuPercent ?? 0))
      .slice(0, input.top);
    const unmeasured = findings.filter((f) => f.check === 'monitoring.no-metrics').length;
    const above = findings.length - unmeasured;
    return {
      summary:
        `${nodeRows.length} nodes and ${podRows.length} pods measured; ${above} above thresholds (CPU ${cpuThreshold}%, memory ${memoryThreshold}%)` +
        (unmeasured > 0 ? `; ${unmeasured} node${unmeasured === 1 ? '' : 's'} without metrics` : ''),
      findings,
      errors,
      data: {
        thresholds: { cpuPercent: cpuThreshold, memoryPercent: memoryThreshold },
        nodes: nodeRows,
        pods: { measured: podRows.length, top },
      },
    };
  },
});

function createGauges(ctx: Context) {
  const m = ctx.metrics;
  const nodeLabels = ['node'] as const;
  const podLabels = ['namespace', 'pod'] as const;
  const gauges = {
    available: m.gauge(
      'eco_metrics_api_available',
      'Whether metrics.k8s.io answered on the last run (1) or not (0)',
    ),
    nodeCpu: m.gauge('eco_node_cpu_usage_percent', 'Node CPU usage, percent of allocatable', nodeLabels),
    nodeMemory: m.gauge(
      'eco_node_memory_usage_percent',
      'Node memory usage, percent of allocatable',
      nodeLabels,
    ),
    nodeCpuCores: m.gauge('eco_node_cpu_usage_cores', 'Node CPU usage in cores', nodeLabels),
    nodeMemoryBytes: m.gauge(
      'eco_node_memory_usage_bytes',
      'Node memory usage (working set) in bytes',
      nodeLabels,
    ),
    podCpu: m.gauge(
      'eco_pod_cpu_usage_percent',
      'Pod CPU usage, percent of its containers’ limits (requests where no limit)',
      podLabels,
    ),
    podMemory: m.gauge(
      'eco_pod_memory_usage_percent',
      'Pod memory usage, percent of its containers’ limits (requests where no limit)',
      podLabels,
    ),
    podCpuCores: m.gauge('eco_pod_cpu_usage_cores', 'Pod CPU usage in cores', podLabels),
    podMemoryBytes: m.gauge(
      'eco_pod_memory_usage_bytes',
      'Pod memory usage (working set) in bytes',
      podLabels,
    ),
  };
  return {
    ...gauges,
    /** Series of nodes and pods that no longer exist must not linger: every run starts clean. */
    reset() {
      for (const [key, gauge] of Object.entries(gauges)) if (key !== 'available') gauge.reset();
    },
  };
}
