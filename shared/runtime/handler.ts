import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot, Context, HttpBody, Report, TriggerKind } from '../bot/types.ts';
import type { RuntimeConfig } from '../config/types.ts';
import type { K8s } from '../k8s/types.ts';
import type { Logger } from '../log/types.ts';
import type { KitMetrics, Outcome } from '../metrics/registry.ts';
import { checkAuth } from '../auth/check.ts';
import { REPORT_EVENT_TYPE } from '../cloudevents/constants.ts';
import { loadCodec, loadEvents } from '../cloudevents/lazy.ts';
import type { SendEvent } from '../cloudevents/sink.ts';
import { errorToResponse } from '../errors/to-response.ts';
import { HttpError } from '../errors/http-error.ts';
import { isBotError } from '../errors/bot-error.ts';
import { readBody } from '../http/body.ts';
import { accepts, flatHeaders } from '../http/negotiate.ts';
import { sendError, sendJson, sendMessage, sendText } from '../http/respond.ts';
import { decodeRequest, type Decoded, type Invocation } from './decode.ts';
import { CronDispatcher } from './dispatch.ts';
import { runBotDetailed } from './run-bot.ts';
import { createPusher } from '../metrics/push.ts';
import { traceFrom } from './trace.ts';

export interface HandlerDeps {
  bots: readonly Bot[];
  config: Readonly<RuntimeConfig>;
  metrics: KitMetrics;
  log: Logger;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  /** Delivery to K_SINK; undefined when no sink is configured. */
  send: SendEvent | undefined;
  k8s?: K8s;
}

export interface TickResult {
  tick: string;
  window: { from: string; to: string };
  started: string[];
  skipped: Array<{ bot: string; reason: 'still-running' }>;
}

export interface RequestHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Stop taking invocations (503); health stays 200, ready turns 503. */
  startDrain(): void;
  /** Resolves when no invocation or dispatched run is in progress, or after `ms`. */
  idle(ms: number): Promise<boolean>;
  /** Abort every run still in progress (end of the grace period). */
  abortAll(reason: string): void;
  readonly inflight: number;
}

type Headers = Record<string, string>;

const outcomeOf = (status: number): Outcome =>
  status === 504 ? 'timeout' : status >= 500 ? 'error' : 'rejected';

/**
 * The request handler behind serve(): routing, auth, limits, trigger decoding, runs and responses.
 * Exposed on its own so tests can drive it over a real socket with any config.
 */
