export { createPrometheusClient, parseSampleValue, toSeconds, PROMETHEUS_DEFAULTS } from './client.ts';
export type { PrometheusAuth, PrometheusClient, PrometheusClientOptions } from './client.ts';
export { prometheusOptionsFromEnv, PROMETHEUS_ENV_DOCS } from './config.ts';
export { PrometheusError, isPrometheusError } from './errors.ts';
export type { PrometheusErrorDetails, PrometheusFailure } from './errors.ts';
export { MAX_POINTS_PER_SERIES, mergeSeries, seriesKey, splitRange } from './range.ts';
export type { TimeChunk } from './range.ts';
export type * from './types.ts';
