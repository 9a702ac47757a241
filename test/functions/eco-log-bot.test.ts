// eco-log-bot: error extraction and secret masking on real-shaped logs (table-driven), then runs
// through the emulator with a token limited to the bot's RBAC: a named pod, an alert routed by
// eco-alert-bot, the cron sweep, and the push to a Loki push/query API on 127.0.0.1 (see
// test/helpers/loki.ts for why it is not the Grafana Loki binary).
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-log-bot/handler.ts';
import { extractErrors } from '../../functions/eco-log-bot/extract.ts';
import { maskSecrets } from '../../functions/eco-log-bot/mask.ts';
import { pushBody, unixNanos } from '../../functions/eco-log-bot/loki.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { startFakeLoki, type FakeLoki } from '../helpers/loki.ts';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('error extraction (Robusta logs enricher: the lines that explain a crash)', () => {
  const cases: {
    name: string;
    log: string[];
    expected: { level: string; lines: number; first: string }[];
  }[] = [
    {
      name: 'text levels: ERROR and FATAL lines, INFO/WARN left out',
      log: [
        '2026-06-01T11:59:00Z INFO  starting',
        '2026-06-01T11:59:01Z WARN  slow disk',
        '2026-06-01T11:59:02Z ERROR connect ECONNREFUSED 10.0.0.7:5432',
        '2026-06-01T11:59:03Z FATAL database unavailable',
      ],
      expected: [
        { level: 'error', lines: 1, first: '2026-06-01T11:59:02Z ERROR connect ECONNREFUSED 10.0.0.7:5432' },
        { level: 'fatal', lines: 1, first: '2026-06-01T11:59:03Z FATAL database unavailable' },
      ],
    },
    {
      name: 'a JavaScript stack trace stays with its error line',
      log: [
        'FATAL unhandled error: database unavailable',
        '    at Pool.connect (/app/node_modules/pg-pool/index.js:45:11)',
        '    at async main (/app/dist/worker.js:88:5)',
        'INFO  exiting with code 1',
      ],
      expected: [{ level: 'fatal', lines: 3, first: 'FATAL unhandled error: database unavailable' }],
    },
    {
      name: 'a Java exception with Caused by and "... n more" is one entry',
      log: [
        'Exception in thread "main" java.lang.IllegalStateException: pool closed',
        '\tat com.acme.Pool.get(Pool.java:42)',
        'Caused by: java.net.ConnectException: Connection refused',
        '\tat java.base/sun.nio.ch.Net.connect0(Native Method)',
        '\t... 12 more',
        'done',
      ],
      expected: [
        {
          level: 'error',
          lines: 5,
          first: 'Exception in thread "main" java.lang.IllegalStateException: pool closed',
        },
      ],
    },
    {
      name: 'a Python traceback runs to its exception line',
      log: [
        'Traceback (most recent call last):',
        '  File "/app/main.py", line 10, in <module>',
        '    main()',
        "KeyError: 'DATABASE_URL'",
        'next line is not part of it',
      ],
      expected: [{ level: 'error', lines: 4, first: 'Traceback (most recent call last):' }],
    },
    {
      name: 'a Go panic with its goroutine dump',
      log: [
        'panic: runtime error: invalid memory address or nil pointer dereference',
        '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]',
        '',
        'goroutine 1 [running]:',
        'main.main()',
        '\t/src/main.go:12 +0x1d',
      ],
      expected: [
        {
          level: 'panic',
          lines: 6,
          first: 'panic: runtime error: invalid memory address or nil pointer dereference',
        },
      ],
    },
    {
      name: 'JSON logs by their level field (zap, logrus, pino numeric), not by words in the message',
      log: [
        '{"level":"info","ts":"2026-06-01T11:00:00Z","msg":"Error budget is fine"}',
        '{"level":"error","ts":"2026-06-01T11:00:01Z","msg":"upstream failed","error":"timeout"}',
        '{"severity":"CRITICAL","time":"2026-06-01T11:00:02Z","message":"disk full"}',
        '{"level":50,"time":1780000000000,"msg":"pino error"}',
        '{"log":{"level":"warn"},"message":"ERROR in text but warn level"}',
      ],
      expected: [
        {
          level: 'error',
          lines: 1,
          first: '{"level":"error","ts":"2026-06-01T11:00:01Z","msg":"upstream failed","error":"timeout"}',
        },
        {
          level: 'critical',
          lines: 1,
          first: '{"severity":"CRITICAL","time":"2026-06-01T11:00:02Z","message":"disk full"}',
        },
        { level: 'error', lines: 1, first: '{"level":50,"time":1780000000000,"msg":"pino error"}' },
      ],
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = extractErrors(c.log.join('\n') + '\n');
    expect(
      got.entries.map((e) => ({
        level: e.level,
        lines: e.text.split('\n').length,
        first: e.text.split('\n')[0],
      })),
    ).toEqual(c.expected);
  });

  it('keeps the latest entries when there are more than the cap, and counts the rest', () => {
    const log = Array.from({ length: 30 }, (_, i) => `ERROR failure ${i}`).join('\n');
    const got = extractErrors(log, 5);
    expect(got.entries.map((e) => e.text)).toEqual([25, 26, 27, 28, 29].map((i) => `ERROR failure ${i}`));
    expect(got.dropped).toBe(25);
    expect(got.entries[0]?.line).toBe(26);
  });

  it('reads the time at the start of a line or in a JSON time field', () => {
    const got = extractErrors(
      '2026-06-01T11:59:02.123456Z ERROR x\n{"level":"error","time":"2026-06-01T10:00:00Z"}\n',
    );
    expect(got.entries.map((e) => e.time)).toEqual(['2026-06-01T11:59:02.123456Z', '2026-06-01T10:00:00Z']);
  });
});

