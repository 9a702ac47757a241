import { Cron } from 'croner';
import type { Bot } from '../bot/types.ts';

/** Whether a schedule has a run time in the window (from, to]. */
export type Schedule = (from: Date, to: Date) => boolean;

const GO_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * A bot's 5-field cron expression or descriptor (`@hourly`), or cron-connector's `@every <d>`
 * (robfig/cron accepts it; croner does not, so it is handled here, aligned to the epoch).
 */
export function parseSchedule(expression: string, timezone: string): Schedule {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@every ')) {
    const match = GO_DURATION.exec(trimmed.slice('@every '.length).trim());
    const ms =
      match === null
        ? 0
        : (Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) * 1000;
    if (ms < 1000) throw new Error(`cron "${expression}": @every needs a duration such as 5m or 1h30m`);
    return (from, to) => Math.floor(to.getTime() / ms) > Math.floor(from.getTime() / ms);
  }
  const cron = new Cron(trimmed, { paused: true, timezone, mode: '5-part' });
  return (from, to) => {
    const next = cron.nextRun(from);
    return next !== null && next.getTime() <= to.getTime();
  };
}

export interface TickPlan {
  /** The window (from, to] this tick covers. */
  from: Date;
  to: Date;
  due: Bot[];
}

/**
 * The multi-bot tick (an empty cron POST at `/`). Rules:
 * - A tick runs each bot with a scheduled time in (previous tick, now].
 * - The first tick covers the current minute only: a process that scales up from zero does not
 *   replay schedules from before it existed.
 * - The window never reaches back more than `catchUpMs` (but always covers the current minute), so
 *   a missed tick still runs a due bot once, never once per missed time.
 * - A clock that went backwards is treated as a first tick.
 * What is still running is decided by the caller (it skips those with reason "still-running").
 */
export class CronDispatcher {
  readonly #schedules: Array<{ bot: Bot; due: Schedule }>;
  readonly #catchUpMs: number;
  #lastTick: Date | undefined;

  constructor(bots: readonly Bot[], options: { catchUpMs: number; timezone: string }) {
    this.#catchUpMs = options.catchUpMs;
    this.#schedules = bots
      .filter((bot) => bot.triggers.cron !== undefined)
      .map((bot) => ({ bot, due: parseSchedule(bot.triggers.cron ?? '', options.timezone) }));
  }

  plan(now: Date): TickPlan {
    const minuteStart = Math.floor(now.getTime() / 60_000) * 60_000;
    const firstWindowFrom = minuteStart - 1;
    const floor = Math.min(firstWindowFrom, now.getTime() - this.#catchUpMs);
    const last = this.#lastTick;
    const fromMs =
      last === undefined || last.getTime() > now.getTime()
        ? firstWindowFrom
        : Math.max(last.getTime(), floor);
    this.#lastTick = now;
    const from = new Date(fromMs);
    return { from, to: now, due: this.#schedules.filter((s) => s.due(from, now)).map((s) => s.bot) };
  }
}
