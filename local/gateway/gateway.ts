import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Bot, Mode } from '../../shared/bot/index.ts';
import { silentLogger } from '../../shared/log/index.ts';
import type { Logger } from '../../shared/log/index.ts';
import { loadBots, REPO_ROOT } from './bots.ts';
import { selectCluster } from './cluster.ts';
import type { ClusterSelection } from './cluster.ts';
import { CronConnector } from './cron.ts';
import { errorBody, isGatewayError } from './errors.ts';
import { postCallback } from './async-call.ts';
import { closeServer, listen, readBody, send, sendError, sendJson } from './http.ts';
import { EventRouter } from './event-router.ts';
import { passThroughHeaders } from './forward.ts';
import { functionStatus } from './functions-list.ts';
import { invokeBot } from './invoker.ts';
import type { InvocationResult } from './invoker.ts';
import { GatewayMetrics } from './metrics.ts';
import { ProcessPool } from './process-pool.ts';
import { ReportStore } from './report-store.ts';
import { chooseRunner, runnerCommand } from './runner.ts';
import type { RunnerChoice, RunnerKind } from './runner.ts';
import { isStatusView, localView, STATUS_BOT, statusHtml, statusInput } from './status-page.ts';
import type { StatusView } from '../../functions/eco-status-bot/view.ts';

export interface GatewayOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the gateway can mutate a cluster in apply mode, so it is not exposed by default. */
  host?: string;
  /** The fleet; default every bot in functions/. */
  bots?: readonly Bot[];
  /** Handler files for bots outside functions/ (test fixtures); such bots always run from source. */
  handlers?: Readonly<Record<string, string>>;
  /** A cluster chosen by the caller (tests); default: selectCluster from the options below. */
  cluster?: ClusterSelection;
  mode?: Mode;
  /** --kubeconfig (must be reachable). */
  kubeconfig?: string;
  /** KUBECONFIG from the environment (used when reachable). */
  envKubeconfig?: string;
  /** Use the embedded demo cluster even when a kubeconfig is set. */
  demo?: boolean;
  runner?: RunnerChoice;
  maxProcesses?: number;
  idleTimeoutMs?: number;
  invokeTimeoutMs?: number;
  startTimeoutMs?: number;
  /** Run the bots' cron schedules (default true). */
  cron?: boolean;
  /** The cron clock and tick period (tests); default real time, one tick at the start of each minute. */
  clock?: () => Date;
  cronIntervalMs?: number;
  /** One run of every scheduled bot at start (default true). */
  warmup?: boolean;
  warmupConcurrency?: number;
  /** Extra environment for every bot process. */
  botEnv?: Record<string, string>;
  /** Write each bot's output to <logDir>/<bot>.log (default: keep only the last lines in memory). */
  logDir?: string;
  maxBodyBytes?: number;
  refreshSeconds?: number;
  log?: Logger;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly mode: Mode;
  readonly bots: readonly Bot[];
  readonly cluster: ClusterSelection;
  readonly store: ReportStore;
  readonly metrics: GatewayMetrics;
  readonly events: EventRouter;
  readonly runners: ReadonlyMap<string, RunnerKind>;
  /** Resolves when the start-up warm-up runs have finished. */
  readonly warmup: Promise<void>;
  invoke(bot: string, body?: unknown, headers?: Record<string, string>): Promise<InvocationResult>;
  close(): Promise<void>;
}

const CHILD_ENV_DROP = new Set([
  'PORT',
  'METRICS_PORT',
  'KUBECONFIG',
  'K_SINK',
  'ECO_MODE',
  'KUBERNETES_SERVICE_HOST',
  'KUBERNETES_SERVICE_PORT',
  'OPENFAAS_URL',
  'NODE_OPTIONS',
]);

