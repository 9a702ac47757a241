import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bot } from '../bot/types.ts';
import type { K8s } from '../k8s/types.ts';
import type { Logger } from '../log/types.ts';
import { loadConfig } from '../config/load.ts';
import type { RuntimeConfig } from '../config/types.ts';
import { isConfigError } from '../errors/config-error.ts';
import { createSinkSender } from '../cloudevents/sink.ts';
import { createLogger } from '../log/logger.ts';
import { createMetrics, type KitMetrics } from '../metrics/registry.ts';
import { sendError, sendJson, sendText } from '../http/respond.ts';
import { HttpError } from '../errors/http-error.ts';
import { createRequestHandler, type RequestHandler } from './handler.ts';
import { closeProcessClusters, processCluster } from './cluster.ts';
import { initBot, settingsOf } from './run-bot.ts';

export interface ServeOptions {
  /** Install SIGTERM/SIGINT drain-and-exit (default true). Tests pass false. */
  handleSignals?: boolean;
  /** On a bad environment variable: print one line and exit 78 (default true); false throws. */
  exitOnConfigError?: boolean;
  /** Instead of process.env (tests). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The process's name in logs and the seed gauges; default: the bot, or `eco-bots` for a group. */
  name?: string;
  host?: string;
  now?: () => Date;
  log?: Logger;
  k8s?: K8s;
  fetch?: typeof fetch;
}

export interface RunningServer {
  port: number;
  metricsPort?: number;
  /** Drain (503 for new invocations, finish in-flight work within ECO_DRAIN_SECONDS) and close. */
  close(): Promise<void>;
  readonly config: Readonly<RuntimeConfig>;
  readonly metrics: KitMetrics;
}

function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function checkBots(bots: readonly Bot[]): void {
  if (bots.length === 0) throw new Error('serve() needs at least one bot');
  const seen = new Set<string>();
  for (const bot of bots) {
    if (seen.has(bot.name)) throw new Error(`duplicate bot name ${bot.name}`);
    seen.add(bot.name);
  }
}

/**
 * The function runtime: one process, one port, the OpenFaaS/Knative contract (ARCHITECTURE.md §4).
 * One bot answers at `/` and `/<bot>`; several bots each at `/<bot>`, with `/` taking cron ticks.
 */
export async function serve(bots: Bot | readonly Bot[], options: ServeOptions = {}): Promise<RunningServer> {
  const list: readonly Bot[] = Array.isArray(bots) ? bots : [bots as Bot];
  checkBots(list);
  // A plain copy, taken once: a function's environment does not change while it runs, and every
  // read of process.env is a getenv call (a webhook run reads a dozen settings).
  const env = options.env ?? { ...process.env };
  let config: Readonly<RuntimeConfig>;
  try {
    config = loadConfig(env);
    // Every setting of every bot this process serves, checked before the port opens.
    for (const bot of list) settingsOf(bot, env);
  } catch (error) {
    if (isConfigError(error) && options.exitOnConfigError !== false) {
      // One clear line, no stack trace: the operator fixes the variable and redeploys.
      process.stderr.write(`eco-bots: invalid configuration: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const name = options.name ?? (list.length === 1 ? (list[0]?.name ?? 'eco-bots') : 'eco-bots');
  const log = options.log ?? createLogger({ level: config.logLevel, fields: { service: name } });
  const metrics = createMetrics({ processName: name });
  const send =
    config.sink === undefined
      ? undefined
      : createSinkSender(config.sink, {
          log,
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        });
  // Each bot's init runs once before the port opens: a bot that cannot start fails the start.
  const k8s = options.k8s ?? processCluster(env, log);
  for (const bot of list) {
    try {
      await initBot(bot, env, k8s, log, options.now ?? (() => new Date()));
    } catch (error) {
      if (options.exitOnConfigError !== false) {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`eco-bots: ${bot.name} could not start: ${message}\n`);
        process.exit(isConfigError(error) ? 78 : 1);
      }
      throw error;
    }
  }
  const handler: RequestHandler = createRequestHandler({
    bots: list,
    config,
    metrics,
    log,
    env,
    now: options.now ?? (() => new Date()),
    send,
    k8s,
  });

  const server = createServer(handler);
  // Behind a gateway keep-alive connections are reused; keep them open a little longer than its pool.
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, config.port, options.host);

  let metricsServer: Server | undefined;
  let metricsPort: number | undefined;
  if (config.metricsPort !== undefined) {
    metricsServer = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
        metrics.render().then(
          (text) => sendText(res, 200, text, metrics.contentType),
          (error: unknown) => sendError(res, error),
        );
      } else if (path === '/_/health') {
        sendJson(res, 200, { status: 'ok' });
      } else {
        sendError(res, new HttpError('not-found', 404, `no route for ${path ?? ''} on the metrics port`));
      }
    });
    metricsPort = await listen(metricsServer, config.metricsPort, options.host);
  }
  log.info('listening', { port, metricsPort, bots: list.map((b) => b.name), mode: config.mode });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Keep listening while work is in flight: new invocations get a definite 503 (retry
      // elsewhere) and /_/ready turns 503, rather than connections being refused mid-rollout.
      handler.startDrain();
      const finished = await handler.idle(config.drainMs);
      if (!finished) {
        log.warn('grace period over; aborting runs still in progress', { inflight: handler.inflight });
        handler.abortAll('the process is shutting down');
        await handler.idle(1000);
      }
      const closed = closeServer(server);
      server.closeAllConnections();
      await closed;
      if (metricsServer !== undefined) {
        metricsServer.closeAllConnections();
        await closeServer(metricsServer);
      }
      for (const bot of list) {
        await bot
          .shutdown?.()
          .catch((error: unknown) => log.warn('shutdown failed', { bot: bot.name, error }));
      }
      if (options.k8s === undefined) await closeProcessClusters();
      log.info('stopped');
    })();
    return closing;
  };

  if (options.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info('draining', { signal });
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error('drain failed', { error });
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    // A bot that forgets to await a promise must not take the process (and every other run) down.
    process.on('unhandledRejection', (reason) => {
      metrics.countError(name, 'unhandled');
      log.error('unhandled rejection', { error: reason });
    });
  }

  return {
    port,
    ...(metricsPort === undefined ? {} : { metricsPort }),
    close,
    config,
    metrics,
  };
}