describe('secret masking (logs are data: nothing secret leaves the bot)', () => {
  const cases: [string, string, string][] = [
    [
      'bearer header',
      'GET /api Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc123def',
      'GET /api Authorization: Bearer ***',
    ],
    ['basic header', 'authorization: Basic dXNlcjpodW50ZXIy', 'authorization: Basic ***'],
    [
      'password in a URL',
      'connecting to postgres://app:hunter2@db:5432/app',
      'connecting to postgres://app:***@db:5432/app',
    ],
    [
      'key=value',
      'login failed user=bob password=hunter2 retry=3',
      'login failed user=bob password=*** retry=3',
    ],
    ['env-style key', 'DB_PASSWORD: hunter2', 'DB_PASSWORD: ***'],
    [
      'JSON field',
      '{"level":"error","api_key":"sk-live-123","msg":"denied"}',
      '{"level":"error","api_key":"***","msg":"denied"}',
    ],
    ['a JWT alone', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_nature-x', 'token ***'],
    ['AWS access key id', 'using key AKIAIOSFODNN7EXAMPLE for s3', 'using key *** for s3'],
    ['GitHub token', 'clone with ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'clone with ***'],
    [
      'PEM private key',
      'key: -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
      'key: -----BEGIN PRIVATE KEY-----***-----END PRIVATE KEY-----',
    ],
    [
      'nothing secret',
      'ERROR connect ECONNREFUSED 10.0.0.7:5432',
      'ERROR connect ECONNREFUSED 10.0.0.7:5432',
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(maskSecrets(input)).toBe(expected);
  });
});

describe('Loki push body', () => {
  it('uses the line time in unix nanoseconds, else now, and keeps entries of one stream distinct', () => {
    expect(unixNanos('2026-06-01T11:59:02.123456Z', NOW)).toBe(
      `${Date.parse('2026-06-01T11:59:02.123Z')}456000`,
    );
    expect(unixNanos(undefined, NOW)).toBe(`${NOW.getTime()}000000`);
    const body = JSON.parse(
      pushBody(
        [
          {
            labels: { namespace: 'a', pod: 'p', container: 'c', bot: 'eco-log-bot', source: 'previous' },
            entries: [{ text: 'x' }, { text: 'y' }],
          },
        ],
        NOW,
      ),
    ) as { streams: { values: [string, string][] }[] };
    expect(body.streams[0]?.values).toEqual([
      [`${NOW.getTime()}000000`, 'x'],
      [`${NOW.getTime()}000001`, 'y'],
    ]);
  });
});

const podObject = (
  name: string,
  containers: { name: string; restartCount: number; crashloop?: boolean }[],
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'apps', uid: `uid-${name}`, creationTimestamp: '2026-05-30T00:00:00Z' },
  spec: { containers: containers.map((c) => ({ name: c.name, image: 'registry.local/app:1.0' })) },
  status: {
    phase: 'Running',
    containerStatuses: containers.map((c) => ({
      name: c.name,
      ready: !c.crashloop,
      restartCount: c.restartCount,
      state: c.crashloop
        ? { waiting: { reason: 'CrashLoopBackOff' } }
        : { running: { startedAt: '2026-06-01T11:00:00Z' } },
      ...(c.restartCount > 0
        ? { lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-06-01T11:58:00Z' } } }
        : {}),
    })),
  },
});

const CRASH_LOG = [
  '2026-06-01T11:57:58Z INFO  api 1.4 starting',
  '2026-06-01T11:57:59Z INFO  connecting to postgres://api:s3cr3t-pw@ledger-db:5432/ledger',
  '2026-06-01T11:58:00Z ERROR auth failed for header Authorization: Bearer abcdef0123456789abcdef',
  '2026-06-01T11:58:00Z FATAL unhandled error: database unavailable',
  '    at Pool.connect (/app/node_modules/pg-pool/index.js:45:11)',
  '    at async main (/app/dist/main.js:88:5)',
  '',
].join('\n');

let harness: BotHarness | undefined;
let loki: FakeLoki | undefined;
afterEach(async () => {
  await harness?.close();
  await loki?.close();
  harness = undefined;
  loki = undefined;
});

async function seeded(env: Record<string, string> = {}): Promise<BotHarness> {
  const h = await startBotHarness(bot, {
    now: () => NOW,
    env,
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
      podObject('api-7d9f', [
        { name: 'api', restartCount: 7, crashloop: true },
        { name: 'sidecar', restartCount: 0 },
      ]),
      podObject('healthy-1', [{ name: 'web', restartCount: 0 }]),
      podObject('flaky-2', [{ name: 'web', restartCount: 1 }]),
    ],
  });
  h.emulator.setPodLog({
    namespace: 'apps',
    pod: 'api-7d9f',
    container: 'api',
    previous: true,
    text: CRASH_LOG,
  });
  h.emulator.setPodLog({
    namespace: 'apps',
    pod: 'api-7d9f',
    container: 'api',
    text: '2026-06-01T11:59:00Z INFO api 1.4 starting\n',
  });
  h.emulator.setPodLog({
    namespace: 'apps',
    pod: 'api-7d9f',
    container: 'sidecar',
    text: 'ERROR sidecar cannot reach api\n',
  });
  h.emulator.setPodLog({
    namespace: 'apps',
    pod: 'flaky-2',
    container: 'web',
    previous: true,
    text: 'INFO shutting down on SIGTERM\n',
  });
  return h;
}

