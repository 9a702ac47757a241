// Retention by count and by grandfather-father-son (GFS) buckets, the way restic and borg prune:
// keep the newest N, then the newest item of each of the last D days, W ISO weeks and M months that
// have one. Shared by the backup bot (backups) and the snapshot bot (VolumeSnapshots).
//
// Safety rules that no policy overrides:
// - an item that is not finished (`pending`: a backup being written, a snapshot not ready yet) is kept;
// - the newest `good` item is kept, so a prune never leaves zero restorable copies;
// - only `good` items fill the count and the buckets: a failed backup never pushes a good one out.

export type RetentionState = 'good' | 'pending' | 'bad';

export interface RetentionCandidate {
  id: string;
  /** When the item was taken (backup start, snapshot creation). */
  time: Date;
  state: RetentionState;
}

export interface RetentionPolicy {
  /** Keep the newest N good items. */
  keepLast: number;
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
  /**
   * Velero's TTL: an item older than this many days fills no count and no bucket (so it goes, unless
   * it is the newest good one). Unset: no age limit.
   */
  maxAgeDays?: number | undefined;
}

export type KeepReason = 'last' | 'daily' | 'weekly' | 'monthly' | 'newest-good' | 'pending';

export interface RetentionDecision {
  id: string;
  time: Date;
  state: RetentionState;
  keep: boolean;
  /** Every rule that keeps it (empty when it is to be deleted). */
  reasons: KeepReason[];
}

/** Velero keeps backups 30 days; with daily backups that is about 7 daily, 4 weekly, 1 monthly. */
export const DEFAULT_RETENTION: RetentionPolicy = {
  keepLast: 3,
  keepDaily: 7,
  keepWeekly: 4,
  keepMonthly: 6,
};

const dayKey = (t: Date): string => t.toISOString().slice(0, 10);
const monthKey = (t: Date): string => t.toISOString().slice(0, 7);

/** ISO-8601 week (UTC), e.g. `2026-W49`; the year is the week's Thursday's year. */
export function isoWeekKey(t: Date): string {
  const day = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Decides, for every candidate, keep or delete and why; newest first. Pure. */
export function decideRetention(
  candidates: readonly RetentionCandidate[],
  policy: RetentionPolicy,
  now: Date = new Date(),
): RetentionDecision[] {
  const sorted = [...candidates].sort(
    (a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? -1 : 1),
  );
  const decisions = sorted.map((c): RetentionDecision => ({
    id: c.id,
    time: c.time,
    state: c.state,
    keep: false,
    reasons: [],
  }));
  const oldest = policy.maxAgeDays === undefined ? -Infinity : now.getTime() - policy.maxAgeDays * 86_400_000;
  const good = decisions.filter((d) => d.state === 'good');
  const eligible = good.filter((d) => d.time.getTime() >= oldest);
  eligible.slice(0, Math.max(0, policy.keepLast)).forEach((d) => d.reasons.push('last'));
  const bucket = (count: number, key: (t: Date) => string, reason: KeepReason): void => {
    const seen = new Set<string>();
    for (const d of eligible) {
      if (seen.size >= count) break;
      const k = key(d.time);
      if (seen.has(k)) continue;
      seen.add(k);
      d.reasons.push(reason);
    }
  };
  bucket(policy.keepDaily, dayKey, 'daily');
  bucket(policy.keepWeekly, isoWeekKey, 'weekly');
  bucket(policy.keepMonthly, monthKey, 'monthly');
  good[0]?.reasons.push('newest-good');
  for (const d of decisions) {
    if (d.state === 'pending') d.reasons.push('pending');
    d.keep = d.reasons.length > 0;
  }
  return decisions;
}

/** A policy from options, each count a whole number in 0..1000. */
export function checkRetentionPolicy(policy: RetentionPolicy): string | undefined {
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 0 || value > 1000)
      return `${name} must be a whole number in 0..1000`;
  }
  return undefined;
}
