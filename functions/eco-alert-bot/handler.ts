import {
  BotError,
  ValidationError,
  defineBot,
  envInt,
  envOneOf,
  setting,
  sinkTuning,
} from '../../shared/index.ts';
import type { Context, RetryPolicy, RunResult } from '../../shared/index.ts';
import { deliverAll } from './delivery.ts';
import type { RoutedAlert, SinkMode } from './delivery.ts';
import { ALERT_FIRING_TYPE, ALERT_RESOLVED_TYPE, BOT_NAME } from './events.ts';
import { normaliseAlert, unquoteMeta } from './normalise.ts';
import type { NormalisedAlert } from './normalise.ts';
import { loadGatewayConfig } from './openfaas.ts';
import { buildReport } from './report.ts';
import type { AlertOutcome } from './report.ts';
import { loadRoutingTable } from './routes-file.ts';
import { routeAlert } from './routing.ts';
import { PayloadSchema } from './schema.ts';
import type { AlertPayload } from './schema.ts';

type Env = Readonly<Record<string, string | undefined>>;

const eventsMode = (env: Env): SinkMode =>
  envOneOf(env, 'ECO_ALERT_EVENTS', ['per-target', 'per-alert'] as const, 'per-target');

const SETTINGS = {
  routes: setting.file({
    env: 'ECO_ALERT_ROUTES',
    meaning:
      'JSON or YAML routing file that extends (default) or replaces the default table; unset = defaults',
  }),
  openfaasUrl: setting.url({
    env: 'OPENFAAS_URL',
    meaning: 'OpenFaaS gateway URL; when set, each target is invoked at /async-function/<bot>',
  }),
  openfaasUser: setting.string({
    env: 'OPENFAAS_USER',
    meaning: 'gateway basic-auth user (else the basic-auth-user secret file)',
  }),
  openfaasPassword: setting.string({
    env: 'OPENFAAS_PASSWORD',
    meaning: 'gateway basic-auth password (else the basic-auth-password secret file)',
  }),
  openfaasNamespace: setting.string({
    env: 'OPENFAAS_FUNCTION_NAMESPACE',
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    meaning: 'invoke <bot>.<namespace> instead of <bot>',
  }),
  openfaasFunctionMap: setting.string({
    env: 'OPENFAAS_FUNCTION_MAP',
    meaning:
      'bot=function[/path] pairs, comma-separated: invoke a bot that is a path of another function (the CE profile)',
  }),
  events: setting.enum({
    env: 'ECO_ALERT_EVENTS',
    values: ['per-target', 'per-alert'],
    default: 'per-target',
    meaning:
      'per-target: one K_SINK event per alert and target bot, with ecotarget=<bot>; per-alert: one per alert, ecotargets=<all targets>',
  }),
  concurrency: setting.number({
    env: 'ECO_ALERT_CONCURRENCY',
    default: 8,
    min: 1,
    max: 256,
    integer: true,
    meaning: 'deliveries in flight at once',
  }),
};

/** An invocation with no options at all (cron connector, PingSource, `{}`) is a self-check, not a payload. */
function isEmptyInvocation(input: AlertPayload): boolean {
  return Object.keys(input).length === 0;
}

async function selfCheck(ctx: Context): Promise<RunResult> {
  const table = await loadRoutingTable(ctx.env);
  const gateway = await loadGatewayConfig(ctx.env);
  sinkTuning(ctx.env);
  eventsMode(ctx.env);
  const sink = (ctx.env['K_SINK'] ?? '') !== '';
  return {
    summary: `no alerts in this invocation; routing table ok (${table.routes.length} routes from ${table.source})`,
    findings: [],
    data: {
      received: 0,
      routingTable: { source: table.source, mode: table.mode, routes: table.routes.length },
      channels: { sink, openfaas: gateway?.url ?? null },
    },
  };
}

