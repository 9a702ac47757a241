import type { Report } from '../../shared/bot/index.ts';

/** What the gateway saw of one invocation, whether or not the bot produced a report. */
export interface RunRecord {
  bot: string;
  at: string;
  trigger: string;
  /** ok: 2xx with a report without errors; rejected: the caller's request was bad (400-415), the
   *  bot is not failing; error: the report lists errors or the bot answered 5xx;
   *  timeout / crash: the gateway gave up on the process. */
  outcome: 'ok' | 'rejected' | 'error' | 'timeout' | 'crash';
  /** The run's options narrowed it (see Report.scoped). */
  scoped?: boolean;
  status: number;
  durationMs: number;
  runId?: string;
  error?: string;
}

export interface StoredEvent {
  at: string;
  id: string;
  type: string;
  source: string;
  subject?: string;
  /** Bots the event was delivered to, with the HTTP status each answered (0 = not reached). */
  deliveries: Array<{ bot: string; status: number }>;
}

const RECENT_EVENTS = 200;
const RECENT_RUNS = 500;

/**
 * The gateway's memory: the latest report per bot (the status page's data source), the last run of
 * each bot, and recent events. In memory only; a restart starts empty, like the functions themselves.
 */
export class ReportStore {
  readonly #reports = new Map<string, Report>();
  readonly #lastRun = new Map<string, RunRecord>();
  readonly #runs: RunRecord[] = [];
  readonly #events: StoredEvent[] = [];
  readonly #listeners = new Set<(report: Report) => void>();
  readonly #counts = new Map<string, number>();

  /**
   * Keeps the report when it is newer than the one held (reports arrive twice: reply and event).
   * A scoped run (a namespace, a subset of checks) never replaces the fleet-wide view.
   */
  putReport(report: Report): void {
    if (report.scoped === true && this.#reports.has(report.bot)) return;
    const held = this.#reports.get(report.bot);
    if (held !== undefined && (held.runId === report.runId || held.startedAt > report.startedAt)) return;
    this.#reports.set(report.bot, report);
    for (const listener of this.#listeners) listener(report);
  }

  recordRun(run: RunRecord): void {
    this.#counts.set(run.bot, (this.#counts.get(run.bot) ?? 0) + 1);
    // A rejected call says nothing about the bot's health: its last real run stays the one shown.
    if (run.outcome !== 'rejected' || !this.#lastRun.has(run.bot)) this.#lastRun.set(run.bot, run);
    this.#runs.push(run);
    if (this.#runs.length > RECENT_RUNS) this.#runs.shift();
  }

  recordEvent(event: StoredEvent): void {
    this.#events.push(event);
    if (this.#events.length > RECENT_EVENTS) this.#events.shift();
  }

  latestReports(): Report[] {
    return [...this.#reports.values()].sort((a, b) => a.bot.localeCompare(b.bot));
  }

  report(bot: string): Report | undefined {
    return this.#reports.get(bot);
  }

  lastRuns(): RunRecord[] {
    return [...this.#lastRun.values()];
  }

  /** Every invocation since start (the OpenFaaS invocationCount). */
  invocationCount(bot: string): number {
    return this.#counts.get(bot) ?? 0;
  }

  runs(): RunRecord[] {
    return [...this.#runs];
  }

  events(): StoredEvent[] {
    return [...this.#events];
  }

  /** Called for every report kept; returns an unsubscribe function. */
  onReport(listener: (report: Report) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** A lenient structural check: a body is treated as a report when it has the report's key fields. */
export function asReport(value: unknown): Report | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<Report>;
  if (typeof candidate.bot !== 'string' || typeof candidate.runId !== 'string') return undefined;
  if (!Array.isArray(candidate.findings) || typeof candidate.startedAt !== 'string') return undefined;
  return {
    ...(candidate as Report),
    actions: Array.isArray(candidate.actions) ? candidate.actions : [],
    errors: Array.isArray(candidate.errors) ? candidate.errors : [],
  };
}
