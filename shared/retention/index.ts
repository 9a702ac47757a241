export { DEFAULT_RETENTION, checkRetentionPolicy, decideRetention, isoWeekKey } from './gfs.ts';
export type {
  KeepReason,
  RetentionCandidate,
  RetentionDecision,
  RetentionPolicy,
  RetentionState,
} from './gfs.ts';