describe('eco-log-bot runs (RBAC enforced)', () => {
  it('a named pod: previous and current logs with tailLines/limitBytes, errors attached masked, pushed to Loki with its labels', async () => {
    loki = await startFakeLoki();
    harness = await seeded({ LOKI_URL: loki.url, ECO_LOG_LIMIT_BYTES: '65536' });
    const report = await harness.run({ namespace: 'apps', pod: 'api-7d9f', tailLines: 200 });
    expect(report.errors).toEqual([]);
    expect(
      report.findings.map((f) => `${f.check} ${f.object.name} ${String(f.evidence?.['container'])}`).sort(),
    ).toEqual(['log.errors api-7d9f sidecar', 'log.previous-errors api-7d9f api']);
    const previous = report.findings.find((f) => f.check === 'log.previous-errors');
    const entries = previous?.evidence?.['entries'] as { text: string; level: string }[];
    expect(entries.map((e) => e.level)).toEqual(['error', 'fatal']);
    expect(entries[1]?.text.split('\n')).toHaveLength(3); // the stack trace kept with its line
    expect(previous?.evidence).toMatchObject({ restartCount: 7, lastTermination: { exitCode: 1 } });
    // Nothing secret anywhere in the report, nor in what reached Loki.
    const everything = JSON.stringify(report) + loki.pushes.map((p) => p.body).join('');
    expect(everything).not.toContain('s3cr3t-pw');
    expect(everything).not.toContain('abcdef0123456789abcdef');
    expect(everything).toContain('Bearer ***');

    // The log reads went through pods/log with the limits.
    const logReads = harness.emulator.requests.filter((r) => r.path.endsWith('/log'));
    const previousRead = logReads.find(
      (r) => r.query.includes('previous=true') && r.query.includes('container=api'),
    );
    expect(previousRead?.query).toContain('tailLines=200');
    expect(previousRead?.query).toContain('limitBytes=65536');
    // The sidecar never restarted: its previous log is not asked for.
    expect(
      logReads.filter((r) => r.query.includes('container=sidecar') && r.query.includes('previous=true')),
    ).toEqual([]);

    // Loki holds the lines under the labels namespace/pod/container/bot (queried back via query_range).
    const res = await fetch(
      `${loki.url}/loki/api/v1/query_range?query=${encodeURIComponent('{namespace="apps",pod="api-7d9f",container="api",source="previous"}')}`,
    );
    const body = (await res.json()) as {
      data: { result: { stream: Record<string, string>; values: [string, string][] }[] };
    };
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0]?.stream).toEqual({
      namespace: 'apps',
      pod: 'api-7d9f',
      container: 'api',
      bot: 'eco-log-bot',
      source: 'previous',
    });
    expect(body.data.result[0]?.values.map(([, line]) => line.split('\n')[0])).toEqual([
      '2026-06-01T11:58:00Z FATAL unhandled error: database unavailable',
      '2026-06-01T11:58:00Z ERROR auth failed for header Authorization: Bearer ***',
    ]);
    expect(body.data.result[0]?.values[1]?.[0]).toBe(`${Date.parse('2026-06-01T11:58:00Z')}000000`);
    expect(report.data?.['lokiEntries']).toBe(3);
    expect(harness.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('woken by an alert routed by eco-alert-bot: reads the pod the alert labels name', async () => {
    harness = await seeded();
    const report = await harness.run(
      {},
      {
        trigger: 'cloudevent',
        event: {
          id: 'a1',
          type: 'org.bsw-arch.eco.alert.firing.v1',
          source: '/eco-bots/eco-alert-bot',
          extensions: {},
          data: {
            alertname: 'KubePodCrashLooping',
            labels: { namespace: 'apps', pod: 'api-7d9f', container: 'api' },
          },
        },
      },
    );
    expect(
      report.findings
        .filter((f) => f.check.startsWith('log.'))
        .map((f) => `${f.check} ${String(f.evidence?.['container'])}`),
    ).toEqual(['log.previous-errors api']);
    expect(report.summary).toContain('from the alert');
    expect(report.findings.some((f) => f.check === 'eco-log-bot.unconfigured')).toBe(true);
  });

  it('cron sweep ({}): only containers that restarted or crash-loop are read, most restarts first', async () => {
    harness = await seeded();
    const report = await harness.run({});
    expect(report.data?.['containers']).toEqual(['apps/api-7d9f/api', 'apps/flaky-2/web']);
    expect(report.findings.filter((f) => f.check.startsWith('log.')).map((f) => f.object.name)).toEqual([
      'api-7d9f',
    ]);
  });

  it('Loki refusing or unreachable is a report error naming it; the findings still stand', async () => {
    loki = await startFakeLoki();
    loki.failWith = 400;
    harness = await seeded({ LOKI_URL: loki.url });
    const refused = await harness.run({ namespace: 'apps', pod: 'api-7d9f', container: 'api' });
    expect(refused.errors.map((e) => e.code)).toEqual(['loki-http-400']);
    expect(refused.findings.map((f) => f.check)).toEqual(['log.previous-errors']);
    expect(loki.pushes).toHaveLength(1); // a 400 is not retried
    const url = loki.url;
    await loki.close();
    loki = undefined;
    await harness.close();
    harness = await seeded({ LOKI_URL: url, ECO_LOG_LOKI_TIMEOUT: '500ms' });
    const down = await harness.run({ namespace: 'apps', pod: 'api-7d9f', container: 'api' });
    expect(down.errors.map((e) => e.code)).toEqual(['loki-unavailable']);
  });

  it('bad input names the field: pod without namespace, an unknown container, an unknown option', async () => {
    harness = await seeded();
    await expect(harness.run({ pod: 'api-7d9f' })).rejects.toThrow(/namespace/);
    await expect(harness.run({ namespace: 'apps', pod: 'api-7d9f', container: 'nope' })).rejects.toThrow(
      /container.*api, sidecar/,
    );
    await expect(harness.run({ lines: 5 })).rejects.toThrow(/lines/);
    const gone = await harness.run({ namespace: 'apps', pod: 'gone-1' });
    expect(gone.findings.map((f) => f.check)).toContain('log.pod-missing');
  });
});
