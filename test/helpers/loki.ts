// A Loki HTTP API stand-in for tests, on 127.0.0.1: `POST /loki/api/v1/push` (the JSON form of the
// push API: `{ streams: [{ stream: {labels}, values: [["<unix ns>", "<line>"]] }] }`, answering 204
// as Loki does, 400 with a message for a malformed body) and `GET /loki/api/v1/query_range` with a
// stream selector of `label="value"` matchers, answering Loki's `{ status, data: { resultType:
// "streams", result } }`. Debian's `loki` package is an unrelated genetics program and Grafana Loki
// is not packaged, so the tests speak to this instead; it keeps the API's shapes and its dedupe rule
// (an entry equal in stream, timestamp and line to one already held is dropped).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LokiStreamStored {
  stream: Record<string, string>;
  values: [string, string][];
}

export interface FakeLoki {
  url: string;
  streams: LokiStreamStored[];
  pushes: { headers: IncomingMessage['headers']; body: string }[];
  /** Answer the next pushes with this status (e.g. 500, 429) instead of storing them. */
  failWith?: number;
  close(): Promise<void>;
}

const key = (labels: Record<string, string>): string =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

function parseSelector(query: string): [string, string][] | undefined {
  const m = /^\{(.*)\}$/.exec(query.trim());
  if (!m) return undefined;
  const matchers: [string, string][] = [];
  for (const part of (m[1] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"$/.exec(part);
    if (!kv) return undefined;
    matchers.push([kv[1] as string, (kv[2] as string).replace(/\\(.)/g, '$1')]);
  }
  return matchers;
}

function validPush(body: unknown): string | undefined {
  const streams = (body as { streams?: unknown })?.streams;
  if (!Array.isArray(streams)) return 'streams: expected an array';
  for (const [i, s] of streams.entries()) {
    const stream = (s as { stream?: unknown }).stream;
    if (typeof stream !== 'object' || stream === null || Object.keys(stream).length === 0)
      return `streams[${i}].stream: error at least one label pair is required per stream`;
    if (Object.values(stream).some((v) => typeof v !== 'string'))
      return `streams[${i}].stream: labels must be strings`;
    const values = (s as { values?: unknown }).values;
    if (!Array.isArray(values)) return `streams[${i}].values: expected an array`;
    for (const v of values)
      if (!Array.isArray(v) || typeof v[0] !== 'string' || !/^\d+$/.test(v[0]) || typeof v[1] !== 'string')
        return `streams[${i}].values: each value is ["<unix epoch in nanoseconds>", "<log line>"]`;
  }
  return undefined;
}

export async function startFakeLoki(): Promise<FakeLoki> {
  const byKey = new Map<string, LokiStreamStored>();
  const loki: FakeLoki = {
    url: '',
    streams: [],
    pushes: [],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const send = (res: ServerResponse, status: number, body?: unknown): void => {
    if (body === undefined) return void res.writeHead(status).end();
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://loki');
      const text = Buffer.concat(chunks).toString();
      if (req.method === 'POST' && url.pathname === '/loki/api/v1/push') {
        loki.pushes.push({ headers: req.headers, body: text });
        if (loki.failWith !== undefined) return send(res, loki.failWith, 'injected failure\n');
        if (!/^application\/json/.test(req.headers['content-type'] ?? ''))
          return send(res, 415, 'unsupported content type\n');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return send(res, 400, 'invalid JSON\n');
        }
        const problem = validPush(body);
        if (problem) return send(res, 400, `${problem}\n`);
        for (const s of (body as { streams: LokiStreamStored[] }).streams) {
          const k = key(s.stream);
          let stored = byKey.get(k);
          if (!stored) {
            stored = { stream: { ...s.stream }, values: [] };
            byKey.set(k, stored);
            loki.streams.push(stored);
          }
          for (const v of s.values)
            if (!stored.values.some(([t, l]) => t === v[0] && l === v[1])) stored.values.push([v[0], v[1]]);
        }
        return send(res, 204);
      }
      if (req.method === 'GET' && url.pathname === '/loki/api/v1/query_range') {
        const matchers = parseSelector(url.searchParams.get('query') ?? '');
        if (!matchers)
          return send(res, 400, 'parse error: a stream selector such as {namespace="x"} is required\n');
        const result = loki.streams
          .filter((s) => matchers.every(([k, v]) => s.stream[k] === v))
          .map((s) => ({
            stream: s.stream,
            values: [...s.values].sort(([a], [b]) => (BigInt(b) > BigInt(a) ? 1 : -1)),
          }));
        return send(res, 200, { status: 'success', data: { resultType: 'streams', result, stats: {} } });
      }
      if (req.method === 'GET' && url.pathname === '/ready') return send(res, 200, 'ready\n');
      send(res, 404, '404 page not found\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  loki.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return loki;
}
