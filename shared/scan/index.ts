export { takeSnapshot, apiMissingFinding } from './snapshot.ts';
export type { KindMap, Snapshot, SnapshotOptions } from './snapshot.ts';
export { check, runChecks, checkIds } from './checks.ts';
export type { Check, CheckResult, RunChecksOptions } from './checks.ts';