export function createRequestHandler(deps: HandlerDeps): RequestHandler {
  const { bots, config, metrics, log } = deps;
  const byName = new Map(bots.map((bot) => [bot.name, bot]));
  const single = bots.length === 1 ? bots[0] : undefined;
  // Only a group dispatches ticks; a single bot never needs the cron parser.
  let dispatcher: CronDispatcher | undefined;
  for (const bot of bots) metrics.declareBot(bot.name);
  const running = new Map<string, Promise<unknown>>();
  const active = new Set<Promise<unknown>>();
  // One signal for every run: aborted when the grace period of a drain is over.
  const drain = new AbortController();
  let inflight = 0;
  let draining = false;
  // Errors a run already counted in the metrics, so the edge does not count them twice.
  const counted = new WeakSet<object>();
  // ECO_PUSHGATEWAY_URL: each run ends with a push of its bot's series (tracked, so a drain waits).
  const push =
    config.pushgatewayUrl === undefined
      ? undefined
      : createPusher({
          url: config.pushgatewayUrl,
          render: () => metrics.render(),
          wholeProcess: bots.length === 1,
          log,
          onError: (bot) => metrics.countError(bot, 'push'),
        });

  function track<T>(promise: Promise<T>): Promise<T> {
    active.add(promise);
    const forget = (): void => void active.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  function emitFor(bot: Bot, traceparent: string): Context['emit'] {
    return async (type, data, options) => {
      if (deps.send === undefined) return;
      await deps.send((await loadEvents()).buildEvent(bot.name, type, data, traceparent, options));
    };
  }

  /** One run with metrics, logging and the report event; throws the run's error. */
  async function execute(
    bot: Bot,
    invocation: Invocation,
    headers: Headers,
    emitReport = true,
  ): Promise<{ report: Report; http?: HttpBody }> {
    const started = performance.now();
    const trace = traceFrom(headers['traceparent']);
    try {
      const outcome = await runBotDetailed(bot, invocation.input, {
        trigger: invocation.trigger,
        env: deps.env,
        now: deps.now,
        headers,
        trace,
        inputOwned: true,
        emit: emitFor(bot, trace.traceparent),
        signal: drain.signal,
        log,
        metrics,
        mode: config.mode,
        timeoutMs: config.timeoutMs,
        runId: randomUUID(),
        ...(invocation.event === undefined ? {} : { event: invocation.event }),
        ...(deps.k8s === undefined ? {} : { k8s: deps.k8s }),
      });
      const report = outcome.report;
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
      const status = errorToResponse(error).status;
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
      if (push !== undefined) void track(push(bot.name));
    }
  }

  function tick(headers: Headers): TickResult {
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
  }

  function route(path: string): { bot?: Bot; root: boolean } | undefined {
    if (path === '/' || path === '')
      return single === undefined ? { root: true } : { bot: single, root: true };
    const name = path.replace(/^\/+|\/+$/g, '');
    const bot = byName.get(name);
    return bot === undefined ? undefined : { bot, root: false };
  }

  async function invoke(
    req: IncomingMessage,
    res: ServerResponse,
    target: { bot?: Bot; root: boolean },
    query: string | undefined,
  ): Promise<void> {
    const headers = flatHeaders(req);
    // GET (bots that opt in with triggers.httpGet): the query parameters are the options.
    const decoded: Decoded =
      req.method === 'POST'
        ? await decodeRequest(req.headers, await readBody(req, config.maxBodyBytes))
        : {
            ceMode: undefined,
            invocations: [{ trigger: 'http', input: Object.fromEntries(new URLSearchParams(query)) }],
          };
    const [firstInvocation] = decoded.invocations;

    // Several bots at `/`: an empty cron POST or a PingSource event is a tick.
    if (target.bot === undefined) {
      if (decoded.invocations.length === 1 && firstInvocation?.tick === true) {
        sendJson(res, 202, tick(headers));
        return;
      }
      const type = firstInvocation?.event?.type;
      const consumers = type === undefined ? [] : bots.filter((bot) => bot.triggers.events?.includes(type));
      if (consumers.length === 0 || decoded.invocations.length !== 1 || firstInvocation === undefined) {
        throw new HttpError(
          'not-found',
          404,
          `POST to /<bot-name>; bots here: ${bots.map((b) => b.name).join(', ')}`,
        );
      }
      await respondMany(
        res,
        consumers.map((bot) => ({ bot, invocation: firstInvocation })),
        headers,
      );
      return;
    }

    const bot = target.bot;
    if (decoded.ceMode === 'batch') {
      await respondMany(
        res,
        decoded.invocations.map((invocation) => ({ bot, invocation })),
        headers,
      );
      return;
    }
    if (firstInvocation === undefined) throw new HttpError('not-found', 404, 'nothing to run');
    // A Knative Broker sends `Prefer: reply` and publishes the reply: the report goes back that way
    // only, not a second time (with another id) through K_SINK.
    const wantsReply = decoded.ceMode !== undefined && /\breply\b/i.test(headers['prefer'] ?? '');
    const { report, http } = await execute(bot, firstInvocation, headers, !wantsReply);
    if (http !== undefined && accepts(headers['accept'], http.contentType)) {
      sendText(res, 200, http.body, http.contentType);
      return;
    }
    if (wantsReply) {
      const traceparent = headers['traceparent'] ?? traceFrom(undefined).traceparent;
      sendMessage(
        res,
        200,
        (await loadCodec()).toBinary(
          (await loadEvents()).buildEvent(bot.name, REPORT_EVENT_TYPE, report, traceparent, {
            subject: report.runId,
          }),
        ),
      );
      return;
    }
    sendJson(res, 200, report);
  }

  /** A batch (or a fan-out at `/`): one result per event, run concurrently. */
  async function respondMany(
    res: ServerResponse,
    jobs: Array<{ bot: Bot; invocation: Invocation }>,
    headers: Headers,
  ): Promise<void> {
    const settled = await Promise.allSettled(jobs.map((job) => execute(job.bot, job.invocation, headers)));
    let worst = 200;
    const results = settled.map((s) => {
      if (s.status === 'fulfilled') return s.value.report;
      const { status, body } = errorToResponse(s.reason);
      worst = Math.max(worst, status);
      return body;
    });
    if (worst === 200) {
      sendJson(res, 200, results);
      return;
    }
    const failed = settled.filter((s) => s.status === 'rejected').length;
    sendJson(res, worst, {
      error: { code: 'batch-failed', message: `${failed} of ${settled.length} events failed` },
      results,
    });
  }

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    const [path = '/', query] = (req.url ?? '/').split('?', 2);
    // While draining, every answer ends its connection so clients move to another instance.
    if (draining) res.setHeader('connection', 'close');
    const method = req.method ?? 'GET';
    const isGet = method === 'GET' || method === 'HEAD';

    if (path === '/_/health' || path === '/_/ready' || path === '/metrics') {
      if (!isGet) {
        sendError(
          res,
          new HttpError('method-not-allowed', 405, `${method} not allowed on ${path}`, {
            headers: { allow: 'GET, HEAD' },
          }),
        );
        return;
      }
      if (path === '/_/health') {
        sendJson(res, 200, { status: 'ok' });
      } else if (path === '/_/ready') {
        if (draining) sendJson(res, 503, { status: 'draining' });
        else if (config.maxInflight > 0 && inflight >= config.maxInflight)
          sendJson(res, 429, { status: 'saturated', inflight });
        else sendJson(res, 200, { status: 'ready', inflight });
      } else {
        metrics.render().then(
          (text) => sendText(res, 200, text, metrics.contentType),
          (error: unknown) => sendError(res, error),
        );
      }
      return;
    }

    const target = route(path);
    if (target === undefined) {
      req.resume();
      sendError(res, new HttpError('not-found', 404, `no route for ${path}`));
      return;
    }
    const getAllowed = target.bot?.triggers.httpGet === true;
    if (method !== 'POST' && !(isGet && getAllowed)) {
      req.resume();
      sendError(
        res,
        new HttpError('method-not-allowed', 405, `${method} not allowed; invoke with POST`, {
          headers: { allow: getAllowed ? 'GET, HEAD, POST' : 'POST' },
        }),
      );
      return;
    }

    const countRejection = (error: unknown): void => {
      if (typeof error === 'object' && error !== null && counted.has(error)) return;
      const trigger: TriggerKind | 'unknown' = 'unknown';
      if (target.bot !== undefined)
        metrics.observeRun(target.bot.name, trigger, outcomeOf(errorToResponse(error).status));
    };
    const reject = (error: unknown): void => {
      countRejection(error);
      // Unread body: close the connection rather than read it (it may be huge).
      const closing = !req.complete;
      sendError(res, error, closing ? { connection: 'close' } : {});
      if (closing) res.once('finish', () => req.socket.destroySoon());
    };

    try {
      checkAuth(config.auth, req.headers.authorization);
    } catch (error) {
      reject(error);
      return;
    }
    if (draining) {
      reject(
        new HttpError('draining', 503, 'shutting down; retry on another instance', {
          headers: { 'retry-after': '1' },
        }),
      );
      return;
    }
    if (config.maxInflight > 0 && inflight >= config.maxInflight) {
      reject(
        new HttpError('too-many-requests', 429, `over the in-flight limit of ${config.maxInflight}`, {
          headers: { 'retry-after': '1' },
        }),
      );
      return;
    }

    inflight += 1;
    const done = track(
      invoke(req, res, target, query).catch((error: unknown) => {
        if ((isBotError(error) && error.code === 'body-too-large') || !req.complete) {
          reject(error);
        } else {
          countRejection(error);
          sendError(res, error);
        }
      }),
    );
    void done.finally(() => {
      inflight -= 1;
    });
  }) as RequestHandler;

  handler.startDrain = () => {
    draining = true;
  };
  handler.idle = async (ms) => {
    const deadline = Date.now() + ms;
    while (active.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...active]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, left);
        }),
      ]);
      clearTimeout(timer);
    }
    return true;
  };
  handler.abortAll = (reason) => {
    drain.abort(new HttpError('draining', 503, reason));
  };
  Object.defineProperty(handler, 'inflight', { get: () => inflight });
  return handler;
}
