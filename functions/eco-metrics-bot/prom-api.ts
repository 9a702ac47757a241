// The four Prometheus HTTP API reads this bot makes (GET /api/v1/targets, /api/v1/status/tsdb,
// /api/v1/rules, /api/v1/query), with the API's `{ status, data | errorType, error }` envelope read
// and its failures turned into report errors naming Prometheus. Retries on the kit's retry loop.
// The method names match shared/prometheus's client, which replaces this once it is on main.
import { fetchWithRetry, type ReportError } from '../../shared/index.ts';

export interface Target {
  labels: Record<string, string>;
  discoveredLabels?: Record<string, string>;
  scrapePool?: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError?: string;
  lastScrape?: string;
}
export interface TsdbStatus {
  headStats?: { numSeries?: number; chunkCount?: number; numLabelPairs?: number };
  seriesCountByMetricName?: { name: string; value: number }[];
  labelValueCountByLabelName?: { name: string; value: number }[];
  seriesCountByLabelValuePair?: { name: string; value: number }[];
}
export interface Rule {
  name: string;
  query?: string;
  health?: 'ok' | 'err' | 'unknown';
  lastError?: string;
  lastEvaluation?: string;
  type?: 'alerting' | 'recording';
}
export interface RuleGroup {
  name: string;
  file?: string;
  rules: Rule[];
}
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export class PromApiError extends Error {
  override name = 'PromApiError';
  constructor(readonly report: ReportError) {
    super(report.message);
  }
}

export interface PromApi {
  readonly url: string;
  targets(): Promise<{ activeTargets: Target[] }>;
  tsdbStatus(): Promise<TsdbStatus>;
  rules(): Promise<{ groups: RuleGroup[] }>;
  queryVector(expr: string): Promise<VectorSample[]>;
}

export function createPromApi(base: string, options: { timeoutMs: number; signal: AbortSignal }): PromApi {
  const root = base.endsWith('/') ? base : `${base}/`;
  async function get<T>(path: string): Promise<T> {
    const url = new URL(path, root);
    let response: Response;
    try {
      response = await fetchWithRetry(
        url,
        { method: 'GET', headers: { accept: 'application/json' } },
        { attempts: 3, backoffMs: 200, maxBackoffMs: 2000, timeoutMs: options.timeoutMs },
        { signal: options.signal },
      );
    } catch (error) {
      if (options.signal.aborted) throw error;
      const e = error as { message?: string; cause?: { code?: string } };
      throw new PromApiError({
        code: 'prometheus-unavailable',
        message: `Prometheus ${url.origin}${url.pathname}: ${e.cause?.code ?? e.message ?? String(error)}`,
      });
    }
    const text = await response.text();
    let body: { status?: string; data?: T; errorType?: string; error?: string } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (!response.ok || body?.status !== 'success' || body.data === undefined) {
      throw new PromApiError({
        code: `prometheus-http-${response.status}`,
        message: `Prometheus ${url.pathname} answered ${response.status}${body?.error ? `: ${body.errorType ?? 'error'}: ${body.error}` : ''}`,
      });
    }
    return body.data;
  }
  return {
    url: root,
    targets: () => get('api/v1/targets?state=active'),
    tsdbStatus: () => get('api/v1/status/tsdb'),
    rules: () => get('api/v1/rules'),
    async queryVector(expr: string) {
      const data = await get<{ resultType: string; result: VectorSample[] }>(
        `api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      return data.resultType === 'vector' ? data.result : [];
    },
  };
}
