/** A command-line mistake: printed with the usage hint, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** Findings at or above --fail-on. */
  findings: 3,
  /** A bad environment variable at `up` (EX_CONFIG, as the bundles exit). */
  config: 78,
} as const;
