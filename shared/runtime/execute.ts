// One run with metrics, logging and the fleet's report event: what every trigger ends in.
import { randomUUID } from 'node:crypto';
import type { Bot, Context, HttpBody, Report } from '../bot/types.ts';
import type { Outcome } from '../metrics/registry.ts';
import { REPORT_EVENT_TYPE } from '../cloudevents/constants.ts';
import { loadEvents } from '../cloudevents/lazy.ts';
import { errorToResponse } from '../errors/to-response.ts';
import type { Invocation } from './decode.ts';
import type { HandlerDeps } from './handler.ts';
import { runBotDetailed } from './run-bot.ts';
import type { ReadScope } from './read-scope.ts';
import { traceFrom } from './trace.ts';
import { createSpanExporter, parseTraceparent } from './otlp.ts';

export type Headers = Record<string, string>;

export type Execute = (
  bot: Bot,
  invocation: Invocation,
  headers: Headers,
  emitReport?: boolean,
  /** The sweep the run is part of, whose lists it shares (see read-scope.ts). */
  reads?: ReadScope,
) => Promise<{ report: Report; http?: HttpBody }>;

/** 504 a timeout, other 5xx an error, 4xx the caller's fault (never a bot error). */
export const outcomeOf = (status: number): Outcome =>
  status === 504 ? 'timeout' : status >= 500 ? 'error' : 'rejected';

/**
 * `counted` collects the errors a run already counted in the metrics, so the edge does not count
 * them twice; `signal` aborts every run at the end of a drain's grace period.
 */
export function createExecutor(
  deps: HandlerDeps,
  signal: AbortSignal,
  counted: WeakSet<object>,
  /** Background work a drain waits for (the span export). */
  track: (work: Promise<unknown>) => void = () => undefined,
): Execute {
  const { config, metrics, log } = deps;
  const exportSpan = config.otlp === undefined ? undefined : createSpanExporter(config.otlp, log);
  function emitFor(bot: Bot, traceparent: string): Context['emit'] {
    return async (type, data, options) => {
      if (deps.send === undefined) return;
      await deps.send((await loadEvents()).buildEvent(bot.name, type, data, traceparent, options));
    };
  }

  /** One run with metrics, logging and the report event; throws the run's error. */
  return async function execute(
    bot: Bot,
    invocation: Invocation,
    headers: Headers,
    emitReport = true,
    reads?: ReadScope,
  ): Promise<{ report: Report; http?: HttpBody }> {
    const started = performance.now();
    const startedAt = Date.now();
    // The HTTP hop's traceparent, else the event's (CloudEvents distributed-tracing extension).
    const incoming = headers['traceparent'] ?? invocation.event?.extensions['traceparent'];
    const trace = traceFrom(incoming);
    let status = 200;
    let failure: string | undefined;
    let findings: number | undefined;
    try {
      const outcome = await runBotDetailed(bot, invocation.input, {
        trigger: invocation.trigger,
        env: deps.env,
        now: deps.now,
        headers,
        trace,
        inputOwned: true,
        emit: emitFor(bot, trace.traceparent),
        signal,
        log,
        metrics,
        mode: config.mode,
        timeoutMs: config.timeoutMs,
        runId: randomUUID(),
        ...(invocation.event === undefined ? {} : { event: invocation.event }),
        ...(deps.k8s === undefined ? {} : { k8s: deps.k8s }),
        ...(reads === undefined ? {} : { reads }),
      });
      const report = outcome.report;
      findings = report.findings.length;
      metrics.observeRun(bot.name, invocation.trigger, 'ok', (performance.now() - started) / 1000);
      metrics.observeReport(report);
      if (deps.send !== undefined && emitReport) {
        try {
          await deps.send(
            (await loadEvents()).buildEvent(bot.name, REPORT_EVENT_TYPE, report, trace.traceparent, {
              subject: report.runId,
            }),
          );
        } catch (error) {
          metrics.countError(bot.name, 'sink');
          const message = error instanceof Error ? error.message : String(error);
          log.error('report event not delivered', { bot: bot.name, runId: report.runId, error: message });
          report.errors.push({ code: 'sink-delivery-failed', message });
        }
      }
      return outcome;
    } catch (error) {
      if (typeof error === 'object' && error !== null) counted.add(error);
      status = errorToResponse(error).status;
      failure = error instanceof Error ? error.message : String(error);
      metrics.observeRun(
        bot.name,
        invocation.trigger,
        outcomeOf(status),
        (performance.now() - started) / 1000,
      );
      if (status >= 500) {
        metrics.countError(bot.name, status === 504 ? 'timeout' : 'run');
        log.error('run failed', { bot: bot.name, trigger: invocation.trigger, error });
      } else {
        // The caller's fault (bad JSON, invalid options): counted as outcome=rejected above, never
        // in bot_errors_total, so it cannot feed the error-rate alert or mark the bot as failing.
        log.warn('run rejected', {
          bot: bot.name,
          trigger: invocation.trigger,
          error: (error as Error).message,
        });
      }
      throw error;
    } finally {
      if (exportSpan !== undefined) {
        const own = parseTraceparent(trace.traceparent);
        const parent = parseTraceparent(incoming);
        track(
          exportSpan({
            traceId: trace.traceId,
            spanId: own?.spanId ?? '',
            ...(parent !== undefined && parent.traceId === trace.traceId
              ? { parentSpanId: parent.spanId }
              : {}),
            bot: bot.name,
            trigger: invocation.trigger,
            startMs: startedAt,
            endMs: startedAt + (performance.now() - started),
            status,
            ...(failure === undefined ? {} : { error: failure }),
            ...(findings === undefined ? {} : { findings }),
          }),
        );
      }
    }
  };
}
