// The status page's view model, built from reports. Pure: no I/O, so the local gateway and the
// deployed bot render the same page from the same data.
import type { Action, Finding, Report, Severity } from '../../shared/bot/index.ts';

export type Grade = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';
export type Outcome = 'ok' | 'rejected' | 'error' | 'timeout' | 'crash' | 'never';

/** What the caller knows about the fleet besides reports (the local gateway knows every bot). */
export interface FleetEntry {
  bot: string;
  category?: string;
  triggers?: string[];
  /** The last invocation as the gateway saw it, even when it produced no report (crash, timeout). */
  lastRun?: { at: string; outcome: Exclude<Outcome, 'never'>; durationMs: number; error?: string };
}

/** Object counts read from the cluster: the denominators of the score. */
export interface ClusterCounts {
  objects: number;
  /** Objects per kind (`Pod`, `Node`...): Popeye-style sections. */
  byKind?: Record<string, number>;
  nodes?: number;
  namespaces?: number;
  error?: string;
}

export interface StatusInput {
  reports: readonly Report[];
  fleet?: readonly FleetEntry[];
  cluster?: ClusterCounts;
  /** How many findings the "top findings" list shows. */
  top?: number;
  /** How many actions the "recent actions" list shows. */
  recentActions?: number;
  /** How many findings the full (collapsed) list carries; the rest are counted, not listed. */
  maxFindings?: number;
}

export interface FleetRow {
  bot: string;
  category: string;
  triggers: string[];
  lastRun?: string;
  trigger?: string;
  outcome: Outcome;
  durationMs?: number;
  findings: number;
  summary?: string;
  error?: string;
}

export interface CategoryRow {
  category: string;
  critical: number;
  warning: number;
  info: number;
  score: number;
  grade: Grade;
}

export interface TopFinding {
  bot: string;
  category: string;
  severity: Severity;
  check: string;
  object: string;
  message: string;
  fix?: string;
  /** The runbook the finding carries (a URL or a docs path). */
  runbook?: string;
  monthlyCost?: number;
  currency?: string;
}

export interface ActionRow {
  bot: string;
  at: string;
  verb: string;
  object: string;
  status: Action['status'];
  reason: string;
}

export interface StatusView {
  generatedAt: string;
  grade: Grade;
  score: number;
  /** How the score was computed, in words (shown on the page). */
  scoreBasis: string;
  cluster?: ClusterCounts;
  totals: {
    critical: number;
    warning: number;
    info: number;
    bots: number;
    /** The catalogue's size: a grade over a partial fleet is not a clean cluster. */
    catalogue: number;
    botsReporting: number;
    botsFailing: number;
    monthlyCost: Array<{ currency: string; amount: number }>;
  };
  fleet: FleetRow[];
  categories: CategoryRow[];
  topFindings: TopFinding[];
  /** Every finding, most severe first, up to maxFindings (default 5000: a whole fleet's sweep). */
  findings: TopFinding[];
  actions: ActionRow[];
}

/** The bots of the catalogue (design BOTS.md): 49 in 8 categories. */
export const CATALOGUE_SIZE = 49;

const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };
/** Per affected object: an error counts fully against the score, a warning half (Popeye counts only ok/info as clean). */
const PENALTY: Record<Severity, number> = { critical: 1, warning: 0.5, info: 0 };

/** Popeye's grade scale (internal/report/grade.go): A >= 90, B >= 80, C >= 70, D >= 60, E >= 50, else F. */
export function gradeOf(score: number): Grade {
  if (score >= 90) return 'A';
  if (score >= 80) return 'B';
  if (score >= 70) return 'C';
  if (score >= 60) return 'D';
  if (score >= 50) return 'E';
  return 'F';
}

export function objectLabel(object: Finding['object']): string {
  const where = object.namespace ? `${object.namespace}/` : '';
  return `${object.kind} ${where}${object.name}`;
}

