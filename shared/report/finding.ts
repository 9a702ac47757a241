import { hash } from 'node:crypto';
import type { Finding, ObjectRef, Severity } from '../bot/types.ts';

export interface FindingInput {
  bot: string;
  check: string;
  severity: Severity;
  object: ObjectRef;
  message: string;
  /** Separates several findings of one check on one object (a container name, a port). */
  discriminator?: string;
  evidence?: Record<string, unknown>;
  fix?: string;
  impact?: { monthlyCost?: number; currency: string };
  runbook?: string;
}

/**
 * The stable id: the same problem on the same object keeps the same id across runs, so tools
 * downstream can dedupe and track it. The uid is left out on purpose: a recreated object with the
 * same name is still the same problem to a person.
 */
export function findingId(input: Pick<FindingInput, 'bot' | 'check' | 'object' | 'discriminator'>): string {
  const { apiVersion, kind, namespace, name } = input.object;
  const key = [
    input.bot,
    input.check,
    apiVersion,
    kind,
    namespace ?? '',
    name,
    input.discriminator ?? '',
  ].join('\u0000');
  // One-shot hash: for a key this short, a Hash object costs more than the digest.
  return hash('sha256', key, 'hex').slice(0, 16);
}

export function finding(input: FindingInput): Finding {
  const out: Finding = {
    id: findingId(input),
    check: input.check,
    severity: input.severity,
    object: input.object,
    message: input.message,
  };
  if (input.evidence !== undefined) out.evidence = input.evidence;
  if (input.fix !== undefined) out.fix = input.fix;
  if (input.impact !== undefined) out.impact = input.impact;
  if (input.runbook !== undefined) out.runbook = input.runbook;
  return out;
}

/** The object of a finding about a setting (an environment variable), e.g. one that is not set. */
export function settingRef(name: string): ObjectRef {
  return { apiVersion: 'eco.bsw-arch.org/v1', kind: 'Setting', name };
}

/**
 * The `<bot>.unconfigured` info finding: a setting the bot needs for part of its job is not set, so
 * that part did not run (the message says which, the fix how to set it).
 */
export function unconfiguredFinding(input: {
  bot: string;
  setting: string;
  message: string;
  fix: string;
  evidence?: Record<string, unknown>;
  runbook?: string;
}): Finding {
  const { setting, ...rest } = input;
  return finding({
    ...rest,
    check: `${input.bot}.unconfigured`,
    severity: 'info',
    object: settingRef(setting),
  });
}
