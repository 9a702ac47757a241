// eco-trace-bot: on an error-rate alert (routed by eco-alert-bot), the error traces of the service
// from Jaeger or Tempo (ECO_TRACE_QUERY_URL) attached as evidence; on cron or `{}`, every service the
// store knows (bounded). The fleet's own tracing is the kit's: the W3C traceparent carried across
// gateway → bot → CloudEvent → bot and one OTLP span per invocation (OTEL_EXPORTER_OTLP_ENDPOINT).
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  ALERT_EVENT_PREFIX,
  defineBot,
  finding,
  setting,
  type Context,
  type Finding,
  type ReportError,
  type RunResult,
  type SettingValues,
  unconfiguredFinding,
} from '../../shared/index.ts';
import { TraceQueryError, createTraceQuery, type ErrorTrace } from './query.ts';

const NAME = 'eco-trace-bot';
const SERVICE = '^[A-Za-z0-9][-A-Za-z0-9_.:/]{0,252}$';
/** Alert labels that name the service, most specific first (seed HighErrorRate carries bot_name). */
const SERVICE_LABELS = ['service', 'service_name', 'bot_name', 'bot', 'function', 'job'];

const SETTINGS = {
  queryUrl: setting.url({
    env: 'ECO_TRACE_QUERY_URL',
    meaning: 'Jaeger query (e.g. http://jaeger-query:16686) or Tempo (http://tempo:3200) base URL',
  }),
  api: setting.enum({
    env: 'ECO_TRACE_QUERY_API',
    values: ['jaeger', 'tempo'] as const,
    default: 'jaeger',
    meaning: 'which query API ECO_TRACE_QUERY_URL speaks',
  }),
  lookback: setting.duration({
    env: 'ECO_TRACE_LOOKBACK',
    default: '1h',
    min: '1m',
    max: '7d',
    meaning: 'how far back error traces are searched',
  }),
  limit: setting.number({
    env: 'ECO_TRACE_LIMIT',
    default: 20,
    min: 1,
    max: 1000,
    integer: true,
    meaning: 'error traces fetched per service',
  }),
  maxServices: setting.number({
    env: 'ECO_TRACE_MAX_SERVICES',
    default: 20,
    min: 1,
    max: 500,
    integer: true,
    meaning: 'services searched by a run without a service (cron)',
  }),
  timeout: setting.duration({
    env: 'ECO_TRACE_TIMEOUT',
    default: '10s',
    min: '100ms',
    max: '60s',
    meaning: 'timeout of one query API request',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    service: Type.Optional(
      Type.String({ pattern: SERVICE, description: 'the service whose error traces to fetch' }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

function alertService(ctx: Context<Settings>): string | undefined {
  const event = ctx.event;
  if (event === undefined || !event.type.startsWith(ALERT_EVENT_PREFIX)) return undefined;
  const labels = (event.data as { labels?: Record<string, unknown> } | undefined)?.labels ?? {};
  for (const key of SERVICE_LABELS) {
    const v = labels[key];
    if (typeof v === 'string' && new RegExp(SERVICE).test(v)) return v;
  }
  return undefined;
}

export default defineBot({
  name: NAME,
  category: 'observability',
  tier: 'medium',
  summary:
    'On an error-rate alert: the error traces of the service from Jaeger or Tempo as evidence; the fleet carries W3C traceparent across every hop and exports one OTLP span per invocation',
  triggers: { http: true, cron: '0 * * * *', alerts: ['HighErrorRate'] },
  rbac: [],
  mutates: false,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const s = ctx.settings;
    if (s.queryUrl === undefined) {
      return {
        summary: 'no trace store configured',
        findings: [
          unconfiguredFinding({
            bot: NAME,
            setting: 'ECO_TRACE_QUERY_URL',
            message: 'ECO_TRACE_QUERY_URL is not set: error traces cannot be fetched',
            fix: 'Set ECO_TRACE_QUERY_URL to the Jaeger query service or Tempo, and ECO_TRACE_QUERY_API to match',
          }),
        ],
      };
    }
    const query = createTraceQuery(s.api, s.queryUrl, { timeoutMs: s.timeout, signal: ctx.signal });
    const errors: ReportError[] = [];
    const fromAlert = input.service === undefined ? alertService(ctx) : undefined;
    let services: string[];
    try {
      const named = input.service ?? fromAlert;
      services = named !== undefined ? [named] : (await query.services()).sort().slice(0, s.maxServices);
    } catch (error) {
      if (!(error instanceof TraceQueryError)) throw error;
      return { summary: `${s.api} could not be read`, findings: [], errors: [error.report] };
    }
    const end = ctx.now();
    const window = { start: new Date(end.getTime() - s.lookback), end };
    const findings: Finding[] = [];
    const results = await Promise.all(
      services.map(async (service) => {
        try {
          return { service, traces: await query.errorTraces(service, window, s.limit) };
        } catch (error) {
          if (!(error instanceof TraceQueryError)) throw error;
          errors.push(error.report);
          return { service, traces: [] as ErrorTrace[] };
        }
      }),
    );
    for (const { service, traces } of results) {
      if (traces.length === 0) continue;
      const latest = [...traces].sort((a, b) => b.startTime.localeCompare(a.startTime));
      const first = latest[0] as ErrorTrace;
      findings.push(
        finding({
          bot: NAME,
          check: 'trace.error-traces',
          severity: 'warning',
          object: { apiVersion: 'eco.bsw-arch.org/v1', kind: 'TracedService', name: service },
          message: `${service} has ${traces.length}${traces.length >= s.limit ? '+' : ''} error traces in the last ${Math.round(s.lookback / 60_000)} minutes; the latest: ${first.operation}${first.message ? `: ${first.message}` : ''}`,
          evidence: {
            service,
            errorTraces: traces.length,
            limit: s.limit,
            window: { start: window.start.toISOString(), end: window.end.toISOString() },
            samples: latest.slice(0, 5).map((t) => ({ ...t, url: query.traceUrl(t.traceId) })),
          },
          fix: `Open ${query.traceUrl(first.traceId)} and follow the failing span to its service and dependency`,
        }),
      );
    }
    return {
      summary: `${services.length} services searched in ${s.api}${fromAlert ? ' (from the alert)' : ''}, ${findings.length} with error traces`,
      findings,
      errors,
    };
  },
});
