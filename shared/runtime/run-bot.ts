import { randomUUID } from 'node:crypto';
import type {
  Action,
  Bot,
  Context,
  EmitOptions,
  HttpBody,
  Mode,
  Report,
  RunResult,
  TriggerEvent,
  TriggerKind,
} from '../bot/types.ts';
import type { K8s, K8sReader } from '../k8s/types.ts';
import { readerOf } from '../k8s/reader.ts';
import { readSettings } from '../settings/read.ts';
import { projectRunbook } from '../docs/runbook.ts';
import type { Logger } from '../log/types.ts';
import type { MetricsApi } from '../metrics/types.ts';
import type { SafetyRails } from '../safety/types.ts';
import { createSafetyRails } from '../safety/index.ts';
import { HttpError } from '../errors/http-error.ts';
import { createLogger, isLogLevel } from '../log/logger.ts';
import { createMetrics } from '../metrics/registry.ts';
import { loadEvents } from '../cloudevents/lazy.ts';
import { createSinkSender, type SendEvent } from '../cloudevents/sink.ts';
import { loadConfig } from '../config/load.ts';
import { validateInput } from './input.ts';
import { processCluster } from './cluster.ts';
import { traceFrom, type Trace } from './trace.ts';
import type { ReadScope } from './read-scope.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface RunOptions {
  trigger?: TriggerKind;
  env?: Env;
  now?: () => Date;
  /** Request headers (lower-case names); `traceparent` and `x-eco-dry-run` are read from them. */
  headers?: Record<string, string>;
  k8s?: K8s;
  emit?: Context['emit'];
  signal?: AbortSignal;
  log?: Logger;
  /** Where ctx.metrics registers; a private registry when omitted. */
  metrics?: MetricsApi;
  /** The process mode (ECO_MODE); read from env when omitted. */
  mode?: Mode;
  /** Abort ctx.signal and reject with a 504 HttpError after this long. */
  timeoutMs?: number;
  event?: TriggerEvent;
  runId?: string;
  /** The run's trace, when the caller already derived it from the request. */
  trace?: Trace;
  /** The caller gives up rawInput (freshly parsed JSON): defaults are written into it, no copy. */
  inputOwned?: boolean;
  /**
   * The sweep this run is part of (one tick running several bots): its lists are shared with the
   * sweep's other runs. Omitted for a run on its own, which reads the cluster itself.
   */
  reads?: ReadScope;
}

type MutableContext = { -readonly [K in keyof Context]: Context[K] };

function effectiveMode(processMode: Mode, headers: Record<string, string>): Mode {
  // A caller may lower the mode to dry-run for one run, never raise it.
  const ask = headers['x-eco-dry-run']?.trim().toLowerCase();
  return ask === 'true' || ask === '1' ? 'dry-run' : processMode;
}

function defaultEmit(bot: string, env: Env, traceparent: string, log: Logger): Context['emit'] {
  let send: SendEvent | undefined;
  return async (type: string, data: unknown, options?: EmitOptions) => {
    if (env['K_SINK'] === undefined || env['K_SINK'] === '') return;
    send ??= createSinkSender(
      loadConfig(env).sink ?? {
        url: env['K_SINK'],
        attempts: 5,
        backoffMs: 200,
        maxBackoffMs: 5000,
        timeoutMs: 5000,
      },
      { log },
    );
    await send((await loadEvents()).buildEvent(bot, type, data, traceparent, options));
  };
}

/** One reader per client, so its discovery cache lives as long as the client (the process). */
const readers = new WeakMap<K8s, K8sReader>();
function readerFor(k8s: K8s): K8sReader {
  let reader = readers.get(k8s);
  if (reader === undefined) {
    reader = readerOf(k8s);
    readers.set(k8s, reader);
  }
  return reader;
}

/** Settings are read once per bot and environment object (the process's env: once per process). */
const settingsCache = new WeakMap<object, Map<Bot, Readonly<Record<string, unknown>>>>();
export function settingsOf(bot: Bot, env: Env): Readonly<Record<string, unknown>> {
  let perEnv = settingsCache.get(env);
  if (perEnv === undefined) {
    perEnv = new Map();
    settingsCache.set(env, perEnv);
  }
  let values = perEnv.get(bot);
  if (values === undefined) {
    values = readSettings(bot.settings, env) as Readonly<Record<string, unknown>>;
    perEnv.set(bot, values);
  }
  return values;
}

/** Each bot's init runs once per process, before its first run; a failed init is retried next run. */
const inits = new WeakMap<Bot, Promise<void>>();
export function initBot(bot: Bot, env: Env, k8s: K8s, log: Logger, now: () => Date): Promise<void> {
  if (bot.init === undefined) return Promise.resolve();
  let pending = inits.get(bot);
  if (pending === undefined) {
    pending = bot.init({
      bot: bot.name,
      log: log.child({ bot: bot.name }),
      env,
      settings: settingsOf(bot, env),
      k8s: readerFor(k8s),
      now,
    });
    inits.set(bot, pending);
    pending.catch(() => inits.delete(bot));
  }
  return pending;
}

/** Whether the caller's options narrow or tune the run (see BotDefinition.scopeOptions). */
function isScoped(bot: Bot, rawInput: unknown): boolean {
  if (rawInput === null || typeof rawInput !== 'object' || Array.isArray(rawInput)) return false;
  const keys = Object.keys(rawInput);
  if (bot.scopeOptions === undefined) return keys.length > 0;
  return keys.some((key) => bot.scopeOptions?.includes(key) === true);
}

