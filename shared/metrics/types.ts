import type { Counter, Gauge, Histogram } from 'prom-client';

/**
 * What a bot may register besides the kit's own metrics (e.g. `eco_node_cpu_usage_percent{node}`).
 * Get-or-create by name: a bot runs many times in one process, so the second call returns the
 * metric the first created.
 */
export interface MetricsApi {
  gauge<L extends string = string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  counter<L extends string = string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  histogram<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
    buckets?: readonly number[],
  ): Histogram<L>;
}
