// Average usage per container over the window: from Prometheus (rate over the whole window is the
// average CPU; avg_over_time of the working set), or one metrics.k8s.io sample taken as the average.

import type { Context, ReportError } from '../bot/types.ts';
import { resources } from '../k8s/resources.ts';
import type { KubeObject } from '../k8s/types.ts';
import { collect } from '../report/helpers.ts';
import { parseQuantity } from '../k8s/quantity.ts';
import { isPrometheusError } from '../prometheus/index.ts';
import type { PrometheusClient } from '../prometheus/index.ts';

export interface AverageUsage {
  source: 'prometheus' | 'metrics.k8s.io' | 'none';
  /** `<namespace>/<pod>/<container>` → cores and bytes. */
  byContainer: Map<string, { cpu?: number; memory?: number }>;
  queries: string[];
  errors: ReportError[];
}

export const containerKey = (namespace: string, pod: string, container: string): string =>
  `${namespace}/${pod}/${container}`;

export function usageQueries(windowSeconds: number, namespace?: string): { cpu: string; memory: string } {
  const ns = namespace ? `namespace="${namespace}",` : '';
  const selector = `{${ns}container!="",container!="POD"}`;
  return {
    cpu: `sum(rate(container_cpu_usage_seconds_total${selector}[${windowSeconds}s])) by (namespace, pod, container)`,
    memory: `sum(avg_over_time(container_memory_working_set_bytes${selector}[${windowSeconds}s])) by (namespace, pod, container)`,
  };
}

export async function usageFromPrometheus(
  client: PrometheusClient,
  windowSeconds: number,
  ctx: Pick<Context, 'now' | 'signal'>,
  namespace?: string,
): Promise<AverageUsage> {
  const queries = usageQueries(windowSeconds, namespace);
  const out: AverageUsage = {
    source: 'prometheus',
    byContainer: new Map(),
    queries: [queries.cpu, queries.memory],
    errors: [],
  };
  try {
    const [cpu, memory] = await Promise.all([
      client.queryVector(queries.cpu, { time: ctx.now(), signal: ctx.signal }),
      client.queryVector(queries.memory, { time: ctx.now(), signal: ctx.signal }),
    ]);
    for (const [samples, field] of [
      [cpu, 'cpu'],
      [memory, 'memory'],
    ] as const) {
      for (const sample of samples) {
        const { namespace: ns, pod, container } = sample.metric;
        if (!ns || !pod || !container || !Number.isFinite(sample.value[1])) continue;
        const key = containerKey(ns, pod, container);
        out.byContainer.set(key, { ...out.byContainer.get(key), [field]: sample.value[1] });
      }
    }
  } catch (error) {
    out.source = 'none';
    const code =
      isPrometheusError(error) && error.status !== undefined
        ? `prometheus-http-${error.status}`
        : 'prometheus-unavailable';
    out.errors.push({
      code,
      message: `average usage: ${(error as Error).message} (requests charged instead)`,
    });
  }
  return out;
}

interface PodMetrics extends KubeObject {
  containers?: Array<{ name: string; usage?: { cpu?: string; memory?: string } }>;
}

export async function usageFromMetricsServer(
  ctx: Pick<Context, 'k8s'>,
  namespace?: string,
): Promise<AverageUsage> {
  const out: AverageUsage = { source: 'metrics.k8s.io', byContainer: new Map(), queries: [], errors: [] };
  try {
    for (const item of await collect(
      ctx.k8s.list<PodMetrics>(resources.podMetrics, namespace ? { namespace } : {}),
    )) {
      for (const c of item.containers ?? []) {
        const cpu = parseQuantity(c.usage?.cpu);
        const memory = parseQuantity(c.usage?.memory);
        out.byContainer.set(containerKey(item.metadata.namespace ?? '', item.metadata.name, c.name), {
          ...(cpu !== undefined ? { cpu } : {}),
          ...(memory !== undefined ? { memory } : {}),
        });
      }
    }
  } catch {
    // No metrics API: requests are charged (OpenCost's max(request, usage) with usage unknown).
    out.source = 'none';
  }
  return out;
}
