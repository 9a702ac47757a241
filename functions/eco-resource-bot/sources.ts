// Where the usage numbers come from: Prometheus history (KRR's queries per namespace) or, without
// Prometheus, one metrics.k8s.io sample per pod (said so in every finding's evidence).

import { collect, reportErrorFrom, resources } from '../../shared/index.ts';
import type { Context, KubeObject, ReportError } from '../../shared/index.ts';
import { parseQuantity } from '../../shared/k8s/quantity.ts';
import { isPrometheusError, prometheusReportError } from '../../shared/prometheus/index.ts';
import type { PrometheusClient } from '../../shared/prometheus/index.ts';
import { loadNamespaceUsage } from './history.ts';
import type { KrrQueries, NamespaceUsage } from './history.ts';
import type { KrrSettings } from './krr.ts';

export interface UsageSource {
  kind: 'prometheus' | 'metrics.k8s.io';
  /** Per namespace: container → pod → usage. */
  byNamespace: Map<string, NamespaceUsage>;
  queries: Map<string, KrrQueries>;
  errors: ReportError[];
}

/** KRR's queries for every namespace, a few at a time. */
export async function fromPrometheus(
  client: PrometheusClient,
  namespaces: readonly string[],
  settings: KrrSettings,
  ctx: Pick<Context, 'signal' | 'now'>,
  concurrency = 4,
): Promise<UsageSource> {
  const source: UsageSource = { kind: 'prometheus', byNamespace: new Map(), queries: new Map(), errors: [] };
  const queue = [...namespaces];
  const time = ctx.now();
  const worker = async (): Promise<void> => {
    for (let namespace = queue.shift(); namespace !== undefined; namespace = queue.shift()) {
      try {
        const { usage, queries } = await loadNamespaceUsage(client, namespace, settings, {
          time,
          signal: ctx.signal,
        });
        source.byNamespace.set(namespace, usage);
        source.queries.set(namespace, queries);
      } catch (error) {
        source.errors.push(prometheusReportError(error, `usage history of namespace ${namespace}`));
        // Prometheus down for one namespace is down for all: do not wait out the others' timeouts.
        if (isPrometheusError(error) && (error.failure === 'network' || error.failure === 'timeout'))
          queue.length = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, namespaces.length) }, worker));
  return source;
}

interface PodMetrics extends KubeObject {
  containers?: Array<{ name: string; usage?: { cpu?: string; memory?: string } }>;
}

/** One metrics.k8s.io sample per pod: a single data point, not history. */
export async function fromMetricsServer(
  ctx: Pick<Context, 'k8s'>,
  namespace: string | undefined,
): Promise<UsageSource & { missing: boolean }> {
  const source = {
    kind: 'metrics.k8s.io' as const,
    byNamespace: new Map<string, NamespaceUsage>(),
    queries: new Map(),
    errors: [] as ReportError[],
    missing: false,
  };
  let items: PodMetrics[];
  try {
    items = await collect(ctx.k8s.list<PodMetrics>(resources.podMetrics, namespace ? { namespace } : {}));
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 404 || status === 503) source.missing = true;
    else source.errors.push(reportErrorFrom(error, 'list metrics.k8s.io pods'));
    return source;
  }
  for (const item of items) {
    const ns = item.metadata.namespace ?? '';
    let usage = source.byNamespace.get(ns);
    if (!usage) source.byNamespace.set(ns, (usage = new Map()));
    for (const container of item.containers ?? []) {
      const cpu = parseQuantity(container.usage?.cpu);
      const memory = parseQuantity(container.usage?.memory);
      let byPod = usage.get(container.name);
      if (!byPod) usage.set(container.name, (byPod = new Map()));
      byPod.set(item.metadata.name, {
        pod: item.metadata.name,
        ...(cpu !== undefined ? { cpuPercentile: cpu, cpuPoints: 1 } : {}),
        ...(memory !== undefined ? { memoryMax: memory, memoryPoints: 1 } : {}),
      });
    }
  }
  return source;
}
