import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot, TriggerKind } from '../bot/types.ts';
import type { RuntimeConfig } from '../config/types.ts';
import type { K8s } from '../k8s/types.ts';
import type { Logger } from '../log/types.ts';
import type { KitMetrics } from '../metrics/registry.ts';
import { checkAuth } from '../auth/check.ts';
import type { SendEvent } from '../cloudevents/sink.ts';
import { errorToResponse } from '../errors/to-response.ts';
import { HttpError } from '../errors/http-error.ts';
import { isBotError } from '../errors/bot-error.ts';
import { readBody } from '../http/body.ts';
import { flatHeaders } from '../http/negotiate.ts';
import { sendError, sendJson } from '../http/respond.ts';
import { decodeRequest, type Decoded } from './decode.ts';
import { createExecutor, outcomeOf, type Execute } from './execute.ts';
import { createPusher } from '../metrics/push.ts';
import { isContractPath, serveContractEndpoint } from './endpoints.ts';
import { respondMany, respondReport } from './respond.ts';
import { createTicker } from './tick.ts';
import { createReadScope } from './read-scope.ts';

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

export type { TickResult } from './tick.ts';

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

/**
 * The request handler behind serve(): routing, auth, limits, trigger decoding, runs and responses.
 * Exposed on its own so tests can drive it over a real socket with any config.
 */
export function createRequestHandler(deps: HandlerDeps): RequestHandler {
  const { bots, config, metrics, log } = deps;
  const byName = new Map(bots.map((bot) => [bot.name, bot]));
  const single = bots.length === 1 ? bots[0] : undefined;
  for (const bot of bots) metrics.declareBot(bot.name);
  const active = new Set<Promise<unknown>>();
  // One signal for every run: aborted when the grace period of a drain is over.
  const drain = new AbortController();
  let inflight = 0;
  let draining = false;
  // Errors a run already counted in the metrics, so the edge does not count them twice.
  const counted = new WeakSet<object>();

  function track<T>(promise: Promise<T>): Promise<T> {
    active.add(promise);
    const forget = (): void => void active.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
  const runOnce = createExecutor(deps, drain.signal, counted, (work) => void track(work));
  // ECO_PUSHGATEWAY_URL: each run ends with a push of its bot's series (tracked: a drain waits).
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
  const execute: Execute =
    push === undefined
      ? runOnce
      : (bot, ...rest) => runOnce(bot, ...rest).finally(() => void track(push(bot.name)));
  const tick = createTicker(bots, config, { now: deps.now, log, execute, track });

  /** One call running several bots (or runs) shares its lists among them, for that call only. */
  function sharing(runs: number): Execute {
    if (runs < 2) return execute;
    const reads = createReadScope();
    return (bot, invocation, headers, emitReport) => execute(bot, invocation, headers, emitReport, reads);
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
        sharing(consumers.length),
      );
      return;
    }

    const bot = target.bot;
    if (decoded.ceMode === 'batch') {
      await respondMany(
        res,
        decoded.invocations.map((invocation) => ({ bot, invocation })),
        headers,
        sharing(decoded.invocations.length),
      );
      return;
    }
    if (firstInvocation === undefined) throw new HttpError('not-found', 404, 'nothing to run');
    // A Knative Broker sends `Prefer: reply` and publishes the reply: the report goes back that way
    // only, not a second time (with another id) through K_SINK.
    const wantsReply = decoded.ceMode !== undefined && /\breply\b/i.test(headers['prefer'] ?? '');
    await respondReport(
      res,
      bot,
      await execute(bot, firstInvocation, headers, !wantsReply),
      headers,
      wantsReply,
    );
  }

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    const [path = '/', query] = (req.url ?? '/').split('?', 2);
    // While draining, every answer ends its connection so clients move to another instance.
    if (draining) res.setHeader('connection', 'close');
    const method = req.method ?? 'GET';
    const isGet = method === 'GET' || method === 'HEAD';

    if (isContractPath(path)) {
      serveContractEndpoint(res, path, method, {
        draining,
        inflight,
        maxInflight: config.maxInflight,
        metrics,
      });
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
