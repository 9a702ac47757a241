import { Counter, Gauge, Histogram, Registry, loadDefaultMetrics } from './prom.ts';
import type { Registry as RegistryType } from 'prom-client';
import type { Action, Report } from '../bot/types.ts';
import type { MetricsApi } from './types.ts';

export type Outcome = 'ok' | 'error' | 'rejected' | 'timeout';

export interface KitMetrics extends MetricsApi {
  /** This process's own registry: nothing global, so tests and several servers never collide. */
  readonly registry: RegistryType;
  readonly contentType: string;
  /** Counts an invocation; the duration is observed only for runs (not for requests refused before one). */
  observeRun(bot: string, trigger: string, outcome: Outcome, seconds?: number): void;
  observeReport(report: Report): void;
  /** The seed's `bot_errors_total{bot_name,type}`. */
  countError(bot: string, type: string): void;
  /** Zero series for a bot served here, so dashboards see it before its first error or run. */
  declareBot(bot: string): void;
  render(): Promise<string>;
}

export interface MetricsOptions {
  /** `bot_name` label of the process-level seed gauges: the bot, or the group's name. */
  processName: string;
  /** Default process metrics (process_*, nodejs_*); on in servers, off where they cost for nothing. */
  defaultMetrics?: boolean;
}

const SEVERITIES = ['info', 'warning', 'critical'] as const;

export function createMetrics(options: MetricsOptions): KitMetrics {
  const registry = new Registry();
  // Default process metrics are registered on the first scrape: setting them up costs several
  // milliseconds of a cold start, and nobody reads them before a scrape.
  let defaults: Promise<void> | undefined = (options.defaultMetrics ?? true) ? undefined : Promise.resolve();
  const ensureDefaults = (): Promise<void> =>
    (defaults ??= loadDefaultMetrics().then((collect) => collect({ register: registry })));

  // CPU percent over the interval between two scrapes, the way `top` shows a process.
  let lastCpu = process.cpuUsage();
  let lastAt = process.hrtime.bigint();
  new Gauge({
    name: 'bot_cpu_usage_percent',
    help: 'CPU used by this bot process since the previous scrape, percent of one core',
    labelNames: ['bot_name'],
    registers: [registry],
    collect() {
      const cpu = process.cpuUsage(lastCpu);
      const at = process.hrtime.bigint();
      const elapsedMicros = Number(at - lastAt) / 1000;
      lastCpu = process.cpuUsage();
      lastAt = at;
      const percent = elapsedMicros > 0 ? ((cpu.user + cpu.system) / elapsedMicros) * 100 : 0;
      this.set({ bot_name: options.processName }, Math.round(percent * 100) / 100);
    },
  });
  new Gauge({
    name: 'bot_memory_usage_bytes',
    help: 'Resident set size of this bot process',
    labelNames: ['bot_name'],
    registers: [registry],
    collect() {
      this.set({ bot_name: options.processName }, process.memoryUsage.rss());
    },
  });
  const errors = new Counter({
    name: 'bot_errors_total',
    help: 'Errors in this bot process by type (run, validation, timeout, sink, unhandled)',
    labelNames: ['bot_name', 'type'],
    registers: [registry],
  });
  const invocations = new Counter({
    name: 'eco_bot_invocations_total',
    help: 'Bot invocations by trigger and outcome',
    labelNames: ['bot', 'trigger', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'eco_bot_duration_seconds',
    help: 'Bot run duration',
    labelNames: ['bot', 'trigger'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const findings = new Gauge({
    name: 'eco_bot_findings',
    help: 'Findings of the bot’s last run by severity',
    labelNames: ['bot', 'severity'],
    registers: [registry],
  });
  const lastFindings = new Map<string, Record<(typeof SEVERITIES)[number], number>>();
  const actions = new Counter({
    name: 'eco_bot_actions_total',
    help: 'Actions by verb and status (planned in dry-run, applied, skipped, failed)',
    labelNames: ['bot', 'verb', 'status'],
    registers: [registry],
  });

  function existing<T>(name: string, kind: new (...args: never[]) => T): T | undefined {
    const found = registry.getSingleMetric(name);
    if (found === undefined) return undefined;
    if (!(found instanceof kind)) throw new Error(`metric ${name} is already registered with another type`);
    return found;
  }

  return {
    registry,
    contentType: registry.contentType,
    observeRun(bot, trigger, outcome, seconds) {
      invocations.inc({ bot, trigger, outcome });
      if (seconds !== undefined) duration.observe({ bot, trigger }, seconds);
    },
    observeReport(report) {
      const counts = { info: 0, warning: 0, critical: 0 };
      for (const f of report.findings) counts[f.severity] += 1;
      // Setting a labelled gauge hashes its labels: skip the ones that did not change.
      const last = lastFindings.get(report.bot);
      for (const severity of SEVERITIES) {
        if (last?.[severity] !== counts[severity])
          findings.set({ bot: report.bot, severity }, counts[severity]);
      }
      lastFindings.set(report.bot, counts);
      for (const action of report.actions as readonly Action[]) {
        actions.inc({ bot: report.bot, verb: action.verb, status: action.status });
      }
    },
    countError(bot, type) {
      errors.inc({ bot_name: bot, type });
    },
    declareBot(bot) {
      errors.inc({ bot_name: bot, type: 'run' }, 0);
    },
    render: async () => {
      await ensureDefaults();
      return registry.metrics();
    },
    gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
      return (
        existing(name, Gauge<L>) ??
        new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [registry] })
      );
    },
    counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
      return (
        existing(name, Counter<L>) ??
        new Counter<L>({ name, help, labelNames: [...labelNames], registers: [registry] })
      );
    },
    histogram<L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[] = [],
      buckets?: readonly number[],
    ) {
      return (
        existing(name, Histogram<L>) ??
        new Histogram<L>({
          name,
          help,
          labelNames: [...labelNames],
          ...(buckets === undefined ? {} : { buckets: [...buckets] }),
          registers: [registry],
        })
      );
    },
  };
}
