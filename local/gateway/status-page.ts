import type { Bot } from '../../shared/bot/index.ts';
import { renderStatusPage } from '../../functions/eco-status-bot/render.ts';
import { buildStatusView } from '../../functions/eco-status-bot/view.ts';
import type { FleetEntry, StatusView } from '../../functions/eco-status-bot/view.ts';
import type { ReportStore } from './report-store.ts';

export const STATUS_BOT = 'eco-status-bot';

export function triggerList(bot: Bot): string[] {
  const out: string[] = [];
  if (bot.triggers.http) out.push('http');
  if (bot.triggers.cron !== undefined) out.push(`cron ${bot.triggers.cron}`);
  for (const type of bot.triggers.events ?? []) out.push(`event ${type}`);
  if ((bot.triggers.alerts ?? []).length > 0) out.push(`alerts ${(bot.triggers.alerts ?? []).join(',')}`);
  return out;
}

/** What the gateway knows of each bot, including runs that produced no report (crash, timeout). */
export function fleetEntries(bots: readonly Bot[], store: ReportStore): FleetEntry[] {
  const lastRuns = new Map(store.lastRuns().map((run) => [run.bot, run]));
  return bots.map((bot) => {
    const entry: FleetEntry = { bot: bot.name, category: bot.category, triggers: triggerList(bot) };
    const run = lastRuns.get(bot.name);
    if (run !== undefined) {
      entry.lastRun = { at: run.at, outcome: run.outcome, durationMs: run.durationMs };
      if (run.error !== undefined) entry.lastRun.error = run.error;
    }
    return entry;
  });
}

/** The status bot's input: every latest report except its own (its findings are about the fleet). */
export function statusInput(bots: readonly Bot[], store: ReportStore): Record<string, unknown> {
  return {
    reports: store.latestReports().filter((report) => report.bot !== STATUS_BOT),
    fleet: fleetEntries(bots, store),
  };
}

/** The view computed in the gateway's own process: the fallback when the status bot cannot run. */
export function localView(bots: readonly Bot[], store: ReportStore): StatusView {
  return buildStatusView(
    {
      reports: store.latestReports().filter((report) => report.bot !== STATUS_BOT),
      fleet: fleetEntries(bots, store),
    },
    new Date(),
  );
}

export function isStatusView(value: unknown): value is StatusView {
  if (typeof value !== 'object' || value === null) return false;
  const view = value as Partial<StatusView>;
  return typeof view.grade === 'string' && Array.isArray(view.fleet) && Array.isArray(view.topFindings);
}

export function statusHtml(
  view: StatusView,
  context: string,
  refreshSeconds: number,
  notice?: string,
): string {
  return renderStatusPage(view, {
    context,
    refreshSeconds,
    jsonHref: '/?format=json',
    ...(notice !== undefined ? { notice } : {}),
  });
}
