import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import type { Bot } from '../../shared/bot/types.ts';
import type { Logger } from '../../shared/log/types.ts';
import { serve, type RunningServer, type ServeOptions } from '../../shared/runtime/index.ts';

export interface TestServer extends RunningServer {
  url: string;
  lines: Array<Record<string, unknown>>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A logger that keeps the parsed lines for assertions instead of printing them. */
export function captureLogger(lines: Array<Record<string, unknown>>): Logger {
  const make = (bound: Record<string, unknown>): Logger => {
    const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
      void lines.push({ level, msg, ...bound, ...fields });
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (f) => make({ ...bound, ...f }),
    };
  };
  return make({});
}

/** serve() on 127.0.0.1, an ephemeral port, no signal handlers; closed after the test. */
export async function startServer(
  bots: Bot | readonly Bot[],
  env: Record<string, string> = {},
  options: Omit<ServeOptions, 'env'> = {},
): Promise<TestServer> {
  const lines: Array<Record<string, unknown>> = [];
  const running = await serve(bots, {
    env: { PORT: '0', ...env },
    handleSignals: false,
    exitOnConfigError: false,
    host: '127.0.0.1',
    log: captureLogger(lines),
    ...options,
  });
  cleanups.push(() => running.close());
  return { ...running, url: `http://127.0.0.1:${running.port}`, lines };
}

export interface SinkRequest {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A K_SINK stand-in: answers each request with the next status of `statuses` (the last repeats). */
export async function startSink(
  statuses: number[] | (() => number),
  extraHeaders: Record<string, string> = {},
) {
  const received: SinkRequest[] = [];
  let i = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status =
        typeof statuses === 'function' ? statuses() : (statuses[Math.min(i, statuses.length - 1)] ?? 200);
      i += 1;
      res.writeHead(status, status >= 300 ? extraHeaders : {});
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url, received };
}

export async function post(
  url: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const response = await fetch(url, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

export const ceHeaders = (type: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'content-type': 'application/json',
  'ce-specversion': '1.0',
  'ce-id': `id-${Math.random().toString(16).slice(2)}`,
  'ce-source': '/test',
  'ce-type': type,
  ...extra,
});

export const alertPayload = (overrides: Record<string, unknown> = {}) => ({
  receiver: 'ops-bots',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'KubePodCrashLooping', namespace: 'apps', pod: 'api-1', severity: 'warning' },
      annotations: { summary: 'crash looping' },
      startsAt: '2026-08-01T10:00:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: '5f1c0d2b9a7e4c31',
    },
  ],
  groupLabels: { alertname: 'KubePodCrashLooping' },
  commonLabels: { alertname: 'KubePodCrashLooping' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  version: '4',
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
  ...overrides,
});

export interface RunningBundle {
  url: string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL if still running (for `finally`). */
  kill(): void;
}

/** `node <file>` on a free port (PORT=0), resolved once it logs "listening". */
export async function startBundle(
  file: string,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<RunningBundle> {
  const child = spawn(process.execPath, [file], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const started = Date.now();
  let line: string | undefined;
  while ((line = stdout.split('\n').find((l) => l.includes('"msg":"listening"'))) === undefined) {
    if (child.exitCode !== null || Date.now() - started > 20_000) {
      kill();
      throw new Error(`${file} did not start listening: ${stderr.trim() || stdout.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const { port } = JSON.parse(line) as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    kill,
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      return ((await exited) as [number | null])[0];
    },
  };
}
