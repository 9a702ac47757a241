// Checks as pure functions `(snapshot, settings, now) => results`, shaped after Popeye's linters and
// Polaris' checks: a stable id, a default severity, the anchor rule it reproduces, and per object a
// one-sentence message, the evidence judged on, and a fix. Tests feed objects and expect findings.
import type { Context, Finding, ObjectRef, ReportError, Severity } from '../bot/types.ts';
import type { KubeObject, ResourceType } from '../k8s/types.ts';
import { finding } from '../report/finding.ts';
import { objectRef } from '../report/helpers.ts';

export interface CheckResult {
  object: KubeObject | ObjectRef;
  /** The object's type, when `object` is a KubeObject without apiVersion/kind (as lists return items). */
  type?: ResourceType;
  message: string;
  evidence?: Record<string, unknown>;
  fix?: string;
  /** Overrides the check's default severity for this object. */
  severity?: Severity;
  impact?: { monthlyCost?: number; currency: string };
  /** Separates several results of one check on one object (a container, a port). */
  discriminator?: string;
}

export interface Check<Snap, Settings> {
  /** The finding's `check`, dotted and stable: `<area>.<problem>`, e.g. `node.not-ready`. */
  readonly id: string;
  readonly severity: Severity;
  /** One line: what it looks for. */
  readonly title: string;
  /** The anchor rule it reproduces (`Popeye POP-700`, `Polaris cpuRequestsMissing`, ...). */
  readonly anchor: string;
  run(snapshot: Snap, settings: Settings, now: Date): Iterable<CheckResult>;
}

/** Declares a check (keeps its types; the id's shape is checked by the fleet tests). */
export function check<Snap, Settings>(definition: Check<Snap, Settings>): Check<Snap, Settings> {
  return Object.freeze(definition);
}

export interface RunChecksOptions {
  /** Run only these check ids (an invocation's subset); unknown ids are the caller's problem (400). */
  only?: readonly string[];
  /** The runbook link of a check id, when there is one. */
  runbook?: (checkId: string) => string | undefined;
}

function refOf(result: CheckResult): ObjectRef {
  const object = result.object;
  return 'metadata' in object ? objectRef(object, result.type) : object;
}

/**
 * Runs each check over the snapshot. A check that throws becomes a report error naming it (the
 * other checks' findings stand), never a failed run.
 */
export function runChecks<Snap, Settings>(
  ctx: Pick<Context, 'bot' | 'now'>,
  checks: readonly Check<Snap, Settings>[],
  snapshot: Snap,
  settings: Settings,
  options: RunChecksOptions = {},
): { findings: Finding[]; errors: ReportError[] } {
  const findings: Finding[] = [];
  const errors: ReportError[] = [];
  const now = ctx.now();
  for (const c of checks) {
    if (options.only !== undefined && !options.only.includes(c.id)) continue;
    try {
      for (const result of c.run(snapshot, settings, now)) {
        const runbook = options.runbook?.(c.id);
        findings.push(
          finding({
            bot: ctx.bot,
            check: c.id,
            severity: result.severity ?? c.severity,
            object: refOf(result),
            message: result.message,
            ...(result.discriminator === undefined ? {} : { discriminator: result.discriminator }),
            ...(result.evidence === undefined ? {} : { evidence: result.evidence }),
            ...(result.fix === undefined ? {} : { fix: result.fix }),
            ...(result.impact === undefined ? {} : { impact: result.impact }),
            ...(runbook === undefined ? {} : { runbook }),
          }),
        );
      }
    } catch (error) {
      errors.push({ code: 'check-failed', message: `${c.id}: ${(error as Error).message}` });
    }
  }
  return { findings, errors };
}

/** The check ids of a list, for an input schema's enum of `checks` and for docs tables. */
export function checkIds(checks: readonly Check<unknown, unknown>[]): string[] {
  return checks.map((c) => c.id);
}