/** `eco-bots up`: the fleet on one machine behind an OpenFaaS-compatible gateway. */
export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? silentLogger;
  const mode: Mode = options.mode ?? 'dry-run';
  const bots = options.bots ?? (await loadBots());
  const byName = new Map(bots.map((bot) => [bot.name, bot]));
  const store = new ReportStore();
  const metrics = new GatewayMetrics(bots.map((bot) => bot.name));
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const refreshSeconds = options.refreshSeconds ?? 30;
  const createdAt = new Date().toISOString();

  // Listen first: a port in use must fail fast, before anything else starts.
  const server = createServer();
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    send(res, 503, { 'content-type': 'application/json' }, errorBody('starting', 'the gateway is starting'));
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((error: unknown) => {
      const known = isGatewayError(error) ? error : undefined;
      if (known === undefined) log.error('request failed', { error: (error as Error).message });
      if (res.headersSent) res.destroy();
      else
        send(
          res,
          known?.status ?? 500,
          { 'content-type': 'application/json' },
          errorBody(known?.code ?? 'gateway-error', (error as Error).message),
        );
    });
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 8080, host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const dir = await mkdtemp(path.join(tmpdir(), 'eco-bots-'));
  let cluster: ClusterSelection;
  try {
    cluster =
      options.cluster ??
      (await selectCluster({
        bots,
        dir,
        ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.envKubeconfig !== undefined ? { envKubeconfig: options.envKubeconfig } : {}),
        ...(options.demo !== undefined ? { forceDemo: options.demo } : {}),
      }));
  } catch (error) {
    await closeServer(server);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const handlers = options.handlers ?? {};
  const runners = new Map(
    bots.map(
      (bot) =>
        [
          bot.name,
          handlers[bot.name] !== undefined ? 'source' : chooseRunner(bot.name, options.runner ?? 'auto'),
        ] as const,
    ),
  );
  const baseEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !CHILD_ENV_DROP.has(key)) baseEnv[key] = value;
  }
  const logs = new Map<string, WriteStream>();
  if (options.logDir !== undefined) mkdirSync(options.logDir, { recursive: true });

  const pool = new ProcessPool({
    maxProcesses: options.maxProcesses ?? 4,
    idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
    // A busy slot frees within one invocation timeout (a hung call is killed then), so wait a bit longer.
    queueTimeoutMs: (options.invokeTimeoutMs ?? 60_000) + 5_000,
    spec: (name) => {
      const { command, args } = runnerCommand(name, runners.get(name) ?? 'source', handlers[name]);
      return {
        command,
        args,
        cwd: REPO_ROOT,
        env: {
          ...baseEnv,
          ...options.botEnv,
          KUBECONFIG: cluster.kubeconfigFor(name),
          ECO_MODE: mode,
          K_SINK: `${url}/_/events`,
          // The gateway enforces its own limits; the status bot receives every report in one body.
          ECO_MAX_BODY_BYTES: String(32 * 1024 * 1024),
          ECO_TIMEOUT_SECONDS: String(Math.ceil((options.invokeTimeoutMs ?? 60_000) / 1000)),
        },
      };
    },
    onStart: (name) => {
      metrics.started(name);
      log.debug('bot process started', { bot: name, runner: runners.get(name) });
    },
    onExit: (name, reason, code, signal) => {
      metrics.exited(name, reason, pool.replicas(name));
      const fields = { bot: name, reason, code, signal };
      if (reason === 'crashed')
        log.warn('bot process exited unexpectedly; it restarts on the next call', fields);
      else log.debug('bot process stopped', fields);
    },
    onLine: (name, stream, line) => {
      if (options.logDir === undefined) return;
      let out = logs.get(name);
      if (out === undefined) {
        out = createWriteStream(path.join(options.logDir, `${name}.log`), { flags: 'a' });
        logs.set(name, out);
      }
      out.write(stream === 'stderr' ? `[stderr] ${line}\n` : `${line}\n`);
    },
  });

  const invokerDeps = {
    pool,
    store,
    metrics,
    timeoutMs: options.invokeTimeoutMs ?? 60_000,
    maxResponseBytes: 64 * 1024 * 1024,
  };

  const invoke = (
    name: string,
    body: Buffer,
    headers: Record<string, string>,
    query = '',
  ): Promise<InvocationResult> =>
    invokeBot(invokerDeps, name, { method: 'POST', path: `/${query}`, headers, body });

  const events = new EventRouter({
    bots,
    store,
    log,
    onEvent: (type) => metrics.event(type),
    deliver: async (name, headers, body) => (await invoke(name, Buffer.from(body), headers)).status,
  });

  const scheduled = bots.filter((bot) => bot.triggers.cron !== undefined);
  const cron = new CronConnector({
    bots: scheduled,
    log,
    invoke: (name, headers) => invoke(name, Buffer.alloc(0), headers),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.cronIntervalMs !== undefined ? { intervalMs: options.cronIntervalMs } : {}),
  });
  if (options.cron !== false) cron.start();

  /** The status view from eco-status-bot (a real invocation), or computed here when it cannot run. */
  const computeView = async (): Promise<{ view: StatusView; notice?: string }> => {
    if (!byName.has(STATUS_BOT)) {
      return {
        view: localView(bots, store),
        notice: 'eco-status-bot is not part of this fleet; this view is computed by the gateway',
      };
    }
    const result = await invoke(STATUS_BOT, Buffer.from(JSON.stringify(statusInput(bots, store))), {
      'content-type': 'application/json',
      accept: 'application/json',
    });
    const data = result.report?.data;
    if (isStatusView(data)) {
      metrics.score(data.score);
      return { view: data };
    }
    return {
      view: localView(bots, store),
      notice: `eco-status-bot did not answer (${result.run.error ?? `HTTP ${result.status}`}); this view is computed by the gateway`,
    };
  };

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

  // After the warm-up, one status run: the score gauge and the status bot's own row have data at once.
  const warmup =
    options.warmup === false
      ? Promise.resolve()
      : cron.runAll(options.warmupConcurrency ?? 2).then(async () => {
          if (scheduled.length > 0) await computeView().catch(() => undefined);
        });

  handler = async (req, res) => {
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
        await respondSync(
          res,
          await invokeBot(invokerDeps, name, { method, path: `/${parsed.search}`, headers, body }),
        );
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

  function status(bot: Bot) {
    return functionStatus(bot, {
      replicas: pool.replicas(bot.name),
      ready: pool.ready(bot.name),
      invocationCount: store.invocationCount(bot.name),
      createdAt,
    });
  }

  let closed = false;
  return {
    url,
    port,
    mode,
    bots,
    cluster,
    store,
    metrics,
    events,
    runners,
    warmup,
    invoke: (name, body, headers) =>
      invoke(
        name,
        Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)),
        { 'content-type': 'application/json', ...headers },
      ),
    close: async () => {
      if (closed) return;
      closed = true;
      cron.stop();
      await closeServer(server);
      await pool.close();
      await cluster.close();
      for (const out of logs.values()) out.end();
      await rm(dir, { recursive: true, force: true });
    },
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
