// prom-client's index requires every default process metric (and @opentelemetry/api) when it is
// loaded: a few milliseconds of every cold start. The kit takes the four classes it uses from
// their own files, and the default metrics only when /metrics is first scraped.
import type { collectDefaultMetrics } from 'prom-client';
import Counter from 'prom-client/lib/counter.js';
import Gauge from 'prom-client/lib/gauge.js';
import Histogram from 'prom-client/lib/histogram.js';
import Registry from 'prom-client/lib/registry.js';

export { Counter, Gauge, Histogram, Registry };

export async function loadDefaultMetrics(): Promise<typeof collectDefaultMetrics> {
  return (await import('prom-client/lib/defaultMetrics.js')).default;
}