/** Each object's worst severity, keyed by its label. */
function worstPerObject(findings: readonly Finding[]): Map<string, { kind: string; severity: Severity }> {
  const worst = new Map<string, { kind: string; severity: Severity }>();
  for (const finding of findings) {
    const key = objectLabel(finding.object);
    const held = worst.get(key);
    if (held === undefined || SEVERITY_RANK[finding.severity] > SEVERITY_RANK[held.severity]) {
      worst.set(key, { kind: finding.object.kind, severity: finding.severity });
    }
  }
  return worst;
}

/**
 * Score like Popeye's (internal/report/tally.go): per section (here: per kind the status bot counts
 * in the cluster), the share of clean objects, where an object with findings counts by its worst
 * severity (critical 1, warning 0.5, info 0); the cluster score is the mean over the sections that
 * have objects. Findings on kinds that are not counted (a ConfigMap, a bot) show on the page but do
 * not move the score. Without counts (cluster unreachable) the denominator is the objects the
 * reports mention, which makes the score a lower bound (said so in the basis).
 */
function score(
  findings: readonly Finding[],
  cluster: ClusterCounts | undefined,
): { score: number; basis: string } {
  const worst = worstPerObject(findings);
  const sections = Object.entries(cluster?.byKind ?? {}).filter(([, count]) => count > 0);
  if (sections.length === 0) {
    let penalty = 0;
    for (const { severity } of worst.values()) penalty += PENALTY[severity];
    const denominator = Math.max(cluster?.objects ?? 0, worst.size, 1);
    const value = Math.max(0, Math.round(100 * (1 - penalty / denominator)));
    const basis =
      cluster !== undefined
        ? `${worst.size} of ${denominator} objects have findings (critical counts 1, warning 0.5)`
        : `${worst.size} objects have findings; cluster size unknown, so the score is a lower bound`;
    return { score: value, basis };
  }
  const penalties = new Map<string, number>();
  let counted = 0;
  for (const { kind, severity } of worst.values()) {
    if (cluster?.byKind?.[kind] === undefined) continue;
    counted += 1;
    penalties.set(kind, (penalties.get(kind) ?? 0) + PENALTY[severity]);
  }
  let total = 0;
  for (const [kind, count] of sections) total += 100 * Math.max(0, 1 - (penalties.get(kind) ?? 0) / count);
  const value = Math.round(total / sections.length);
  const objects = sections.reduce((sum, [, count]) => sum + count, 0);
  return {
    score: value,
    basis:
      `mean over ${sections.length} kinds of the share of clean objects; ${counted} of ${objects} objects have findings ` +
      '(critical counts 1, warning 0.5, info 0)',
  };
}

