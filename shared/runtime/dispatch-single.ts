// What a single-bot bundle links instead of dispatch.ts (scripts/build.ts swaps it in): a process
// serving one bot never dispatches ticks (an empty cron POST runs that bot directly), so the cron
// parser (croner, ~32 KiB minified) stays out of every single-bot bundle.
import type { Bot } from '../bot/types.ts';
import type { TickPlan } from './dispatch.ts';

export type { Schedule, TickPlan } from './dispatch.ts';

export class CronDispatcher {
  constructor(_bots: readonly Bot[], _options: { catchUpMs: number; timezone: string }) {}

  plan(_now: Date): TickPlan {
    throw new Error('a single-bot process does not dispatch cron ticks');
  }
}

export function parseSchedule(_expression: string, _timezone: string): never {
  throw new Error('a single-bot process does not parse cron schedules');
}
