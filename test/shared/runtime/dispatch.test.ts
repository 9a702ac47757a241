import { describe, expect, it } from 'vitest';
import { CronDispatcher, parseSchedule } from '../../../shared/runtime/index.ts';
import { echoBot, slowBot } from '../fixtures/bots.ts';

const gate = () =>
  ({ started: 0, finished: 0 }) as { release?: () => void; started: number; finished: number };
const every5 = slowBot('eco-every5-bot', '*/5 * * * *', gate());
const hourly = slowBot('eco-hourly-bot', '0 * * * *', gate());
const at = (iso: string): Date => new Date(iso);
const names = (plan: { due: Array<{ name: string }> }): string[] => plan.due.map((b) => b.name).sort();

describe('CronDispatcher: which bots a tick runs', () => {
  const options = { catchUpMs: 10 * 60_000, timezone: 'UTC' };

  it('first tick: only the current minute counts', () => {
    const d = new CronDispatcher([every5, hourly], options);
    expect(names(d.plan(at('2026-01-01T10:00:20Z')))).toEqual(['eco-every5-bot', 'eco-hourly-bot']);
    const late = new CronDispatcher([every5, hourly], options);
    expect(names(late.plan(at('2026-01-01T10:01:20Z')))).toEqual([]);
  });

  it('a scheduled time in (previous tick, now] runs once; a second tick in the same minute runs nothing', () => {
    const d = new CronDispatcher([every5], options);
    expect(names(d.plan(at('2026-01-01T10:04:00Z')))).toEqual([]);
    expect(names(d.plan(at('2026-01-01T10:05:00Z')))).toEqual(['eco-every5-bot']);
    expect(names(d.plan(at('2026-01-01T10:05:30Z')))).toEqual([]);
    expect(names(d.plan(at('2026-01-01T10:06:00Z')))).toEqual([]);
  });

  it('a missed tick still runs a due bot once, however many times it was due', () => {
    const d = new CronDispatcher([every5], options);
    d.plan(at('2026-01-01T10:01:00Z'));
    // Ticks at 10:02..10:14 missed: 10:05 and 10:10 were due; it runs once.
    const plan = d.plan(at('2026-01-01T10:14:00Z'));
    expect(names(plan)).toEqual(['eco-every5-bot']);
    expect(plan.from.toISOString()).toBe('2026-01-01T10:04:00.000Z');
  });

  it('catch-up is capped: a schedule missed longer ago than ECO_CRON_CATCHUP_MINUTES is not run', () => {
    const d = new CronDispatcher([hourly], options);
    d.plan(at('2026-01-01T09:59:00Z'));
    expect(names(d.plan(at('2026-01-01T10:30:00Z')))).toEqual([]);
    const d2 = new CronDispatcher([hourly], options);
    d2.plan(at('2026-01-01T09:59:00Z'));
    expect(names(d2.plan(at('2026-01-01T10:09:00Z')))).toEqual(['eco-hourly-bot']);
  });

  it('a clock that goes backwards is a first tick', () => {
    const d = new CronDispatcher([every5], options);
    d.plan(at('2026-01-01T11:00:00Z'));
    expect(names(d.plan(at('2026-01-01T10:05:10Z')))).toEqual(['eco-every5-bot']);
  });

  it('bots without a cron trigger are never ticked', () => {
    const http = { ...echoBot, name: 'eco-plain-bot', triggers: { http: true } };
    const d = new CronDispatcher([http], options);
    expect(names(d.plan(at('2026-01-01T10:00:00Z')))).toEqual([]);
  });

  it('schedules: 5-field, descriptors, @every, time zones', () => {
    const from = at('2026-01-01T09:59:59Z');
    const to = at('2026-01-01T10:00:00Z');
    expect(parseSchedule('@hourly', 'UTC')(from, to)).toBe(true);
    expect(parseSchedule('@every 30m', 'UTC')(from, to)).toBe(true);
    expect(parseSchedule('@every 7m', 'UTC')(at('2026-01-01T10:00:01Z'), at('2026-01-01T10:00:59Z'))).toBe(
      false,
    );
    expect(parseSchedule('0 11 * * *', 'Europe/Paris')(from, to)).toBe(true);
    expect(parseSchedule('0 10 * * *', 'Europe/Paris')(from, to)).toBe(false);
    expect(() => parseSchedule('@every 0s', 'UTC')).toThrow(/@every/);
    expect(() => parseSchedule('* * * *', 'UTC')).toThrow();
  });
});
