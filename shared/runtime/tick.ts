// A multi-bot process's cron tick: runs the bots that are due, never a bot still running.
import type { Bot } from '../bot/types.ts';
import type { RuntimeConfig } from '../config/types.ts';
import type { Logger } from '../log/types.ts';
import { CronDispatcher } from './dispatch.ts';
import type { Execute, Headers } from './execute.ts';

export interface TickResult {
  tick: string;
  window: { from: string; to: string };
  started: string[];
  skipped: Array<{ bot: string; reason: 'still-running' }>;
}

export function createTicker(
  bots: readonly Bot[],
  config: Readonly<RuntimeConfig>,
  deps: { now: () => Date; log: Logger; execute: Execute; track: <T>(promise: Promise<T>) => Promise<T> },
): (headers: Headers) => TickResult {
  const { log, execute, track } = deps;
  // Built on the first tick: a single bot never needs the cron parser.
  let dispatcher: CronDispatcher | undefined;
  const running = new Map<string, Promise<unknown>>();
  return function tick(headers: Headers): TickResult {
    const now = deps.now();
    dispatcher ??= new CronDispatcher(bots, config.cron);
    const plan = dispatcher.plan(now);
    const result: TickResult = {
      tick: now.toISOString(),
      window: { from: plan.from.toISOString(), to: plan.to.toISOString() },
      started: [],
      skipped: [],
    };
    for (const bot of plan.due) {
      if (running.has(bot.name)) {
        result.skipped.push({ bot: bot.name, reason: 'still-running' });
        continue;
      }
      // Not awaited: a slow bot must not hold the tick's answer, nor the next bot.
      const run = track(execute(bot, { trigger: 'cron', input: {} }, headers)).catch(() => undefined);
      running.set(bot.name, run);
      void run.finally(() => running.delete(bot.name));
      result.started.push(bot.name);
    }
    log.info('cron tick', { ...result });
    return result;
  };
}
