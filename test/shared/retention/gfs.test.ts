import { describe, expect, it } from 'vitest';
import {
  decideRetention,
  isoWeekKey,
  type RetentionCandidate,
  type RetentionPolicy,
} from '../../../shared/retention/index.ts';

const at = (iso: string): Date => new Date(iso);
const c = (id: string, iso: string, state: RetentionCandidate['state'] = 'good'): RetentionCandidate => ({
  id,
  time: at(iso),
  state,
});
const kept = (candidates: RetentionCandidate[], policy: RetentionPolicy): string[] =>
  decideRetention(candidates, policy)
    .filter((d) => d.keep)
    .map((d) => d.id);
const none: RetentionPolicy = { keepLast: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 };

describe('GFS retention', () => {
  // A daily backup at 02:00 for 60 days, 2026-10-06 .. 2026-12-04.
  const daily = Array.from({ length: 60 }, (_, i) => {
    const t = new Date(Date.UTC(2026, 11, 4, 2) - i * 86_400_000);
    return c(`b-${t.toISOString().slice(0, 10)}`, t.toISOString());
  });

  it.each([
    ['keep-last only', { ...none, keepLast: 3 }, ['b-2026-12-04', 'b-2026-12-03', 'b-2026-12-02']],
    ['daily 2', { ...none, keepDaily: 2 }, ['b-2026-12-04', 'b-2026-12-03']],
    [
      // ISO weeks: 12-04 is a Friday (W49); the newest of W48 is Sunday 11-29, of W47 11-22.
      'weekly 3',
      { ...none, keepWeekly: 3 },
      ['b-2026-12-04', 'b-2026-11-29', 'b-2026-11-22'],
    ],
    ['monthly 3', { ...none, keepMonthly: 3 }, ['b-2026-12-04', 'b-2026-11-30', 'b-2026-10-31']],
    [
      'combined, buckets overlap',
      { keepLast: 1, keepDaily: 2, keepWeekly: 2, keepMonthly: 2 },
      ['b-2026-12-04', 'b-2026-12-03', 'b-2026-11-30', 'b-2026-11-29'],
    ],
  ] as const)('%s', (_name, policy, expected) => {
    expect(kept(daily, policy)).toEqual(expected);
  });

  it('keeps the newest of several items in one day', () => {
    const sameDay = [c('early', '2026-12-04T01:00:00Z'), c('late', '2026-12-04T23:00:00Z')];
    expect(kept(sameDay, { ...none, keepDaily: 1 })).toEqual(['late']);
  });

  it('never deletes the last good item, even with a zero policy or only failures after it', () => {
    const items = [c('failed-1', '2026-12-04T02:00:00Z', 'bad'), c('good', '2026-11-01T02:00:00Z')];
    const decisions = decideRetention(items, none);
    expect(decisions.find((d) => d.id === 'good')).toMatchObject({ keep: true, reasons: ['newest-good'] });
    expect(decisions.find((d) => d.id === 'failed-1')).toMatchObject({ keep: false });
  });

  it('keeps pending items and does not let failed ones fill the count', () => {
    const items = [
      c('pending', '2026-12-04T03:00:00Z', 'pending'),
      c('bad', '2026-12-04T02:00:00Z', 'bad'),
      c('g1', '2026-12-03T02:00:00Z'),
      c('g2', '2026-12-02T02:00:00Z'),
      c('g3', '2026-12-01T02:00:00Z'),
    ];
    expect(kept(items, { ...none, keepLast: 2 })).toEqual(['pending', 'g1', 'g2']);
  });

  it.each([
    ['2026-12-04T00:00:00Z', '2026-W49'],
    ['2027-01-01T00:00:00Z', '2026-W53'],
    ['2026-01-01T00:00:00Z', '2026-W01'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
  ])('ISO week of %s is %s', (iso, week) => {
    expect(isoWeekKey(at(iso))).toBe(week);
  });
});

describe('maximum age (Velero TTL)', () => {
  const now = new Date('2026-12-04T12:00:00Z');
  // The demo cluster's ledger-db snapshots: 1, 2, 3, 9 and 16 days old.
  const snaps = [1, 2, 3, 9, 16].map((d) => ({
    id: `${d}d`,
    time: new Date(now.getTime() - d * 86_400_000),
    state: 'good' as const,
  }));
  it('lets items past the age fill no bucket, whatever the weekday', () => {
    const policy = { keepLast: 3, keepDaily: 7, keepWeekly: 0, keepMonthly: 0, maxAgeDays: 14 };
    expect(
      decideRetention(snaps, policy, now)
        .filter((d) => !d.keep)
        .map((d) => d.id),
    ).toEqual(['16d']);
  });
  it('still keeps the newest good item when all are too old', () => {
    const old = snaps.filter((s) => s.id === '16d');
    expect(
      decideRetention(
        old,
        { keepLast: 3, keepDaily: 0, keepWeekly: 0, keepMonthly: 0, maxAgeDays: 7 },
        now,
      )[0],
    ).toMatchObject({
      keep: true,
      reasons: ['newest-good'],
    });
  });
});
