// eco-trace-bot against responders on 127.0.0.1 that follow Jaeger's HTTP query API (/api/services,
// /api/traces with tags/start/end/limit in microseconds) and Tempo's (/api/search with TraceQL,
// /api/search/tag/service.name/values): error traces of the service an error-rate alert names, or
// of every service on cron; unconfigured and failing stores are said, never a crash.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-trace-bot/handler.ts';
import { jaegerSample } from '../../functions/eco-trace-bot/query.ts';
import { silentLogger } from '../../shared/log/index.ts';
import { runBot } from '../../shared/runtime/index.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const us = (iso: string): number => Date.parse(iso) * 1000;

const errorTrace = {
  traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
  spans: [
    {
      traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanID: '00f067aa0ba902b7',
      operationName: 'POST /checkout',
      references: [],
      startTime: us('2026-06-01T11:40:00Z'),
      duration: 250_000,
      tags: [{ key: 'http.status_code', type: 'int64', value: 500 }],
      processID: 'p1',
    },
    {
      traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanID: '1111111111111111',
      operationName: 'SELECT ledger',
      references: [
        { refType: 'CHILD_OF', traceID: '4bf92f3577b34da6a3ce929d0e0e4736', spanID: '00f067aa0ba902b7' },
      ],
      startTime: us('2026-06-01T11:40:00Z') + 10_000,
      duration: 200_000,
      tags: [
        { key: 'error', type: 'bool', value: true },
        { key: 'otel.status_description', type: 'string', value: 'connection refused' },
      ],
      processID: 'p2',
    },
  ],
  processes: { p1: { serviceName: 'cart' }, p2: { serviceName: 'ledger-db' } },
};

interface Hit {
  path: string;
  query: URLSearchParams;
}
let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((r) => server?.close(r));
  server = undefined;
});

async function responder(
  handle: (hit: Hit) => { status: number; body: unknown },
): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const hit = { path: url.pathname, query: url.searchParams };
    hits.push(hit);
    const { status, body } = handle(hit);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const jaeger = (hit: Hit): { status: number; body: unknown } => {
  if (hit.path === '/api/services') return { status: 200, body: { data: ['cart', 'ledger-db'], total: 2 } };
  if (hit.path === '/api/traces')
    return {
      status: 200,
      body: {
        data: hit.query.get('service') === 'cart' ? [errorTrace] : [],
        total: 0,
        limit: 0,
        offset: 0,
        errors: null,
      },
    };
  return { status: 404, body: { errors: [{ code: 404, msg: 'not found' }] } };
};

const run = (input: unknown, env: Record<string, string>, extra: Record<string, unknown> = {}) =>
  runBot(bot, input, { env, now: () => NOW, log: silentLogger, trigger: 'http', ...extra });

describe('eco-trace-bot', () => {
  it('reduces a Jaeger trace to its root operation, error spans, message and duration', () => {
    expect(jaegerSample(errorTrace)).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      operation: 'POST /checkout',
      startTime: '2026-06-01T11:40:00.000Z',
      durationMs: 250,
      errorSpans: 1,
      message: 'connection refused',
    });
  });

  it('an error-rate alert routed by eco-alert-bot: the error traces of the service it names, from Jaeger', async () => {
    const j = await responder(jaeger);
    const report = await run(
      {},
      { ECO_TRACE_QUERY_URL: j.url, ECO_TRACE_LOOKBACK: '30m' },
      {
        trigger: 'cloudevent',
        event: {
          id: 'e1',
          type: 'org.bsw-arch.eco.alert.firing.v1',
          source: '/eco-bots/eco-alert-bot',
          extensions: {},
          data: { alertname: 'HighErrorRate', labels: { bot_name: 'cart', severity: 'warning' } },
        },
      },
    );
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.name}`)).toEqual(['trace.error-traces cart']);
    const samples = report.findings[0]?.evidence?.['samples'] as { traceId: string; url: string }[];
    expect(samples[0]?.url).toBe(`${j.url}/trace/4bf92f3577b34da6a3ce929d0e0e4736`);
    // The query Jaeger got: the service, error=true, the 30 min window in microseconds.
    const q = j.hits.find((h) => h.path === '/api/traces')?.query;
    expect(q?.get('service')).toBe('cart');
    expect(JSON.parse(q?.get('tags') ?? '{}')).toEqual({ error: 'true' });
    expect(Number(q?.get('end')) - Number(q?.get('start'))).toBe(30 * 60 * 1_000_000);
    expect(j.hits.some((h) => h.path === '/api/services')).toBe(false);
    expect(report.summary).toContain('from the alert');
  });

  it('cron ({}): every service the store knows; only those with error traces are reported', async () => {
    const j = await responder(jaeger);
    const report = await run({}, { ECO_TRACE_QUERY_URL: j.url });
    expect(report.findings.map((f) => f.object.name)).toEqual(['cart']);
    expect(
      j.hits
        .filter((h) => h.path === '/api/traces')
        .map((h) => h.query.get('service'))
        .sort(),
    ).toEqual(['cart', 'ledger-db']);
  });

  it('Tempo: a TraceQL search for the service with status = error', async () => {
    const t = await responder((hit) =>
      hit.path === '/api/search'
        ? {
            status: 200,
            body: {
              traces: [
                {
                  traceID: '2f3e0cee77ae5dc9c17ade3689eb2e54',
                  rootServiceName: 'cart',
                  rootTraceName: 'POST /checkout',
                  startTimeUnixNano: '1780314000000000000',
                  durationMs: 412,
                },
              ],
              metrics: { inspectedTraces: 10 },
            },
          }
        : { status: 404, body: {} },
    );
    const report = await run(
      { service: 'cart' },
      { ECO_TRACE_QUERY_URL: t.url, ECO_TRACE_QUERY_API: 'tempo' },
    );
    expect(report.findings.map((f) => f.check)).toEqual(['trace.error-traces']);
    expect(t.hits[0]?.query.get('q')).toBe('{ resource.service.name = "cart" && status = error }');
  });

  it('unconfigured: one info finding; a failing store: a report error naming it; bad input: 400 naming the field', async () => {
    const none = await run({}, {});
    expect(none.findings.map((f) => f.check)).toEqual(['eco-trace-bot.unconfigured']);
    const broken = await responder(() => ({ status: 503, body: { errors: [{ msg: 'storage down' }] } }));
    const failed = await run({ service: 'cart' }, { ECO_TRACE_QUERY_URL: broken.url });
    expect(failed.errors.map((e) => e.code)).toEqual(['jaeger-http-503']);
    expect(broken.hits.length).toBe(3); // a 503 is retried, up to 3 attempts
    await expect(run({ service: 'bad service!' }, {})).rejects.toThrow(/service/);
  });
});
