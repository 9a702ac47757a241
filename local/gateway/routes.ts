import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot, Mode } from '../../shared/bot/index.ts';
import type { Logger } from '../../shared/log/index.ts';
import type { StatusView } from '../../functions/eco-status-bot/view.ts';
import { postCallback } from './async-call.ts';
import type { ClusterSelection } from './cluster.ts';
import type { EventRouter } from './event-router.ts';
import { passThroughHeaders } from './forward.ts';
import type { FunctionStatus } from './functions-list.ts';
import { readBody, send, sendError, sendJson } from './http.ts';
import type { Invocation, InvocationResult } from './invoker.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { ReportStore } from './report-store.ts';
import { STATUS_BOT, statusHtml, statusInput } from './status-page.ts';

export interface RouteContext {
  bots: readonly Bot[];
  store: ReportStore;
  metrics: GatewayMetrics;
  events: EventRouter;
  cluster: ClusterSelection;
  mode: Mode;
  log: Logger;
  maxBodyBytes: number;
  refreshSeconds: number;
  /** The status page's data: from eco-status-bot, or computed by the gateway with a notice. */
  computeView(): Promise<{ view: StatusView; notice?: string }>;
  functionStatus(bot: Bot): FunctionStatus;
  /** POST to a bot (cron, events, status page, async calls). */
  invoke(
    name: string,
    body: Buffer,
    headers: Record<string, string>,
    query?: string,
  ): Promise<InvocationResult>;
  /** A caller's request passed through as it came (method and query included). */
  forward(name: string, invocation: Invocation): Promise<InvocationResult>;
}

