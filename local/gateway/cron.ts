import type { Bot } from '../../shared/bot/index.ts';
import type { Logger } from '../../shared/log/index.ts';
import { CronDispatcher } from '../../shared/runtime/index.ts';
import type { InvocationResult } from './invoker.ts';

/** The headers OpenFaaS's cron-connector sends (with an empty body). */
export const CRON_HEADERS: Readonly<Record<string, string>> = {
  'x-connector': 'cron-connector',
  'x-topic': 'cron-function',
};

export interface CronConnectorOptions {
  /** The bots with a `triggers.cron`. */
  bots: readonly Bot[];
  invoke(bot: string, headers: Record<string, string>): Promise<InvocationResult>;
  log: Logger;
  clock?: () => Date;
  /** Tick period (tests); default: just after the start of every minute, like cron. */
  intervalMs?: number;
}

/**
 * The cron-connector, in process: each tick runs the bots whose schedule has a time in the window
 * since the last tick (the kit's CronDispatcher: 5-field cron, descriptors, `@every`; UTC), with the
 * cron-connector's request. A bot whose previous run is still going is skipped, not stacked.
 */
export class CronConnector {
  readonly #running = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CronConnectorOptions) {}

  start(): void {
    if (this.options.bots.length === 0) return;
    const clock = this.options.clock ?? ((): Date => new Date());
    const dispatcher = new CronDispatcher(this.options.bots, { catchUpMs: 5 * 60_000, timezone: 'UTC' });
    const delay = (): number => this.options.intervalMs ?? 60_000 - (Date.now() % 60_000) + 50;
    dispatcher.plan(clock());
    const tick = (): void => {
      for (const bot of dispatcher.plan(clock()).due) void this.run(bot.name);
      this.#timer = setTimeout(tick, delay());
      this.#timer.unref();
    };
    this.#timer = setTimeout(tick, delay());
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }

  /** One run of every scheduled bot, `concurrency` at a time (the start-up warm-up). */
  runAll(concurrency: number): Promise<void> {
    return runLimited(
      this.options.bots.map((bot) => () => this.run(bot.name)),
      concurrency,
    );
  }

  async run(name: string): Promise<void> {
    const { log } = this.options;
    if (this.#running.has(name)) {
      log.info('cron run skipped: previous run still in progress', { bot: name });
      return;
    }
    this.#running.add(name);
    try {
      const result = await this.options.invoke(name, { ...CRON_HEADERS });
      log.info('cron run', {
        bot: name,
        status: result.status,
        ms: result.run.durationMs,
        summary: result.report?.summary,
      });
    } finally {
      this.#running.delete(name);
    }
  }
}

async function runLimited(jobs: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (job) await job().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
}
