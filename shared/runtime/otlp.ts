// One OTLP span per invocation, exported over OTLP/HTTP with the JSON encoding when the standard
// OpenTelemetry variables name an endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else
// OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`; OTEL_EXPORTER_OTLP_HEADERS / _TRACES_HEADERS;
// OTEL_SERVICE_NAME). The span's trace id and parent are the invocation's W3C traceparent, so a chain
// gateway → bot → CloudEvent → bot is one trace. OTLP/JSON (specification, "JSON Protobuf
// Encoding"): trace and span ids as hex strings, enums as integers, 64-bit times as decimal strings.
// The OTLP/HTTP receivers of the Collector take JSON and protobuf on the same path, so JSON is sent
// whatever OTEL_EXPORTER_OTLP_PROTOCOL says, except `grpc`, which is refused at start.
import { ConfigError } from '../errors/config-error.ts';
import { fetchWithRetry } from '../http/retry.ts';
import type { Logger } from '../log/types.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface OtlpConfig {
  endpoint: string;
  headers: Record<string, string>;
  serviceName?: string;
}

/** The exporter's settings from the OTEL_* variables; undefined when no endpoint is set. */
export function otlpConfig(env: Env): OtlpConfig | undefined {
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  const protocol = (env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'])?.trim();
  if (!traces && !base) return undefined;
  if (protocol === 'grpc')
    throw new ConfigError(
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      '"grpc" is not supported: use http/json or http/protobuf',
    );
  const name = traces ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  let url: URL;
  try {
    url = new URL(traces || `${(base ?? '').replace(/\/+$/, '')}/v1/traces`);
  } catch {
    throw new ConfigError(name, `"${traces || base}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(name, `"${url.href}" is not http(s)`);
  const headers: Record<string, string> = {};
  for (const source of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    for (const pair of (env[source] ?? '').split(',')) {
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new ConfigError(source, `"${pair.trim()}" is not key=value`);
      headers[decodeURIComponent(pair.slice(0, eq).trim()).toLowerCase()] = decodeURIComponent(
        pair.slice(eq + 1).trim(),
      );
    }
  }
  const serviceName = env['OTEL_SERVICE_NAME']?.trim();
  return { endpoint: url.toString(), headers, ...(serviceName ? { serviceName } : {}) };
}

export interface InvocationSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  bot: string;
  trigger: string;
  runId?: string;
  startMs: number;
  endMs: number;
  /** HTTP-like status of the run: >= 500 is an error. */
  status: number;
  error?: string;
  findings?: number;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace and span id of a traceparent, when valid. */
export function parseTraceparent(value: string | undefined): { traceId: string; spanId: string } | undefined {
  const m = value === undefined ? null : TRACEPARENT.exec(value.toLowerCase());
  return m ? { traceId: m[1] as string, spanId: m[2] as string } : undefined;
}

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
const attr = (key: string, value: string | number): { key: string; value: Record<string, unknown> } => ({
  key,
  value: typeof value === 'number' ? { intValue: String(Math.trunc(value)) } : { stringValue: value },
});
/** OpenTelemetry semantic conventions: faas.trigger. */
const FAAS_TRIGGER: Record<string, string> = {
  http: 'http',
  cron: 'timer',
  ping: 'timer',
  cloudevent: 'pubsub',
  alertmanager: 'http',
};

/** The ExportTraceServiceRequest (OTLP/JSON) of one invocation span. */
export function exportRequest(span: InvocationSpan, serviceName: string): Record<string, unknown> {
  const error = span.status >= 500;
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', serviceName), attr('service.namespace', 'eco-bots')] },
        scopeSpans: [
          {
            scope: { name: 'eco-bots' },
            spans: [
              {
                traceId: span.traceId,
                spanId: span.spanId,
                ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
                name: `${span.bot} ${span.trigger}`,
                // SPAN_KIND_SERVER (2) for a request, SPAN_KIND_CONSUMER (5) for an event.
                kind: span.trigger === 'cloudevent' ? 5 : 2,
                startTimeUnixNano: nanos(span.startMs),
                endTimeUnixNano: nanos(span.endMs),
                attributes: [
                  attr('faas.name', span.bot),
                  attr('faas.trigger', FAAS_TRIGGER[span.trigger] ?? 'other'),
                  attr('eco.trigger', span.trigger),
                  attr('eco.status', span.status),
                  ...(span.runId ? [attr('faas.invocation_id', span.runId)] : []),
                  ...(span.findings === undefined ? [] : [attr('eco.findings', span.findings)]),
                ],
                // STATUS_CODE_ERROR (2) with its message, else STATUS_CODE_UNSET (0).
                status: error ? { code: 2, ...(span.error ? { message: span.error } : {}) } : { code: 0 },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Exports spans one request each; a failure is logged, never thrown. */
export function createSpanExporter(
  config: OtlpConfig,
  log: Logger,
  fetchImpl?: typeof fetch,
): (span: InvocationSpan) => Promise<void> {
  return async (span) => {
    try {
      const response = await fetchWithRetry(
        config.endpoint,
        {
          method: 'POST',
          // A receiver keeps one copy per span id: repeating after a network error is harmless.
          safeToRepeat: true,
          headers: { ...config.headers, 'content-type': 'application/json' },
          body: JSON.stringify(exportRequest(span, config.serviceName ?? span.bot)),
        },
        { attempts: 3, backoffMs: 100, maxBackoffMs: 1000, timeoutMs: 5000 },
        { fetch: fetchImpl },
      );
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) log.warn('span export failed', { bot: span.bot, status: response.status });
    } catch (error) {
      log.warn('span export failed', { bot: span.bot, error: (error as Error).message });
    }
  };
}
