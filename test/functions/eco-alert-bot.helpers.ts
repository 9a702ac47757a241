// Test helpers for the eco-alert-bot suites: payload fixtures and a recording HTTP server on loopback
// that plays a K_SINK or an OpenFaaS gateway, answering with a scripted sequence of statuses.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export function loadFixture(
  name: string,
): Record<string, unknown> & { alerts: Array<Record<string, unknown>> } {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/alertmanager/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown> & { alerts: Array<Record<string, unknown>> };
}

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface FakeServer {
  url: string;
  requests: Recorded[];
  /** Statuses to answer, in order; the last one repeats. */
  script: number[];
  close(): Promise<void>;
}

export async function startFakeServer(script: number[] = [202]): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const fake: FakeServer = {
    url: '',
    requests,
    script,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = fake.script[Math.min(requests.length, fake.script.length - 1)] ?? 202;
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status,
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Fast retries for tests: the production defaults wait up to seconds between attempts. */
export const FAST_RETRIES = {
  ECO_SINK_ATTEMPTS: '4',
  ECO_SINK_BACKOFF_MS: '1',
  ECO_SINK_MAX_BACKOFF_MS: '5',
  ECO_SINK_TIMEOUT_MS: '2000',
} as const;