export default defineBot({
  name: BOT_NAME,
  category: 'observability',
  tier: 'small',
  summary:
    'Alertmanager webhook receiver: validates and normalises each alert, routes it to the bots that act on it, and delivers it as a CloudEvent (K_SINK) and/or an OpenFaaS async invocation',
  triggers: { http: true, alerts: [] },
  rbac: [],
  mutates: false,
  input: PayloadSchema,
  // A webhook payload is not a narrowing option: every run is the fleet-wide view.
  scopeOptions: [],
  emits: [ALERT_FIRING_TYPE, ALERT_RESOLVED_TYPE],
  settings: SETTINGS,
  // A routes file that is missing or invalid fails the start, not every webhook after it.
  async init() {
    await loadRoutingTable(process.env);
  },

  async run(input, ctx) {
    if (input.alerts === undefined) {
      if (isEmptyInvocation(input)) return selfCheck(ctx);
      throw new ValidationError(
        'alerts: required: an Alertmanager webhook payload (version "4") needs an "alerts" array',
        {
          issues: [{ path: '/alerts', message: 'required' }],
        },
      );
    }

    // Configuration errors surface as 500s: Alertmanager retries, and nothing is half-delivered.
    const table = await loadRoutingTable(ctx.env);
    const gateway = await loadGatewayConfig(ctx.env);
    // The OpenFaaS deliveries use the same knobs (and defaults) as the kit's K_SINK sender.
    const policy: RetryPolicy = sinkTuning(ctx.env);
    const concurrency = envInt(ctx.env, 'ECO_ALERT_CONCURRENCY', 8, 1, 256);
    const sink = (ctx.env['K_SINK'] ?? '') !== '';
    const sinkMode = eventsMode(ctx.env);

    const seen = new Set<string>();
    let duplicates = 0;
    const outcomes: AlertOutcome[] = [];
    for (const raw of input.alerts) {
      const alert: NormalisedAlert = normaliseAlert(raw);
      const key = `${alert.fingerprint}\u0000${alert.status}`;
      if (seen.has(key)) {
        duplicates += 1;
        continue;
      }
      seen.add(key);
      const decision = routeAlert(table.routes, alert.labels);
      outcomes.push({ alert, targets: decision.targets, routes: decision.routes });
    }

    const receiver = input.receiver === undefined ? undefined : unquoteMeta(input.receiver);
    const notification: Record<string, unknown> = receiver === undefined ? {} : { receiver };
    for (const key of ['status', 'groupKey', 'externalURL', 'version', 'notification_reason'] as const) {
      if (input[key] !== undefined) notification[key] = input[key];
    }
    const context = {
      ...(receiver === undefined ? {} : { receiver }),
      ...(input.groupKey === undefined ? {} : { groupKey: input.groupKey }),
      ...(input.externalURL === undefined ? {} : { externalURL: input.externalURL }),
    };

    const items: RoutedAlert[] = outcomes.map((o) => ({ alert: o.alert, targets: o.targets }));
    const deliveries = await deliverAll(items, {
      emit: (type, data, options) => ctx.emit(type, data, options),
      sink,
      sinkMode,
      gateway,
      policy,
      signal: ctx.signal,
      traceparent: ctx.traceparent,
      now: () => ctx.now(),
      concurrency,
      context,
    });

    const { actions, ...result } = buildReport({
      received: input.alerts.length,
      duplicates,
      truncated: input.truncatedAlerts ?? 0,
      outcomes,
      deliveries,
      channels: { sink, openfaas: gateway?.url },
      notification,
      table: { source: table.source, mode: table.mode, routes: table.routes.length },
    });

    const alertsTotal = ctx.metrics.counter(
      'eco_alert_bot_alerts_total',
      'Alerts received by eco-alert-bot',
      ['status', 'routed'],
    );
    for (const o of outcomes)
      alertsTotal.inc({ status: o.alert.status, routed: o.targets.length > 0 ? 'true' : 'false' });
    const deliveriesTotal = ctx.metrics.counter(
      'eco_alert_bot_deliveries_total',
      'Alert deliveries by eco-alert-bot, after retries',
      ['channel', 'outcome'],
    );
    for (const d of deliveries) {
      deliveriesTotal.inc({
        channel: d.channel,
        outcome: d.ok ? 'ok' : d.skipped === true ? 'skipped' : 'failed',
      });
    }

    for (const action of actions) ctx.safety.note(action);
    const failed = deliveries.filter((d) => !d.ok);
    if (failed.length > 0) {
      // Alertmanager retries only on 5xx; the whole group comes again, so nothing is lost.
      ctx.log.error('alert delivery failed; answering 502 so Alertmanager retries', {
        summary: result.summary,
        failed: failed.map((d) => ({
          alertname: d.alertname,
          channel: d.channel,
          target: d.target,
          error: d.error,
        })),
      });
      const first = failed.find((d) => d.skipped !== true) ?? failed[0];
      const skipped = failed.filter((d) => d.skipped === true).length;
      const via = `${first?.channel ?? ''}${first?.target === undefined ? '' : ` to ${first.target}`}`;
      throw new BotError(
        'sink-delivery-failed',
        502,
        `${failed.length} of ${deliveries.length} alert deliveries failed` +
          (skipped > 0 ? ` (${skipped} not attempted after an earlier failure on the same channel)` : '') +
          ` (first: ${first?.alertname ?? ''} via ${via}: ${first?.error ?? 'unknown error'}); Alertmanager will retry`,
      );
    }
    return result;
  },
});
