// Polaris' score (FairwindsOps/polaris pkg/validator/summary.go): 2·pass / (2·pass + warn + 2·danger),
// as a whole percentage truncated like Polaris' uint conversion. No checks at all scores 100.
import type { CheckResult } from './pss.ts';

export interface ScoreCounts {
  passes: number;
  warnings: number;
  dangers: number;
}

export const emptyCounts = (): ScoreCounts => ({ passes: 0, warnings: 0, dangers: 0 });

export function polarisScore(c: ScoreCounts): number {
  const total = 2 * c.passes + c.warnings + 2 * c.dangers;
  if (total === 0) return 100;
  return Math.floor((2 * c.passes * 100) / total);
}

/** Adds one pod's results to running counts (each failed evaluation is a warning or a danger). */
export function addResults(into: ScoreCounts, results: readonly CheckResult[]): ScoreCounts {
  for (const r of results) {
    into.passes += r.passed;
    if (r.check.severity === 'danger') into.dangers += r.failed;
    else into.warnings += r.failed;
  }
  return into;
}

export function sumCounts(parts: Iterable<ScoreCounts>): ScoreCounts {
  const out = emptyCounts();
  for (const p of parts) {
    out.passes += p.passes;
    out.warnings += p.warnings;
    out.dangers += p.dangers;
  }
  return out;
}