/** The gateway's HTTP API: OpenFaaS's routes, the local broker, the report store and the status page. */
export function createRoutes(
  ctx: RouteContext,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { bots, store, metrics, events, cluster, mode, log, maxBodyBytes, invoke } = ctx;
  const byName = new Map(bots.map((bot) => [bot.name, bot]));
  const computeView = ctx.computeView;
  const refreshSeconds = ctx.refreshSeconds;
  const status = ctx.functionStatus;

  const statusPage = async (
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
  ): Promise<void> => {
    const { view, notice } = await computeView();
    const format = query.get('format');
    const wantsJson =
      format === 'json' ||
      (format !== 'html' && req.method !== 'GET' && !String(req.headers.accept ?? '').includes('text/html'));
    if (wantsJson) {
      send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(view));
      return;
    }
    const context = `${cluster.kind === 'emulator' ? 'embedded demo cluster' : cluster.server} · ${mode}`;
    send(
      res,
      200,
      { 'content-type': 'text/html; charset=utf-8' },
      statusHtml(view, context, refreshSeconds, notice),
    );
  };

  return async (req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://gateway');
    const pathname = parsed.pathname;
    const method = req.method ?? 'GET';

    if (pathname === '/healthz' || pathname === '/_/health' || pathname === '/_/ready') {
      sendJson(res, 200, {
        status: 'ok',
        mode,
        cluster: cluster.kind,
        server: cluster.server,
        bots: bots.length,
      });
      return;
    }
    if (pathname === '/metrics' && method === 'GET') {
      send(res, 200, { 'content-type': metrics.contentType }, await metrics.text());
      return;
    }
    if (pathname === '/' && (method === 'GET' || method === 'HEAD')) {
      await statusPage(req, res, parsed.searchParams);
      return;
    }
    if (pathname === '/system/functions' && method === 'GET') {
      sendJson(
        res,
        200,
        bots.map((bot) => status(bot)),
      );
      return;
    }
    const single = /^\/system\/function\/([^/]+)$/.exec(pathname);
    if (single && method === 'GET') {
      const bot = byName.get(stripNamespace(single[1] ?? ''));
      if (bot === undefined) sendError(res, 404, 'not-found', `no function named ${single[1] ?? ''}`);
      else sendJson(res, 200, status(bot));
      return;
    }
    if (pathname === '/_/reports' && method === 'GET') {
      sendJson(res, 200, { reports: store.latestReports(), runs: store.lastRuns() });
      return;
    }
    if (pathname === '/_/events') {
      if (method === 'GET') {
        sendJson(res, 200, { events: store.events() });
        return;
      }
      if (method !== 'POST') {
        sendError(res, 405, 'method-not-allowed', 'POST CloudEvents here, GET lists recent events');
        return;
      }
      const body = await readBody(req, maxBodyBytes);
      try {
        const accepted = events.accept(req.headers, body.toString('utf8'));
        sendJson(res, 202, { accepted });
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        sendError(
          res,
          typeof status === 'number' ? status : 400,
          'invalid-cloudevent',
          (error as Error).message,
        );
      }
      return;
    }
    const fn = /^\/(function|async-function)\/([^/]+)\/?$/.exec(pathname);
    if (fn) {
      const name = stripNamespace(decodeURIComponent(fn[2] ?? ''));
      if (!byName.has(name)) {
        sendError(res, 404, 'not-found', `no bot named "${name}"; GET /system/functions lists them`);
        return;
      }
      if (
        name === STATUS_BOT &&
        fn[1] === 'function' &&
        (method === 'GET' || String(req.headers.accept ?? '').includes('text/html'))
      ) {
        await statusPage(req, res, parsed.searchParams);
        return;
      }
      const body = await readBody(req, maxBodyBytes);
      const headers = passThroughHeaders(req.headers);
      if (name === STATUS_BOT) {
        // The local status bot reads the gateway's reports, as the deployed one reads report events.
        const input = withGatewayReports(body, statusInput(bots, store));
        if (input !== undefined) {
          headers['content-type'] = 'application/json';
          await respondSync(res, await invoke(name, input, headers, parsed.search));
          return;
        }
      }
      if (fn[1] === 'function') {
        await respondSync(res, await ctx.forward(name, { method, path: `/${parsed.search}`, headers, body }));
        return;
      }
      const callId = req.headers['x-call-id'] !== undefined ? String(req.headers['x-call-id']) : randomUUID();
      const callback =
        req.headers['x-callback-url'] !== undefined ? String(req.headers['x-callback-url']) : undefined;
      if (callback !== undefined && !/^https?:\/\//.test(callback)) {
        sendError(res, 400, 'invalid-callback', 'X-Callback-Url must be an http(s) URL');
        return;
      }
      send(res, 202, { 'x-call-id': callId, 'content-type': 'application/json' }, JSON.stringify({ callId }));
      void invoke(name, body, headers, parsed.search).then((result) =>
        callback === undefined ? undefined : postCallback(callback, callId, name, result, log),
      );
      return;
    }
    sendError(res, 404, 'not-found', `no route for ${method} ${pathname}`);
  };
}

/**
 * The status bot's options with the gateway's reports and fleet added when the caller gave none;
 * undefined when the body is not a JSON object (the bot answers that with its own 400).
 */
function withGatewayReports(body: Buffer, input: Record<string, unknown>): Buffer | undefined {
  let options: unknown = {};
  if (body.length > 0) {
    try {
      options = JSON.parse(body.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return undefined;
  return Buffer.from(JSON.stringify({ ...input, ...options }));
}

function stripNamespace(name: string): string {
  // OpenFaaS callers may address `<fn>.<namespace>`; there is one namespace here.
  const dot = name.indexOf('.');
  return dot === -1 ? name : name.slice(0, dot);
}

async function respondSync(res: ServerResponse, result: InvocationResult): Promise<void> {
  const headers: Record<string, string> = {
    'content-type': String(result.headers['content-type'] ?? 'application/json'),
    'x-duration-seconds': (result.run.durationMs / 1000).toFixed(3),
  };
  for (const [name, value] of Object.entries(result.headers)) {
    if (name.startsWith('ce-') && typeof value === 'string') headers[name] = value;
  }
  send(res, result.status, headers, result.body);
}
