// The Prometheus client's own rules, against a scripted HTTP server on 127.0.0.1: credentials from
// files (re-read after rotation), retries of 5xx/429 (Retry-After honoured) and never of 4xx, non-JSON
// error pages, timeouts and cancellation; the environment settings; chunking and merging.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPrometheusClient,
  mergeSeries,
  prometheusOptionsFromEnv,
  PrometheusError,
  splitRange,
} from '../../shared/prometheus/index.ts';
import type { Series } from '../../shared/prometheus/index.ts';
import { ConfigError } from '../../shared/errors/index.ts';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  orgId: string | undefined;
  body: string;
}
type Script = (seen: Seen, res: ServerResponse) => void;

let server: Server;
let url: string;
let script: Script;
let seen: Seen[] = [];
let dir: string;

const ok = (res: ServerResponse, data: unknown): void => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'success', data }));
};
const vector = { resultType: 'vector', result: [{ metric: { pod: 'a' }, value: [100, '1.5'] }] };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'eco-prom-units-'));
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        orgId: req.headers['x-scope-orgid'] as string | undefined,
        body,
      };
      seen.push(entry);
      script(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/prom`;
});

afterEach(() => {
  seen = [];
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('requests', () => {
  it('POSTs an instant query form under the base path with the server-side timeout', async () => {
    script = (_, res) => ok(res, vector);
    const client = createPrometheusClient({ url, timeoutMs: 7_000 });
    const result = await client.queryVector('up{job="x"}', { time: new Date(100_000) });
    expect(result).toEqual([{ metric: { pod: 'a' }, value: [100, 1.5] }]);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.url).toBe('/prom/api/v1/query');
    expect(Object.fromEntries(new URLSearchParams(seen[0]?.body))).toEqual({
      query: 'up{job="x"}',
      time: '100',
      timeout: '7s',
    });
  });

  it('reads the bearer token from its file at each request, so a rotated token is used', async () => {
    script = (_, res) => ok(res, vector);
    const tokenFile = path.join(dir, 'token');
    await writeFile(tokenFile, 'first-token\n');
    const client = createPrometheusClient({ url, auth: { kind: 'bearer', tokenFile } });
    await client.query('up');
    await writeFile(tokenFile, 'second-token\n');
    await client.query('up');
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer first-token', 'Bearer second-token']);
  });

  it('sends basic auth with the password from its file, and the org id header', async () => {
    script = (_, res) => ok(res, vector);
    const passwordFile = path.join(dir, 'password');
    await writeFile(passwordFile, 's3cret');
    const options = prometheusOptionsFromEnv({
      PROMETHEUS_URL: url,
      PROMETHEUS_BASIC_AUTH_USER: 'eco',
      PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: passwordFile,
      PROMETHEUS_ORG_ID: 'tenant-1',
    });
    expect(options).toBeDefined();
    await createPrometheusClient(options!).query('up');
    expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('eco:s3cret').toString('base64')}`);
    expect(seen[0]?.orgId).toBe('tenant-1');
  });

  it('fails with a credentials error (not retried) when the token file is missing', async () => {
    script = (_, res) => ok(res, vector);
    const client = createPrometheusClient({
      url,
      auth: { kind: 'bearer', tokenFile: path.join(dir, 'nope') },
    });
    await expect(client.query('up')).rejects.toMatchObject({ failure: 'credentials', attempts: 1 });
    expect(seen).toHaveLength(0);
  });

  it('GETs targets, rules and alerts with their filters', async () => {
    script = (_, res) => ok(res, { activeTargets: [], droppedTargets: [], groups: [], alerts: [] });
    const client = createPrometheusClient({ url });
    await client.targets({ state: 'active' });
    await client.rules({ type: 'alert' });
    await client.alerts();
    await client.tsdbStatus();
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /prom/api/v1/targets?state=active',
      'GET /prom/api/v1/rules?type=alert',
      'GET /prom/api/v1/alerts',
      'GET /prom/api/v1/status/tsdb',
    ]);
  });
});

describe('retries and failures', () => {
  const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 2 };

  it('retries 503 and 429 (honouring Retry-After) and then succeeds', async () => {
    let calls = 0;
    script = (_, res) => {
      calls += 1;
      if (calls === 1) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'starting' }));
      } else if (calls === 2) {
        res.writeHead(429, { 'retry-after': '0' });
        res.end('slow down');
      } else ok(res, vector);
    };
    const client = createPrometheusClient({ url, retries: 2, ...fast });
    await expect(client.queryVector('up')).resolves.toHaveLength(1);
    expect(calls).toBe(3);
  });

  it('gives up after the retries with the last error and the attempt count', async () => {
    script = (_, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    };
    const client = createPrometheusClient({ url, retries: 2, ...fast });
    const error = (await client.query('up').catch((caught: unknown) => caught)) as PrometheusError;
    expect(error).toBeInstanceOf(PrometheusError);
    expect(error).toMatchObject({ status: 502, failure: 'http', attempts: 3 });
    expect(error.message).toBe(
      `Prometheus ${url}/api/v1/query: HTTP 502: <html><body>Bad gateway</body></html>`,
    );
    expect(seen).toHaveLength(3);
  });

  it('does not retry a 422 execution error and keeps its errorType', async () => {
    script = (_, res) => {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'execution', error: 'too many samples' }));
    };
    const client = createPrometheusClient({ url, retries: 3, ...fast });
    await expect(client.query('up')).rejects.toMatchObject({
      status: 422,
      errorType: 'execution',
      attempts: 1,
    });
    expect(seen).toHaveLength(1);
  });

  it('rejects a 200 that is not a Prometheus answer', async () => {
    script = (_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    };
    const client = createPrometheusClient({ url, retries: 0 });
    await expect(client.query('up')).rejects.toMatchObject({ failure: 'bad-response', status: 200 });
  });

  it('times out one attempt, retries it, and reports the timeout', async () => {
    script = () => {
      /* never answers */
    };
    const client = createPrometheusClient({ url, timeoutMs: 100, retries: 1, ...fast });
    const error = (await client.query('up').catch((caught: unknown) => caught)) as PrometheusError;
    expect(error).toMatchObject({ failure: 'timeout', attempts: 2 });
    expect(error.message).toContain('no answer within 100 ms');
    server.closeAllConnections();
  });

  it("stops at once when the caller's signal aborts, without retrying", async () => {
    script = () => {
      /* never answers */
    };
    const controller = new AbortController();
    const client = createPrometheusClient({ url, timeoutMs: 10_000, retries: 5, ...fast });
    const pending = client.query('up', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ failure: 'aborted' });
    // One request reached the server; none was retried after the abort (an attempt that died on
    // a pooled socket the previous test closed may come before it).
    expect(seen).toHaveLength(1);
    server.closeAllConnections();
  });
});

