// The cluster's requested CPU or memory over a window (kube-state-metrics'
// kube_pod_container_resource_requests), as points for the least-squares trend.

import type { PrometheusClient, RequestOptions } from '../../shared/prometheus/index.ts';
import { linearTrend } from './capacity.ts';
import type { Trend } from './capacity.ts';

export function requestsQuery(resource: 'cpu' | 'memory'): string {
  // Pods that finished still have series in kube-state-metrics; only running pods hold requests.
  return `sum(kube_pod_container_resource_requests{resource="${resource}"} and on (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Running"} == 1))`;
}

export async function loadRequestTrend(
  client: PrometheusClient,
  resource: 'cpu' | 'memory',
  window: { end: Date | number; seconds: number; stepSeconds: number },
  options: RequestOptions = {},
): Promise<{ trend?: Trend; points: number; query: string; chunks: number }> {
  const query = requestsQuery(resource);
  const end = window.end instanceof Date ? window.end.getTime() / 1000 : window.end;
  const result = await client.queryRange(query, {
    ...options,
    start: end - window.seconds,
    end,
    stepSeconds: window.stepSeconds,
  });
  const values = result.series[0]?.values ?? [];
  const trend = linearTrend(values);
  return { ...(trend ? { trend } : {}), points: values.length, query, chunks: result.chunks };
}
