import type { Action, Finding, Report, ReportError } from '../../shared/bot/index.ts';
import { Check } from '@sinclair/typebox/value';
import { ActionSchema, FindingSchema } from '../../shared/report/schema.ts';

export { REPORT_EVENT_TYPE } from '../../shared/cloudevents/constants.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The fleet's Report schema decides what a finding and an action are: one definition, not a copy.
const isFinding = (value: unknown): value is Finding => Check(FindingSchema, value);
const isAction = (value: unknown): value is Action => Check(ActionSchema, value);
const isReportError = (value: unknown): value is ReportError =>
  isObject(value) && typeof value['message'] === 'string' && typeof value['code'] === 'string';

/**
 * A report from untrusted JSON, or undefined. Malformed findings/actions are dropped rather than
 * failing the whole page: one bot on an older schema must not blank the status page.
 */
export function toReport(value: unknown): Report | undefined {
  if (!isObject(value)) return undefined;
  const { bot, runId, startedAt } = value;
  if (typeof bot !== 'string' || typeof runId !== 'string' || typeof startedAt !== 'string') return undefined;
  const list = (key: string): unknown[] => (Array.isArray(value[key]) ? (value[key] as unknown[]) : []);
  const report: Report = {
    bot,
    runId,
    startedAt,
    trigger: (typeof value['trigger'] === 'string' ? value['trigger'] : 'http') as Report['trigger'],
    durationMs: typeof value['durationMs'] === 'number' ? value['durationMs'] : 0,
    mode: value['mode'] === 'apply' ? 'apply' : 'dry-run',
    summary: typeof value['summary'] === 'string' ? value['summary'] : '',
    findings: list('findings').filter(isFinding),
    actions: list('actions').filter(isAction),
    errors: list('errors').filter(isReportError),
  };
  if (value['scoped'] === true) report.scoped = true;
  return report;
}

/** The latest report per bot, bounded; the oldest bot is forgotten first. */
export class ReportCache {
  readonly #reports = new Map<string, Report>();
  constructor(private readonly limit: number) {}

  put(report: Report): void {
    const held = this.#reports.get(report.bot);
    if (held !== undefined && held.startedAt > report.startedAt) return;
    this.#reports.delete(report.bot);
    this.#reports.set(report.bot, report);
    while (this.#reports.size > this.limit) {
      const oldest = this.#reports.keys().next().value;
      if (oldest === undefined) break;
      this.#reports.delete(oldest);
    }
  }

  all(): Report[] {
    return [...this.#reports.values()];
  }

  get size(): number {
    return this.#reports.size;
  }
}