describe('settings from the environment', () => {
  it.each([
    [{}, undefined],
    [{ PROMETHEUS_URL: '  ' }, undefined],
  ])('%j means no Prometheus', (env, expected) => {
    expect(prometheusOptionsFromEnv(env)).toBe(expected);
  });

  it('reads URL, timeout, retries and a token file', () => {
    expect(
      prometheusOptionsFromEnv({
        PROMETHEUS_URL: 'https://prom.example/sub',
        PROMETHEUS_TIMEOUT_MS: '5000',
        PROMETHEUS_RETRIES: '0',
        PROMETHEUS_BEARER_TOKEN_FILE: '/var/run/secrets/token',
      }),
    ).toEqual({
      url: 'https://prom.example/sub',
      timeoutMs: 5000,
      retries: 0,
      auth: { kind: 'bearer', tokenFile: '/var/run/secrets/token' },
    });
  });

  it.each([
    [{ PROMETHEUS_URL: 'not a url' }, 'PROMETHEUS_URL'],
    [{ PROMETHEUS_URL: 'ftp://x' }, 'PROMETHEUS_URL'],
    [{ PROMETHEUS_URL: 'http://x', PROMETHEUS_TIMEOUT_MS: '10' }, 'PROMETHEUS_TIMEOUT_MS'],
    [{ PROMETHEUS_URL: 'http://x', PROMETHEUS_RETRIES: 'many' }, 'PROMETHEUS_RETRIES'],
    [{ PROMETHEUS_URL: 'http://x', PROMETHEUS_BASIC_AUTH_USER: 'u' }, 'PROMETHEUS_BASIC_AUTH_PASSWORD_FILE'],
    [
      { PROMETHEUS_URL: 'http://x', PROMETHEUS_BEARER_TOKEN_FILE: '/t', PROMETHEUS_BASIC_AUTH_USER: 'u' },
      'PROMETHEUS_BEARER_TOKEN_FILE',
    ],
  ])('%j is a config error naming %s', (env, variable) => {
    const error = (() => {
      try {
        prometheusOptionsFromEnv(env);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
  });
});

describe('splitRange', () => {
  it.each([
    // start, end, step, max, expected chunks
    [0, 0, 60, 11_000, [{ start: 0, end: 0 }]],
    [0, 599, 60, 11_000, [{ start: 0, end: 540 }]],
    [
      0,
      600,
      60,
      5,
      [
        { start: 0, end: 240 },
        { start: 300, end: 540 },
        { start: 600, end: 600 },
      ],
    ],
    [
      0,
      14 * 86_400,
      75,
      11_000,
      [
        { start: 0, end: 824_925 },
        { start: 825_000, end: 1_209_600 },
      ],
    ],
    [
      10.5,
      10.5 + 0.1 * 4,
      0.1,
      2,
      [
        { start: 10.5, end: 10.6 },
        { start: 10.7, end: 10.8 },
        { start: 10.9, end: 10.9 },
      ],
    ],
  ])('[%d, %d] step %d max %d', (start, end, step, max, expected) => {
    const chunks = splitRange(start, end, step, max);
    expect(chunks).toEqual(expected);
    for (const chunk of chunks) expect((chunk.end - chunk.start) / step + 1).toBeLessThanOrEqual(max + 1e-9);
  });

  it.each([
    [0, 10, 0],
    [10, 0, 1],
    [0, Number.NaN, 1],
  ])('refuses start %d end %d step %d', (start, end, step) => {
    expect(() => splitRange(start, end, step)).toThrow(RangeError);
  });
});

describe('mergeSeries', () => {
  it('joins a series across chunks by its label set (any label order), in time order, once per timestamp', () => {
    const a: Series[] = [
      {
        metric: { pod: 'a', container: 'x' },
        values: [
          [1, 1],
          [2, 2],
        ],
      },
      { metric: { pod: 'b' }, values: [[1, 10]] },
    ];
    const b: Series[] = [
      {
        metric: { container: 'x', pod: 'a' },
        values: [
          [2, 99],
          [3, 3],
        ],
      },
      { metric: { pod: 'c' }, values: [[3, 30]] },
    ];
    expect(mergeSeries([a, b])).toEqual([
      {
        metric: { pod: 'a', container: 'x' },
        values: [
          [1, 1],
          [2, 2],
          [3, 3],
        ],
      },
      { metric: { pod: 'b' }, values: [[1, 10]] },
      { metric: { pod: 'c' }, values: [[3, 30]] },
    ]);
  });
});