export function buildStatusView(input: StatusInput, now: Date): StatusView {
  const reports = new Map<string, Report>();
  for (const report of input.reports) {
    const held = reports.get(report.bot);
    if (held === undefined || held.startedAt < report.startedAt) reports.set(report.bot, report);
  }
  const fleetInfo = new Map((input.fleet ?? []).map((entry) => [entry.bot, entry]));
  const botNames = [...new Set([...fleetInfo.keys(), ...reports.keys()])].sort();
  const categoryOf = (bot: string, finding?: Finding): string =>
    fleetInfo.get(bot)?.category ?? finding?.check.split('.')[0] ?? 'other';

  const fleet: FleetRow[] = botNames.map((bot) =>
    fleetRow(bot, fleetInfo.get(bot), reports.get(bot), categoryOf(bot)),
  );

  const findings: Array<{ bot: string; finding: Finding }> = [];
  for (const report of reports.values())
    for (const finding of report.findings) findings.push({ bot: report.bot, finding });

  const overall = score(
    findings.map((entry) => entry.finding),
    input.cluster,
  );

  const byCategory = new Map<string, Finding[]>();
  for (const { bot, finding } of findings) {
    const category = categoryOf(bot, finding);
    byCategory.set(category, [...(byCategory.get(category) ?? []), finding]);
  }
  const categories: CategoryRow[] = [...byCategory.entries()]
    .map(([category, list]) => {
      const categoryScore = score(list, input.cluster).score;
      return {
        category,
        critical: count(list, 'critical'),
        warning: count(list, 'warning'),
        info: count(list, 'info'),
        score: categoryScore,
        grade: gradeOf(categoryScore),
      };
    })
    .sort((a, b) => a.score - b.score || a.category.localeCompare(b.category));

  const listed: TopFinding[] = findings
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity] ||
        (b.finding.impact?.monthlyCost ?? 0) - (a.finding.impact?.monthlyCost ?? 0) ||
        a.finding.check.localeCompare(b.finding.check),
    )
    .slice(0, input.maxFindings ?? 5000)
    .map(({ bot, finding }) => ({
      bot,
      category: categoryOf(bot, finding),
      severity: finding.severity,
      check: finding.check,
      object: objectLabel(finding.object),
      message: finding.message,
      ...(finding.fix !== undefined ? { fix: finding.fix } : {}),
      ...(finding.runbook !== undefined && finding.runbook !== '' ? { runbook: finding.runbook } : {}),
      ...(finding.impact?.monthlyCost !== undefined
        ? { monthlyCost: finding.impact.monthlyCost, currency: finding.impact.currency }
        : {}),
    }));
  const topFindings = listed.slice(0, input.top ?? 10);

  const actions: ActionRow[] = [...reports.values()]
    .flatMap((report) =>
      report.actions.map((action) => ({
        bot: report.bot,
        at: report.startedAt,
        verb: action.verb,
        object: objectLabel(action.object),
        status: action.status,
        reason: action.reason,
      })),
    )
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, input.recentActions ?? 20);

  const costs = new Map<string, number>();
  for (const { finding } of findings) {
    if (finding.impact?.monthlyCost === undefined) continue;
    costs.set(
      finding.impact.currency,
      (costs.get(finding.impact.currency) ?? 0) + finding.impact.monthlyCost,
    );
  }

  const all = findings.map((entry) => entry.finding);
  return {
    generatedAt: now.toISOString(),
    grade: gradeOf(overall.score),
    score: overall.score,
    scoreBasis: overall.basis,
    ...(input.cluster !== undefined ? { cluster: input.cluster } : {}),
    totals: {
      critical: count(all, 'critical'),
      warning: count(all, 'warning'),
      info: count(all, 'info'),
      bots: botNames.length,
      catalogue: CATALOGUE_SIZE,
      botsReporting: reports.size,
      botsFailing: fleet.filter(
        (row) => row.outcome === 'error' || row.outcome === 'timeout' || row.outcome === 'crash',
      ).length,
      monthlyCost: [...costs.entries()].map(([currency, amount]) => ({
        currency,
        amount: Math.round(amount * 100) / 100,
      })),
    },
    fleet,
    categories,
    topFindings,
    findings: listed,
    actions,
  };
}

function fleetRow(
  bot: string,
  info: FleetEntry | undefined,
  report: Report | undefined,
  category: string,
): FleetRow {
  const row: FleetRow = {
    bot,
    category,
    triggers: info?.triggers ?? [],
    outcome: 'never',
    findings: report?.findings.length ?? 0,
  };
  if (report !== undefined) {
    row.lastRun = report.startedAt;
    row.trigger = report.trigger;
    row.outcome = report.errors.length > 0 ? 'error' : 'ok';
    row.durationMs = report.durationMs;
    row.summary = report.summary;
    const first = report.errors[0];
    if (first !== undefined) row.error = `${first.code}: ${first.message}`;
  }
  // A later failed invocation (crash, timeout) outranks an older report: the page must show it. A
  // run without a report we hold (the status bot's own) still counts as the bot's last run.
  const last = info?.lastRun;
  // A rejected call (the caller's bad request) never outranks a report: the bot is not failing.
  const counts = last !== undefined && last.outcome !== 'rejected';
  if (
    last !== undefined &&
    (row.lastRun === undefined || (counts && last.at > row.lastRun && last.outcome !== 'ok'))
  ) {
    row.lastRun = last.at;
    row.outcome = last.outcome;
    row.durationMs = last.durationMs;
    if (last.error !== undefined) row.error = last.error;
  }
  return row;
}

function count(findings: readonly Finding[], severity: Severity): number {
  return findings.filter((finding) => finding.severity === severity).length;
}