function checkResult(bot: string, result: unknown): RunResult {
  const r = result as Partial<RunResult> | null | undefined;
  if (r === null || typeof r !== 'object' || typeof r.summary !== 'string' || !Array.isArray(r.findings)) {
    throw new Error(`${bot} returned an invalid result (expected { summary, findings[] })`);
  }
  if (r.http !== undefined && (typeof r.http.contentType !== 'string' || typeof r.http.body !== 'string')) {
    throw new Error(`${bot} returned an invalid http answer (expected { contentType, body } strings)`);
  }
  return r as RunResult;
}

/**
 * ctx.signal, made on first use: creating an AbortSignal costs more than a small run, and most
 * runs never look at it. Aborting before anyone looked just remembers the reason.
 */
class LazySignal {
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;
  readonly #outer: AbortSignal | undefined;

  constructor(outer: AbortSignal | undefined) {
    this.#outer = outer;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#aborted) controller.abort(this.#reason);
      else if (this.#outer?.aborted === true) controller.abort(this.#outer.reason);
      else this.#outer?.addEventListener('abort', this.#onOuter, { once: true });
    }
    return this.#controller.signal;
  }

  readonly #onOuter = (): void => this.abort(this.#outer?.reason);

  abort(reason: unknown): void {
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }

  dispose(): void {
    if (this.#controller !== undefined) this.#outer?.removeEventListener('abort', this.#onOuter);
  }
}

/**
 * Runs a bot in process, without HTTP: validates the input (defaults applied; ValidationError on
 * bad input), builds the Context, runs, and returns the full Report. The HTTP runtime uses it too.
 */
export async function runBot(bot: Bot, rawInput: unknown, options: RunOptions = {}): Promise<Report> {
  return (await runBotDetailed(bot, rawInput, options)).report;
}

/** runBot plus what is not part of the report: the result's non-JSON `http` answer. */
export async function runBotDetailed(
  bot: Bot,
  rawInput: unknown,
  options: RunOptions = {},
): Promise<{ report: Report; http?: HttpBody }> {
  const env = options.env ?? process.env;
  const now = options.now ?? defaultNow;
  const headers = options.headers ?? {};
  const trigger = options.trigger ?? 'http';
  const runId = options.runId ?? randomUUID();
  const { traceId, traceparent } = options.trace ?? traceFrom(headers['traceparent']);
  const processMode: Mode = options.mode ?? (env['ECO_MODE'] === 'apply' ? 'apply' : 'dry-run');
  const mode = effectiveMode(processMode, headers);
  const baseLog = options.log ?? defaultLogger(env);
  const log = baseLog.child({ bot: bot.name, runId, traceId });

  const settings = settingsOf(bot, env);
  const scoped = isScoped(bot, rawInput);
  const input = validateInput(bot.input, rawInput, options.inputOwned === true);

  const signal = new LazySignal(options.signal);
  if (options.signal?.aborted === true) signal.abort(options.signal.reason);
  const k8s = options.k8s ?? processCluster(env, baseLog);
  await initBot(bot, env, k8s, baseLog, now);
  let safety: SafetyRails | undefined;
  let metrics = options.metrics;
  const context: MutableContext = {
    bot: bot.name,
    runId,
    trigger,
    traceId,
    traceparent,
    mode,
    now,
    log,
    k8s: options.reads === undefined ? readerFor(k8s) : options.reads.reader(k8s, readerFor(k8s), bot),
    get safety(): SafetyRails {
      safety ??= createSafetyRails({ bot: bot.name, k8s, mode, env, log, now, mutates: bot.mutates });
      return safety;
    },
    settings,
    emit: options.emit ?? defaultEmit(bot.name, env, traceparent, log),
    env,
    get signal(): AbortSignal {
      return signal.signal;
    },
    headers,
    get metrics(): MetricsApi {
      metrics ??= createMetrics({ processName: bot.name, defaultMetrics: false });
      return metrics;
    },
  };
  if (options.event !== undefined) context.event = options.event;

  const startedAt = now();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    let result: unknown;
    if (options.timeoutMs === undefined) {
      result = await bot.run(input, context);
    } else {
      const timeoutMs = options.timeoutMs;
      // One promise settled by whichever comes first (cheaper than Promise.race per run). A run that
      // ignores the signal is left to finish in the background, its result unused.
      result = await new Promise<unknown>((resolve, reject) => {
        timer = setTimeout(() => {
          const error = new HttpError(
            'timeout',
            504,
            `${bot.name} did not finish within ${timeoutMs / 1000} s`,
          );
          signal.abort(error);
          reject(error);
        }, timeoutMs);
        try {
          Promise.resolve(bot.run(input, context)).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
    }
    const checked = checkResult(bot.name, result);
    // Every finding links its check's runbook: the bot's own choice (a team document), else the
    // project's page docs/runbooks/<check>.md (under ECO_DOCS_BASE_URL when set).
    for (const f of checked.findings) f.runbook ??= projectRunbook(f.check, { env }).href;
    const actions: Action[] = safety?.actions() ?? [];
    const report: Report = {
      bot: bot.name,
      runId,
      trigger,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      mode,
      summary: checked.summary,
      findings: checked.findings,
      actions,
      errors: checked.errors ?? [],
    };
    if (checked.data !== undefined) report.data = checked.data;
    if (scoped) report.scoped = true;
    log.info('run finished', {
      trigger,
      durationMs: report.durationMs,
      findings: report.findings.length,
      actions: report.actions.length,
    });
    return checked.http === undefined ? { report } : { report, http: checked.http };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal.dispose();
  }
}

const defaultNow = (): Date => new Date();

function defaultLogger(env: Env): Logger {
  const level = env['LOG_LEVEL']?.toLowerCase() ?? 'info';
  return createLogger({ level: isLogLevel(level) ? level : 'info' });
}
