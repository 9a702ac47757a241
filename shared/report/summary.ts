import type { Action, ActionStatus, Finding, Severity } from '../bot/types.ts';

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { info: 0, warning: 0, critical: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

export function countByStatus(actions: readonly Action[]): Record<ActionStatus, number> {
  const counts: Record<ActionStatus, number> = { planned: 0, applied: 0, skipped: 0, failed: 0 };
  for (const a of actions) counts[a.status] += 1;
  return counts;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * A one-line human summary, e.g. "3 findings (1 critical, 2 warning); 2 actions (2 planned)".
 * `subject` prefixes what was looked at: "scanned 120 pods: ...".
 */
export function summarize(
  findings: readonly Finding[],
  actions: readonly Action[] = [],
  subject?: string,
): string {
  const sev = countBySeverity(findings);
  const sevParts = (['critical', 'warning', 'info'] as const)
    .filter((s) => sev[s] > 0)
    .map((s) => `${sev[s]} ${s}`);
  let text = plural(findings.length, 'finding') + (sevParts.length > 0 ? ` (${sevParts.join(', ')})` : '');
  if (actions.length > 0) {
    const st = countByStatus(actions);
    const stParts = (['applied', 'planned', 'skipped', 'failed'] as const)
      .filter((s) => st[s] > 0)
      .map((s) => `${st[s]} ${s}`);
    text += `; ${plural(actions.length, 'action')} (${stParts.join(', ')})`;
  }
  return subject === undefined ? text : `${subject}: ${text}`;
}

/** Findings sorted most severe first, then by check and object, for stable reports. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
  const key = (f: Finding): string =>
    `${f.check}\u0000${f.object.namespace ?? ''}\u0000${f.object.name}\u0000${f.id}`;
  return [...findings].sort((a, b) => rank[a.severity] - rank[b.severity] || key(a).localeCompare(key(b)));
}
