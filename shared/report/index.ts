export { finding, findingId } from './finding.ts';
export { countBySeverity, countByStatus, sortFindings, summarize } from './summary.ts';
export type { FindingInput } from './finding.ts';
export type { SeverityCounts } from './summary.ts';
