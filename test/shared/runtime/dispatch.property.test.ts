import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cron } from 'croner';
import { CronDispatcher } from '../../../shared/runtime/index.ts';
import { slowBot } from '../fixtures/bots.ts';

const gate = () =>
  ({ started: 0, finished: 0 }) as { release?: () => void; started: number; finished: number };
const schedules = ['* * * * *', '*/5 * * * *', '0 * * * *', '15,45 * * * *', '*/7 2-4 * * *'];
const bots = schedules.map((cron, i) => slowBot(`eco-p${i}-bot`, cron, gate()));
const start = Date.parse('2026-03-01T00:00:00Z');
const catchUpMs = 10 * 60_000;

/** Every scheduled time of `cron` in (from, to]. */
function times(cron: string, from: number, to: number): number[] {
  const c = new Cron(cron, { paused: true, timezone: 'UTC' });
  const out: number[] = [];
  let next = c.nextRun(new Date(from));
  while (next !== null && next.getTime() <= to) {
    out.push(next.getTime());
    next = c.nextRun(next);
  }
  return out;
}

describe('CronDispatcher properties (random tick times)', () => {
  it('a bot runs at most once per tick; windows never overlap; no scheduled time is lost within the catch-up cap, none run twice', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1_000, max: 25 * 60_000 }), { minLength: 1, maxLength: 25 }),
        (gaps) => {
          const d = new CronDispatcher(bots, { catchUpMs, timezone: 'UTC' });
          let now = start;
          let previousTo: number | undefined;
          let firstFrom: number | undefined;
          const runs = new Map<string, number>();
          for (const gap of gaps) {
            now += gap;
            const plan = d.plan(new Date(now));
            const names = plan.due.map((b) => b.name);
            expect(new Set(names).size).toBe(names.length);
            const from = plan.from.getTime();
            firstFrom ??= from;
            if (previousTo !== undefined) {
              // Contiguous unless the gap was over the cap: then it starts later, never earlier.
              expect(from).toBeGreaterThanOrEqual(previousTo);
              if (now - previousTo <= catchUpMs) expect(from).toBe(previousTo);
            }
            for (const bot of bots) {
              const due = times(bot.triggers.cron ?? '', from, now).length > 0;
              expect(names.includes(bot.name)).toBe(due);
              if (due) runs.set(bot.name, (runs.get(bot.name) ?? 0) + 1);
            }
            previousTo = now;
          }
          // Never more runs than ticks, and never more than scheduled times.
          for (const bot of bots) {
            const count = runs.get(bot.name) ?? 0;
            expect(count).toBeLessThanOrEqual(gaps.length);
            expect(count).toBeLessThanOrEqual(times(bot.triggers.cron ?? '', firstFrom ?? start, now).length);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
