// The error traces of a service from a trace store's query API: Jaeger's HTTP query API
// (`GET /api/services`, `GET /api/traces?service=&tags={"error":"true"}&start=&end=&limit=`, times in
// microseconds) or Tempo's (`GET /api/search/tag/service.name/values`, `GET /api/search?q=<TraceQL>
// &start=&end=&limit=`, times in seconds). Both answers are reduced to the same sample shape.
import { fetchWithRetry, type ReportError } from '../../shared/index.ts';

export type TraceApi = 'jaeger' | 'tempo';

export interface ErrorTrace {
  traceId: string;
  /** The root span's operation (Jaeger) or the root trace name (Tempo). */
  operation: string;
  startTime: string;
  durationMs: number;
  /** Spans of the trace marked as errors (Jaeger; Tempo's search does not say). */
  errorSpans?: number;
  /** The first error span's message, when the store keeps one. */
  message?: string;
}

export class TraceQueryError extends Error {
  override name = 'TraceQueryError';
  constructor(readonly report: ReportError) {
    super(report.message);
  }
}

export interface TraceQuery {
  services(): Promise<string[]>;
  errorTraces(service: string, window: { start: Date; end: Date }, limit: number): Promise<ErrorTrace[]>;
  /** A link a person opens to see one trace. */
  traceUrl(traceId: string): string;
}

interface JaegerTag {
  key: string;
  value: unknown;
}
interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: { refType: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags?: JaegerTag[];
  logs?: { fields?: JaegerTag[] }[];
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
}

const isErrorSpan = (s: JaegerSpan): boolean =>
  (s.tags ?? []).some(
    (t) =>
      (t.key === 'error' && (t.value === true || t.value === 'true')) ||
      (t.key === 'otel.status_code' && t.value === 'ERROR'),
  );

function errorMessage(span: JaegerSpan): string | undefined {
  for (const key of ['otel.status_description', 'error.message', 'exception.message']) {
    const tag = span.tags?.find((t) => t.key === key);
    if (typeof tag?.value === 'string') return tag.value;
  }
  for (const log of span.logs ?? []) {
    const field = log.fields?.find(
      (f) => f.key === 'exception.message' || f.key === 'message' || f.key === 'error.object',
    );
    if (typeof field?.value === 'string') return field.value;
  }
  return undefined;
}

/** A Jaeger trace reduced to its root, its error spans and the first error's message. */
export function jaegerSample(trace: JaegerTrace): ErrorTrace {
  const spans = trace.spans;
  const root =
    spans.find((s) => (s.references ?? []).length === 0) ??
    spans.reduce((a, b) => (b.startTime < a.startTime ? b : a));
  const start = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.startTime + s.duration));
  const errors = spans.filter(isErrorSpan);
  const message = errors.map(errorMessage).find((m) => m !== undefined);
  return {
    traceId: trace.traceID,
    operation: root.operationName,
    startTime: new Date(start / 1000).toISOString(),
    durationMs: Math.round((end - start) / 100) / 10,
    errorSpans: errors.length,
    ...(message === undefined ? {} : { message }),
  };
}

export function createTraceQuery(
  api: TraceApi,
  base: string,
  options: { timeoutMs: number; signal: AbortSignal },
): TraceQuery {
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
      throw new TraceQueryError({
        code: `${api}-unavailable`,
        message: `${api} query API at ${url.origin}: ${e.cause?.code ?? e.message ?? String(error)}`,
      });
    }
    const text = await response.text();
    if (!response.ok)
      throw new TraceQueryError({
        code: `${api}-http-${response.status}`,
        message: `${api} ${url.pathname} answered ${response.status}: ${text.trim().slice(0, 200)}`,
      });
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new TraceQueryError({
        code: `${api}-bad-response`,
        message: `${api} ${url.pathname} answered non-JSON`,
      });
    }
  }
  if (api === 'jaeger') {
    return {
      async services() {
        return (await get<{ data?: string[] | null }>('api/services')).data ?? [];
      },
      async errorTraces(service, window, limit) {
        const q = new URLSearchParams({
          service,
          tags: JSON.stringify({ error: 'true' }),
          start: String(window.start.getTime() * 1000),
          end: String(window.end.getTime() * 1000),
          limit: String(limit),
        });
        const body = await get<{ data?: JaegerTrace[] | null }>(`api/traces?${q.toString()}`);
        return (body.data ?? []).filter((t) => t.spans.length > 0).map(jaegerSample);
      },
      traceUrl: (id) => new URL(`trace/${id}`, root).toString(),
    };
  }
  return {
    async services() {
      return (await get<{ tagValues?: string[] }>('api/search/tag/service.name/values')).tagValues ?? [];
    },
    async errorTraces(service, window, limit) {
      const q = new URLSearchParams({
        q: `{ resource.service.name = ${JSON.stringify(service)} && status = error }`,
        start: String(Math.floor(window.start.getTime() / 1000)),
        end: String(Math.ceil(window.end.getTime() / 1000)),
        limit: String(limit),
      });
      const body = await get<{
        traces?: {
          traceID: string;
          rootTraceName?: string;
          startTimeUnixNano?: string;
          durationMs?: number;
        }[];
      }>(`api/search?${q.toString()}`);
      return (body.traces ?? []).map((t) => ({
        traceId: t.traceID,
        operation: t.rootTraceName ?? '',
        startTime: new Date(Number(BigInt(t.startTimeUnixNano ?? '0') / 1_000_000n)).toISOString(),
        durationMs: t.durationMs ?? 0,
      }));
    },
    traceUrl: (id) => new URL(`api/traces/${id}`, root).toString(),
  };
}
