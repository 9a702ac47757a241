import { request } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { echoBot, strictAlertBot } from '../shared/fixtures/bots.ts';
import { alertPayload, startServer } from './helpers.ts';

interface Raw {
  status: number;
  contentType: string | undefined;
  ceType: string | undefined;
  body: string;
}

/** node:http rather than fetch: fetch refuses some headers and rewrites others. */
function send(port: number, path: string, headers: Record<string, string>, body: Buffer): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            ceType: res.headers['ce-type'] as string | undefined,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/cloudevents+json',
    'application/cloudevents-batch+json',
    'text/plain',
    'application/xml',
    'application/octet-stream',
    'multipart/form-data; boundary=x',
    'application/merge-patch+json',
  ),
  headerValue,
);
const ceAttrs = fc.record(
  {
    'ce-id': headerValue,
    'ce-source': headerValue,
    'ce-type': fc.oneof(
      headerValue,
      fc.constantFrom('dev.knative.sources.ping', 'org.bsw-arch.eco.test.echo.v1'),
    ),
    'ce-specversion': fc.constantFrom('1.0', '0.3', '', '2'),
    'ce-time': headerValue,
    'ce-weird_Ext': headerValue,
  },
  { requiredKeys: [] },
);
const extra = fc.record(
  {
    prefer: fc.constantFrom('reply', 'respond-async', ''),
    'x-connector': fc.constantFrom('cron-connector', 'connector-sdk'),
    'user-agent': fc.constantFrom('Alertmanager/0.27.0', 'curl/8', ''),
    traceparent: fc.oneof(
      headerValue,
      fc.constant('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
    ),
    'x-eco-dry-run': fc.constantFrom('true', 'no'),
  },
  { requiredKeys: [] },
);
const jsonBody = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
const structuredEvent = fc
  .record(
    {
      specversion: fc.constantFrom('1.0', '0.3'),
      id: fc.string(),
      source: fc.string(),
      type: fc.string(),
      data: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  )
  .map((e) => JSON.stringify(e));
const batch = fc.array(structuredEvent, { maxLength: 3 }).map((events) => `[${events.join(',')}]`);
const alertish = fc
  .record(
    { alerts: fc.jsonValue({ maxDepth: 2 }), version: fc.constantFrom('4', 4, '3'), status: fc.string() },
    { requiredKeys: [] },
  )
  .map((p) => JSON.stringify({ ...alertPayload(), ...p }));
const body = fc.oneof(
  jsonBody,
  structuredEvent,
  batch,
  alertish,
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.constant(''),
  fc.constant('{"count":2}'),
);

function checkResponse(r: Raw): void {
  expect([200, 202, 400, 404, 413, 415, 500, 502]).toContain(r.status);
  expect(r.contentType).toMatch(/^application\/json/);
  const parsed = JSON.parse(r.body) as unknown;
  if (r.status === 200) {
    const reports = Array.isArray(parsed) ? parsed : [parsed];
    for (const report of reports)
      expect(report).toMatchObject({
        bot: expect.any(String),
        runId: expect.any(String),
        findings: expect.any(Array),
      });
  } else if (r.status === 202) {
    expect(parsed).toMatchObject({ started: expect.any(Array), skipped: expect.any(Array) });
  } else {
    expect(parsed).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  }
  // The bot fixtures never fail on their own, so a 5xx means the runtime broke.
  expect(r.status).toBeLessThan(500);
}

describe('request decoding never crashes: a report or a JSON error, whatever arrives', () => {
  it('random bodies, headers and content types at a single bot', async () => {
    const s = await startServer(echoBot, { ECO_MAX_BODY_BYTES: '150' });
    await fc.assert(
      fc.asyncProperty(contentType, ceAttrs, extra, body, async (type, ce, more, text) => {
        const r = await send(
          s.port,
          '/',
          { 'content-type': type, ...ce, ...more },
          Buffer.from(text, 'utf8'),
        );
        if (r.ceType !== undefined) {
          expect(r.status).toBe(200);
          expect(JSON.parse(r.body)).toMatchObject({ bot: 'eco-echo-bot' });
          return;
        }
        checkResponse(r);
      }),
      { numRuns: 250 },
    );
    expect((await fetch(`${s.url}/_/health`)).status).toBe(200);
  });

  it('random Alertmanager-like payloads at a strict bot, and at a group root', async () => {
    const single = await startServer(strictAlertBot);
    const group = await startServer([echoBot, strictAlertBot]);
    await fc.assert(
      fc.asyncProperty(contentType, extra, body, fc.boolean(), async (type, more, text, toGroup) => {
        const port = toGroup ? group.port : single.port;
        const r = await send(port, '/', { 'content-type': type, ...more }, Buffer.from(text, 'utf8'));
        checkResponse(r);
      }),
      { numRuns: 200 },
    );
  });
});
