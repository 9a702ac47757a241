export { createMetrics } from './registry.ts';
export type { KitMetrics, MetricsOptions, Outcome } from './registry.ts';
export type { MetricsApi } from './types.ts';
