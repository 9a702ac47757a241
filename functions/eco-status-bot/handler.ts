import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import { defineBot } from '../../shared/bot/index.ts';
import { setting } from '../../shared/settings/index.ts';
import type { Context, Finding, Report, RunResult } from '../../shared/bot/index.ts';
import { finding } from '../../shared/report/index.ts';
import { countObjects } from './cluster.ts';
import { renderStatusPage } from './render.ts';
import { buildStatusView } from './view.ts';
import type { FleetEntry, StatusView } from './view.ts';
import { REPORT_EVENT_TYPE, ReportCache, toReport } from './reports.ts';

// Reports and fleet entries are validated loosely here (they come from the fleet's own runtime) and
// normalised by toReport; the page must render whatever a bot of any version sent.
const ReportLike = Type.Object(
  {
    bot: Type.String({ minLength: 1, maxLength: 63 }),
    runId: Type.String(),
    startedAt: Type.String(),
    findings: Type.Array(Type.Unknown(), { maxItems: 5000 }),
  },
  { additionalProperties: true },
);

const FleetLike = Type.Object(
  {
    bot: Type.String({ minLength: 1, maxLength: 63 }),
    category: Type.Optional(Type.String()),
    triggers: Type.Optional(Type.Array(Type.String())),
    lastRun: Type.Optional(
      Type.Object({
        at: Type.String(),
        outcome: Type.Union([
          Type.Literal('ok'),
          Type.Literal('rejected'),
          Type.Literal('error'),
          Type.Literal('timeout'),
          Type.Literal('crash'),
        ]),
        durationMs: Type.Number(),
        error: Type.Optional(Type.String()),
      }),
    ),
  },
  { additionalProperties: true },
);

export const StatusInputSchema = Type.Object(
  {
    /** The reports to show; when empty, the reports this instance received as CloudEvents. */
    reports: Type.Array(ReportLike, { default: [], maxItems: 500 }),
    /** Every bot of the fleet (the local gateway sends it), so bots that never ran show too. */
    fleet: Type.Array(FleetLike, { default: [], maxItems: 500 }),
    /** Count the cluster's objects for the score (list calls); off gives a lower-bound score. */
    // Strings too: a browser GET passes options as query parameters (`?readCluster=false&top=20`).
    readCluster: Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')], { default: true }),
    top: Type.Union(
      [Type.Integer({ minimum: 1, maximum: 100 }), Type.String({ pattern: '^(100|[1-9][0-9]?)$' })],
      {
        default: 10,
      },
    ),
    /** `json` answers the report even to a browser; otherwise a caller accepting text/html gets the page. */
    format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('json')])),
  },
  { additionalProperties: true },
);

type StatusInput = Static<typeof StatusInputSchema>;

/** Reports received as CloudEvents by this instance (Knative Trigger on the report type); safe to lose. */
const received = new ReportCache(200);

export default defineBot({
  name: 'eco-status-bot',
  category: 'observability',
  tier: 'small',
  summary:
    'The status page: fleet health, findings by category and severity with a cluster grade, top findings, recent actions',
  triggers: { http: true, httpGet: true, events: [REPORT_EVENT_TYPE] },
  rbac: [
    {
      apiGroups: [''],
      resources: ['namespaces', 'nodes', 'pods', 'services', 'persistentvolumeclaims'],
      verbs: ['list'],
    },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
      verbs: ['list'],
    },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
  ],
  mutates: false,
  input: StatusInputSchema,
  scopeOptions: [],
  settings: {
    clusterCacheSeconds: setting.number({
      env: 'ECO_STATUS_CLUSTER_CACHE_SECONDS',
      default: 60,
      min: 0,
      max: 86_400,
      meaning: 'how long the object count used for the score is reused',
    }),
  },
  async run(input: StatusInput, ctx: Context): Promise<RunResult> {
    // A report CloudEvent from another bot: remember it for the next page view.
    if (ctx.event?.type === REPORT_EVENT_TYPE) {
      const report = toReport(input);
      if (report === undefined)
        return { summary: 'ignored a report event without a report in its data', findings: [] };
      received.put(report);
      return { summary: `recorded the report of ${report.bot} (${received.size} bots known)`, findings: [] };
    }
    const given = input.reports.map(toReport).filter((report): report is Report => report !== undefined);
    const reports = given.length > 0 ? given : received.all();
    const readCluster = input.readCluster === true || input.readCluster === 'true';
    const cluster = readCluster ? await countObjects(ctx) : undefined;
    const view = buildStatusView(
      {
        reports,
        fleet: input.fleet as FleetEntry[],
        ...(cluster !== undefined ? { cluster } : {}),
        top: Number(input.top),
      },
      ctx.now(),
    );
    const result: RunResult = {
      summary: summarise(view),
      findings: fleetFindings(view, ctx),
      data: view as unknown as Record<string, unknown>,
    };
    // Deployed, a browser gets the page itself (the runtime serves `http` to an Accept of text/html);
    // behind the local gateway the caller asks for JSON and the gateway renders the same page.
    if (input.format !== 'json' && (ctx.headers['accept'] ?? '').includes('text/html')) {
      result.http = {
        contentType: 'text/html; charset=utf-8',
        body: renderStatusPage(view, {
          context: `${ctx.mode} · ${ctx.env['K_SERVICE'] ?? ctx.bot}`,
          jsonHref: '?format=json',
        }),
      };
    }
    return result;
  },
});

function summarise(view: StatusView): string {
  const { totals } = view;
  return (
    `grade ${view.grade} (score ${view.score}): ${totals.critical} critical, ${totals.warning} warning, ` +
    `${totals.info} info from ${totals.botsReporting} of ${totals.bots} bots` +
    (totals.botsFailing > 0 ? `; ${totals.botsFailing} failing` : '')
  );
}

/** The status bot's own findings: bots whose last run failed (the page's most urgent line). */
function fleetFindings(view: StatusView, ctx: Context): Finding[] {
  return view.fleet
    .filter((row) => row.outcome === 'error' || row.outcome === 'timeout' || row.outcome === 'crash')
    .map((row) =>
      finding({
        bot: ctx.bot,
        check: 'status.bot-failing',
        severity: 'warning',
        object: { apiVersion: 'eco.bsw-arch.org/v1', kind: 'Bot', name: row.bot },
        message: `${row.bot}: last run ${row.outcome}${row.error ? ` (${row.error})` : ''}`,
        fix: `Invoke ${row.bot} by hand (eco-bots invoke ${row.bot}) and read its errors and logs`,
      }),
    );
}
