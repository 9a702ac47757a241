import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRoutes } from './routes.ts';
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
import { closeServer, listen, send } from './http.ts';
import { EventRouter } from './event-router.ts';
import { functionStatus } from './functions-list.ts';
import { invokeBot } from './invoker.ts';
import type { InvocationResult } from './invoker.ts';
import { GatewayMetrics } from './metrics.ts';
import { ProcessPool } from './process-pool.ts';
import { ReportStore } from './report-store.ts';
import { chooseRunner, runnerCommand } from './runner.ts';
import type { RunnerChoice, RunnerKind } from './runner.ts';
import { isStatusView, localView, STATUS_BOT, statusInput } from './status-page.ts';
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
          ...(cluster.envFor?.(name) ?? {}),
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

  // After the warm-up, one status run: the score gauge and the status bot's own row have data at once.
  const warmup =
    options.warmup === false
      ? Promise.resolve()
      : cron.runAll(options.warmupConcurrency ?? 2).then(async () => {
          if (scheduled.length > 0) await computeView().catch(() => undefined);
        });

  handler = createRoutes({
    bots,
    store,
    metrics,
    events,
    cluster,
    mode,
    log,
    maxBodyBytes,
    refreshSeconds,
    computeView,
    functionStatus: (bot) =>
      functionStatus(bot, {
        replicas: pool.replicas(bot.name),
        ready: pool.ready(bot.name),
        invocationCount: store.invocationCount(bot.name),
        createdAt,
      }),
    invoke,
    forward: (name, invocation) => invokeBot(invokerDeps, name, invocation),
  });

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
