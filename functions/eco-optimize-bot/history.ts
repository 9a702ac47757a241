// The throttling ratios of a namespace's containers, one query per namespace.

import type { PrometheusClient, RequestOptions } from '../../shared/prometheus/index.ts';
import { sustainedThrottlingQuery, throttlingQuery } from './performance.ts';

export interface ThrottlingSample {
  pod: string;
  container: string;
  /** The ratio over the last 5 minutes. */
  now: number;
  /** The smallest ratio over the last 15 minutes (the mixin's `for: 15m`). */
  sustained?: number;
}

export async function loadThrottling(
  client: PrometheusClient,
  namespace: string,
  options: RequestOptions & { time?: Date | number } = {},
): Promise<{ samples: ThrottlingSample[]; queries: { now: string; sustained: string } }> {
  const queries = { now: throttlingQuery(namespace), sustained: sustainedThrottlingQuery(namespace) };
  const [current, sustained] = await Promise.all([
    client.queryVector(queries.now, options),
    client.queryVector(queries.sustained, options),
  ]);
  const key = (pod: string, container: string): string => `${pod}\u0000${container}`;
  const sustainedByKey = new Map(
    sustained.map((sample) => [
      key(sample.metric['pod'] ?? '', sample.metric['container'] ?? ''),
      sample.value[1],
    ]),
  );
  const samples: ThrottlingSample[] = [];
  for (const sample of current) {
    const pod = sample.metric['pod'];
    const container = sample.metric['container'];
    if (!pod || !container || !Number.isFinite(sample.value[1])) continue;
    const long = sustainedByKey.get(key(pod, container));
    samples.push({
      pod,
      container,
      now: sample.value[1],
      ...(long !== undefined && Number.isFinite(long) ? { sustained: long } : {}),
    });
  }
  samples.sort((a, b) => a.pod.localeCompare(b.pod) || a.container.localeCompare(b.container));
  return { samples, queries };
}
