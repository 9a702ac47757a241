import type { Severity } from '../../shared/index.ts';

/** One problem in one file, before it becomes a finding on `File <path>`. */
export interface Problem {
  check: string;
  severity: Severity;
  line: number;
  message: string;
  fix: string;
  evidence?: Record<string, unknown>;
}
