import type { Finding, Report, Severity } from '../../shared/bot/index.ts';
import { createRunbookResolver } from '../../shared/docs/runbook.ts';

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  severity(severity: Severity, text: string): string;
  ok(text: string): string;
  bad(text: string): string;
}

const plain: Style = {
  bold: (t) => t,
  dim: (t) => t,
  severity: (_s, t) => t,
  ok: (t) => t,
  bad: (t) => t,
};

const ansi: Style = {
  bold: (t) => `\u001b[1m${t}\u001b[22m`,
  dim: (t) => `\u001b[2m${t}\u001b[22m`,
  severity: (s, t) =>
    s === 'critical'
      ? `\u001b[31m${t}\u001b[39m`
      : s === 'warning'
        ? `\u001b[33m${t}\u001b[39m`
        : `\u001b[36m${t}\u001b[39m`,
  ok: (t) => `\u001b[32m${t}\u001b[39m`,
  bad: (t) => `\u001b[31m${t}\u001b[39m`,
};

/** Colour only for a terminal, and never when NO_COLOR is set (no-color.org). */
export function styleFor(
  stream: { isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): Style {
  return stream.isTTY === true && (env['NO_COLOR'] ?? '') === '' ? ansi : plain;
}

export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];
const RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

export function countBy(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

/** Whether any finding is at or above the threshold. */
export function reaches(findings: readonly Finding[], threshold: Severity): boolean {
  return findings.some((finding) => RANK[finding.severity] >= RANK[threshold]);
}

function objectLabel(object: Finding['object']): string {
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A finding's runbook: the link it carries, else the project's page for its check (ECO_DOCS_BASE_URL). */
export function runbookLink(finding: Finding, resolve = createRunbookResolver()): string {
  return finding.runbook !== undefined && finding.runbook !== ''
    ? finding.runbook
    : resolve(finding.check).href;
}

/** The readable summary `eco-bots invoke` prints: counts, the top findings with fix, cost and runbook, actions, errors. */
export function formatReport(report: Report, style: Style = plain, top = 10): string {
  const resolve = createRunbookResolver();
  const lines: string[] = [];
  const counts = countBy(report.findings);
  lines.push(
    `${style.bold(report.bot)} ${style.dim(`· ${report.mode} · trigger ${report.trigger} · ${duration(report.durationMs)}`)}`,
  );
  lines.push(`  ${report.summary}`);
  lines.push(
    `  findings: ${SEVERITIES.map((severity) => style.severity(severity, `${counts[severity]} ${severity}`)).join(', ')}`,
  );
  const sorted = [...report.findings].sort(
    (a, b) =>
      RANK[b.severity] - RANK[a.severity] || (b.impact?.monthlyCost ?? 0) - (a.impact?.monthlyCost ?? 0),
  );
  for (const finding of sorted.slice(0, top)) {
    lines.push(
      `    ${style.severity(finding.severity, finding.severity.toUpperCase().padEnd(8))} ${finding.check}  ${objectLabel(finding.object)}`,
    );
    lines.push(`             ${finding.message}`);
    const extra: string[] = [];
    if (finding.fix !== undefined) extra.push(`fix: ${finding.fix}`);
    if (finding.impact?.monthlyCost !== undefined)
      extra.push(`cost: ${finding.impact.monthlyCost.toFixed(2)} ${finding.impact.currency}/month`);
    if (extra.length > 0) lines.push(`             ${style.dim(extra.join(' · '))}`);
    lines.push(`             ${style.dim(`runbook: ${runbookLink(finding, resolve)}`)}`);
  }
  if (sorted.length > top) lines.push(style.dim(`    … ${sorted.length - top} more (--json for all)`));
  if (report.actions.length > 0) {
    lines.push(`  actions: ${report.actions.length}`);
    for (const action of report.actions.slice(0, top)) {
      lines.push(
        `    ${action.status.padEnd(8)} ${action.verb} ${objectLabel(action.object)}  ${style.dim(action.reason)}`,
      );
    }
    if (report.actions.length > top) lines.push(style.dim(`    … ${report.actions.length - top} more`));
  } else lines.push('  actions: none');
  for (const error of report.errors) lines.push(`  ${style.bad('error')} ${error.code}: ${error.message}`);
  return `${lines.join('\n')}\n`;
}

/** One progress line of a multi-bot run. */
export function progressLine(index: number, total: number, bot: string, outcome: string): string {
  return `[${String(index).padStart(String(total).length)}/${total}] ${bot.padEnd(24)} ${outcome}\n`;
}

export function shortOutcome(report: Report): string {
  const counts = countBy(report.findings);
  const parts = [`${report.findings.length} findings`];
  if (counts.critical > 0) parts.push(`${counts.critical} critical`);
  if (report.actions.length > 0) parts.push(`${report.actions.length} actions`);
  if (report.errors.length > 0) parts.push(`${report.errors.length} errors`);
  return `${parts.join(', ')} in ${duration(report.durationMs)}`;
}
