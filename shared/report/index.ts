export { finding, findingId, settingRef, unconfiguredFinding } from './finding.ts';
export { countBySeverity, countByStatus, sortFindings, summarize } from './summary.ts';
export type { FindingInput } from './finding.ts';
export type { SeverityCounts } from './summary.ts';
export { objectRef, reportErrorFrom, collect, settle } from './helpers.ts';
export type { Settled } from './helpers.ts';
export { ReportSchema, FindingSchema, ActionSchema, checkReport } from './schema.ts';
