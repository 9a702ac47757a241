// KRR's four queries, asked once per namespace (every pod and container of the namespace in one
// answer, grouped by pod and container) instead of once per container, then joined per container.

import type { PrometheusClient, RequestOptions, VectorSample } from '../../shared/prometheus/index.ts';
import type { KrrSettings, PodContainerUsage } from './krr.ts';

export interface KrrQueries {
  cpuPercentile: string;
  cpuPoints: string;
  memoryMax: string;
  memoryPoints: string;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/**
 * The PromQL of KRR's loaders (PercentileCPULoader, CPUAmountLoader, MaxMemoryLoader,
 * MemoryAmountLoader) for a whole namespace: `max(...) by (namespace, pod, container)` as KRR's
 * `by (container, pod, job)` then max across duplicate scrape jobs.
 */
export function krrQueries(
  namespace: string,
  settings: Pick<KrrSettings, 'historySeconds' | 'stepSeconds' | 'cpuPercentile'>,
  extraSelector = '',
): KrrQueries {
  const selector = `namespace="${escapeLabelValue(namespace)}",container!="",container!="POD"${extraSelector ? `,${extraSelector}` : ''}`;
  const step = `${settings.stepSeconds}s`;
  const window = `${settings.historySeconds}s`;
  const cpu = `max(rate(container_cpu_usage_seconds_total{${selector}}[${step}])) by (namespace, pod, container)`;
  const memory = `max(container_memory_working_set_bytes{${selector}}) by (namespace, pod, container)`;
  return {
    cpuPercentile: `quantile_over_time(${settings.cpuPercentile}, ${cpu}[${window}:${step}])`,
    cpuPoints: `count_over_time(${cpu}[${window}:${step}])`,
    memoryMax: `max_over_time(${memory}[${window}:${step}])`,
    memoryPoints: `count_over_time(${memory}[${window}:${step}])`,
  };
}

/** Per container name, the usage of each pod that ran it. */
export type NamespaceUsage = Map<string, Map<string, PodContainerUsage>>;

/** Runs the four queries for one namespace and joins them per container and pod. */
export async function loadNamespaceUsage(
  client: PrometheusClient,
  namespace: string,
  settings: Pick<KrrSettings, 'historySeconds' | 'stepSeconds' | 'cpuPercentile'>,
  options: RequestOptions & { time?: Date | number; extraSelector?: string } = {},
): Promise<{ usage: NamespaceUsage; queries: KrrQueries }> {
  const queries = krrQueries(namespace, settings, options.extraSelector);
  const request = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.time !== undefined ? { time: options.time } : {}),
  };
  const [cpuPercentile, cpuPoints, memoryMax, memoryPoints] = await Promise.all([
    client.queryVector(queries.cpuPercentile, request),
    client.queryVector(queries.cpuPoints, request),
    client.queryVector(queries.memoryMax, request),
    client.queryVector(queries.memoryPoints, request),
  ]);
  const usage: NamespaceUsage = new Map();
  const put = (samples: VectorSample[], key: keyof Omit<PodContainerUsage, 'pod'>): void => {
    for (const sample of samples) {
      const container = sample.metric['container'];
      const pod = sample.metric['pod'];
      if (!container || !pod || !Number.isFinite(sample.value[1])) continue;
      let byPod = usage.get(container);
      if (!byPod) usage.set(container, (byPod = new Map()));
      let entry = byPod.get(pod);
      if (!entry) byPod.set(pod, (entry = { pod }));
      entry[key] = sample.value[1];
    }
  };
  put(cpuPercentile, 'cpuPercentile');
  put(cpuPoints, 'cpuPoints');
  put(memoryMax, 'memoryMax');
  put(memoryPoints, 'memoryPoints');
  return { usage, queries };
}
