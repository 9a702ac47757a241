/** One measured figure; `ratio` is value / baseline from the same run, `target` the budget. */
export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  /** e.g. '<= 1.3' or '>= 0.7'; `pass` says whether the ratio met it. */
  target?: string;
  pass?: boolean;
  note?: string;
}

export interface BenchResult {
  name: string;
  /** What was measured against what, in a sentence. */
  subject: string;
  rows: BenchRow[];
  details?: Record<string, unknown>;
}

export interface BenchContext {
  /** Repository root. */
  root: string;
  /** Fewer repetitions (BENCH_QUICK=1), for trying the bench itself. */
  quick: boolean;
  log(message: string): void;
}

/** What every scripts/bench/*.ts module exports to take part in `npm run bench`. */
export type BenchModule = { run(ctx: BenchContext): Promise<BenchResult | BenchResult[]> };

export function checkTarget(ratio: number, target: string): boolean {
  const match = /^(<=|>=)\s*([\d.]+)$/.exec(target.trim());
  if (match === null) return false;
  const limit = Number(match[2]);
  return match[1] === '<=' ? ratio <= limit : ratio >= limit;
}

/** A row with its ratio to `baseline` (when there is one) and whether it met `target`. */
export function benchRow(
  metric: string,
  value: number,
  unit: string,
  baseline?: number,
  target?: string,
  note?: string,
): BenchRow {
  const out: BenchRow = { metric, value, unit };
  if (baseline !== undefined && baseline > 0) {
    out.baseline = baseline;
    out.ratio = Math.round((value / baseline) * 100) / 100;
    if (target !== undefined) {
      out.target = target;
      out.pass = checkTarget(out.ratio, target);
    }
  }
  if (note !== undefined) out.note = note;
  return out;
}
