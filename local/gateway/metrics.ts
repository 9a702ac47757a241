import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Report } from '../../shared/bot/index.ts';
import type { RunRecord } from './report-store.ts';

/**
 * The gateway's own Prometheus metrics. Bot processes scale to zero, so their counters reset; the
 * gateway counts every invocation itself (as the OpenFaaS gateway does with
 * gateway_function_invocation_total) and keeps the series stable for Prometheus.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #invocations = new Counter({
    name: 'eco_bot_invocations_total',
    help: 'Bot invocations seen by the local gateway, by bot, trigger and outcome',
    labelNames: ['bot', 'trigger', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'eco_bot_invocation_duration_seconds',
    help: 'Invocation latency through the local gateway (includes a cold start when the bot was at zero)',
    labelNames: ['bot'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly #openfaas = new Counter({
    name: 'gateway_function_invocation_total',
    help: 'OpenFaaS-compatible invocation counter by function name and HTTP status code',
    labelNames: ['function_name', 'code'] as const,
    registers: [this.registry],
  });
  readonly #replicas = new Gauge({
    name: 'eco_gateway_bot_replicas',
    help: 'Live processes per bot (0 when scaled to zero)',
    labelNames: ['bot'] as const,
    registers: [this.registry],
  });
  readonly #starts = new Counter({
    name: 'eco_gateway_bot_starts_total',
    help: 'Bot processes started (cold starts)',
    labelNames: ['bot'] as const,
    registers: [this.registry],
  });
  readonly #exits = new Counter({
    name: 'eco_gateway_bot_exits_total',
    help: 'Bot processes ended, by reason (idle, evicted, shutdown, killed, crashed)',
    labelNames: ['bot', 'reason'] as const,
    registers: [this.registry],
  });
  readonly #events = new Counter({
    name: 'eco_gateway_events_total',
    help: 'CloudEvents received on the gateway broker, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly #findings = new Gauge({
    name: 'eco_bot_findings',
    help: 'Findings in the latest report of each bot, by severity',
    labelNames: ['bot', 'severity'] as const,
    registers: [this.registry],
  });
  readonly #score = new Gauge({
    name: 'eco_cluster_score',
    help: 'Cluster score 0-100 computed from the latest reports (like popeye_cluster_score)',
    registers: [this.registry],
  });

  constructor(bots: readonly string[]) {
    // Zero-initialise so every bot has a series before its first call (Prometheus sees the fleet).
    for (const bot of bots) {
      this.#replicas.set({ bot }, 0);
      this.#starts.inc({ bot }, 0);
    }
  }

  recordRun(run: RunRecord): void {
    this.#invocations.inc({ bot: run.bot, trigger: run.trigger, outcome: run.outcome });
    this.#duration.observe({ bot: run.bot }, run.durationMs / 1000);
    this.#openfaas.inc({ function_name: run.bot, code: String(run.status) });
  }

  started(bot: string): void {
    this.#starts.inc({ bot });
    this.#replicas.set({ bot }, 1);
  }

  exited(bot: string, reason: string, replicas: number): void {
    this.#exits.inc({ bot, reason });
    this.#replicas.set({ bot }, replicas);
  }

  event(type: string): void {
    this.#events.inc({ type });
  }

  report(report: Report): void {
    for (const severity of ['info', 'warning', 'critical'] as const) {
      this.#findings.set(
        { bot: report.bot, severity },
        report.findings.filter((finding) => finding.severity === severity).length,
      );
    }
  }

  score(value: number): void {
    this.#score.set(value);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
