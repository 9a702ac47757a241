// One OTLP span per invocation, and one trace across gateway → bot → CloudEvent → bot: two real bot
// servers (the first's K_SINK is the second) export to a receiver on 127.0.0.1 that decodes the
// OTLP/HTTP request as the OpenTelemetry specification defines it (POST /v1/traces, JSON Protobuf
// encoding: hex ids, integer enums, decimal-string nanosecond times).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { defineBot } from '../../../shared/bot/define-bot.ts';
import { REPORT_EVENT_TYPE } from '../../../shared/cloudevents/constants.ts';
import { silentLogger } from '../../../shared/log/index.ts';
import { serve, type RunningServer } from '../../../shared/runtime/serve.ts';
import { exportRequest, otlpConfig } from '../../../shared/runtime/otlp.ts';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: number; message?: string };
  attributes: Record<string, string>;
}

/** Decodes an ExportTraceServiceRequest (OTLP/JSON); throws on anything the spec does not allow. */
function decode(body: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  const rs = (body as { resourceSpans?: unknown[] }).resourceSpans;
  if (!Array.isArray(rs)) throw new Error('resourceSpans: expected an array');
  const value = (v: Record<string, unknown>): string =>
    String(v['stringValue'] ?? v['intValue'] ?? v['boolValue'] ?? '');
  for (const r of rs as {
    resource: { attributes: { key: string; value: Record<string, unknown> }[] };
    scopeSpans: { spans: Record<string, unknown>[] }[];
  }[]) {
    const service = value(r.resource.attributes.find((a) => a.key === 'service.name')?.value ?? {});
    for (const scope of r.scopeSpans) {
      for (const s of scope.spans) {
        if (!/^[0-9a-f]{32}$/.test(String(s['traceId'])))
          throw new Error(`traceId: not 32 hex digits: ${String(s['traceId'])}`);
        if (!/^[0-9a-f]{16}$/.test(String(s['spanId']))) throw new Error('spanId: not 16 hex digits');
        if (s['parentSpanId'] !== undefined && !/^[0-9a-f]{16}$/.test(String(s['parentSpanId'])))
          throw new Error('parentSpanId: not 16 hex digits');
        if (!/^\d+$/.test(String(s['startTimeUnixNano'])) || !/^\d+$/.test(String(s['endTimeUnixNano'])))
          throw new Error('times: decimal strings of nanoseconds');
        if (typeof s['kind'] !== 'number') throw new Error('kind: an integer enum');
        out.push({
          service,
          traceId: String(s['traceId']),
          spanId: String(s['spanId']),
          ...(s['parentSpanId'] === undefined ? {} : { parentSpanId: String(s['parentSpanId']) }),
          name: String(s['name']),
          kind: s['kind'],
          startTimeUnixNano: String(s['startTimeUnixNano']),
          endTimeUnixNano: String(s['endTimeUnixNano']),
          status: s['status'] as ReceivedSpan['status'],
          attributes: Object.fromEntries(
            (s['attributes'] as { key: string; value: Record<string, unknown> }[]).map((a) => [
              a.key,
              value(a.value),
            ]),
          ),
        });
      }
    }
  }
  return out;
}

async function startReceiver(): Promise<{
  url: string;
  spans: ReceivedSpan[];
  headers: Record<string, unknown>[];
  server: Server;
}> {
  const spans: ReceivedSpan[] = [];
  const headers: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      if (req.headers['content-type'] !== 'application/json') return void res.writeHead(415).end();
      try {
        spans.push(...decode(JSON.parse(Buffer.concat(chunks).toString())));
        headers.push(req.headers);
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ code: 3, message: (error as Error).message }));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, headers, server };
}

const first = defineBot({
  name: 'eco-first-bot',
  category: 'observability',
  tier: 'small',
  summary: 'first hop',
  triggers: { http: true },
  rbac: [],
  mutates: false,
  input: Type.Object({}),
  async run() {
    return { summary: 'ok', findings: [] };
  },
});
const second = defineBot({
  name: 'eco-second-bot',
  category: 'observability',
  tier: 'small',
  summary: 'second hop, woken by the first one’s report event',
  triggers: { events: [REPORT_EVENT_TYPE] },
  rbac: [],
  mutates: false,
  input: Type.Object({}, { additionalProperties: true }),
  async run() {
    return { summary: 'ok', findings: [] };
  },
});

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

describe('OTLP configuration (the standard OTEL_* variables)', () => {
  it('appends /v1/traces to the base endpoint, takes the traces endpoint as is, parses headers, refuses grpc', () => {
    expect(otlpConfig({})).toBeUndefined();
    expect(otlpConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })?.endpoint).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      otlpConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:4318/custom',
      })?.endpoint,
    ).toBe('http://t:4318/custom');
    expect(
      otlpConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20x,tenant=a',
      })?.headers,
    ).toEqual({
      authorization: 'Bearer x',
      tenant: 'a',
    });
    expect(() =>
      otlpConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
    ).toThrow(/grpc/);
    expect(() => otlpConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it('encodes a failed run as STATUS_CODE_ERROR with its message', () => {
    const body = exportRequest(
      {
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        bot: 'eco-x-bot',
        trigger: 'cron',
        startMs: 1000,
        endMs: 1500.5,
        status: 500,
        error: 'boom',
      },
      'eco-x-bot',
    );
    const [span] = decode(body);
    expect(span).toMatchObject({
      status: { code: 2, message: 'boom' },
      startTimeUnixNano: '1000000000',
      endTimeUnixNano: '1500500000',
    });
    expect(span?.attributes['faas.trigger']).toBe('timer');
  });
});

describe('one trace across gateway → bot → CloudEvent → bot', () => {
  it('both spans carry the caller’s trace id; the second’s parent is the first’s span', async () => {
    const receiver = await startReceiver();
    open.push({ close: () => new Promise<void>((r) => receiver.server.close(() => r())) });
    const common = {
      PORT: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=eco',
    };
    const options = { host: '127.0.0.1', handleSignals: false, exitOnConfigError: false, log: silentLogger };
    const b: RunningServer = await serve(second, { ...options, env: common });
    open.push(b);
    const a: RunningServer = await serve(first, {
      ...options,
      env: { ...common, K_SINK: `http://127.0.0.1:${b.port}/` },
    });
    open.push(a);

    const caller = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    const res = await fetch(`http://127.0.0.1:${a.port}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${caller.traceId}-${caller.spanId}-01`,
      },
      body: '{}',
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await expect.poll(() => receiver.spans.length, { timeout: 10_000, interval: 50 }).toBe(2);
    const spanA = receiver.spans.find((s) => s.service === 'eco-first-bot');
    const spanB = receiver.spans.find((s) => s.service === 'eco-second-bot');
    expect(spanA).toMatchObject({
      traceId: caller.traceId,
      parentSpanId: caller.spanId,
      kind: 2,
      status: { code: 0 },
    });
    expect(spanB).toMatchObject({ traceId: caller.traceId, parentSpanId: spanA?.spanId, kind: 5 });
    expect(spanB?.attributes['faas.trigger']).toBe('pubsub');
    expect(receiver.headers.every((h) => h['x-tenant'] === 'eco')).toBe(true);
  });
});
