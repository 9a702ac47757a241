// A multi-bot process's cron tick: runs the bots that are due, never a bot still running.
import type { Bot } from '../bot/types.ts';
import type { RuntimeConfig } from '../config/types.ts';
import type { Logger } from '../log/types.ts';
import { CronDispatcher } from './dispatch.ts';
import type { Execute, Headers } from './execute.ts';
import { createReadScope } from './read-scope.ts';

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
    const starting = plan.due.filter((bot) => !running.has(bot.name));
    // The bots of one tick read the cluster once between them (read-scope.ts); the scope ends with
    // the tick's last run, so the next tick reads afresh. A bot due alone reads as it always did.
    const reads = starting.length > 1 ? createReadScope() : undefined;
    const runs: Promise<unknown>[] = [];
    for (const bot of plan.due) {
      if (running.has(bot.name)) {
        result.skipped.push({ bot: bot.name, reason: 'still-running' });
        continue;
      }
      // Not awaited: a slow bot must not hold the tick's answer, nor the next bot.
      const run = track(execute(bot, { trigger: 'cron', input: {} }, headers, true, reads)).catch(
        () => undefined,
      );
      running.set(bot.name, run);
      runs.push(run);
      void run.finally(() => running.delete(bot.name));
      result.started.push(bot.name);
    }
    if (reads !== undefined) void Promise.allSettled(runs).then(() => reads.close());
    log.info('cron tick', { ...result });
    return result;
  };
}
