// eco-healthcheck-bot: each check on real-shaped objects (table-driven, no cluster), a run through
// the emulator with a token limited to the bot's RBAC, and HTTP/TCP probes against servers this test
// starts on 127.0.0.1.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-healthcheck-bot/handler.ts';
import {
  CLUSTER_CHECKS,
  windowStart,
  type HealthSettings,
  type Snap,
} from '../../functions/eco-healthcheck-bot/checks.ts';
import { probeAll, displayTarget } from '../../functions/eco-healthcheck-bot/probes.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { runChecks } from '../../shared/scan/index.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const ago = (minutes: number): string => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const SETTINGS: HealthSettings = {
  crashloopRestarts: 2,
  crashloopWindowMs: 4 * 3600_000,
  oomWindowMs: 3600_000,
  notReadyMs: 15 * 60_000,
  pendingMs: 15 * 60_000,
};

type Status = Record<string, unknown>;
const pod = (
  name: string,
  status: Status,
  labels: Record<string, string> = {},
  createdMinutesAgo = 600,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'apps',
    labels,
    creationTimestamp: ago(createdMinutesAgo),
    uid: `uid-${name}`,
  },
  spec: { containers: [{ name: 'main', image: 'registry.local/app:1.0' }] },
  status,
});
const running = (container: Record<string, unknown> = {}, ready = true, readySinceMinutes = 600): Status => ({
  phase: 'Running',
  conditions: [
    { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: ago(readySinceMinutes) },
  ],
  containerStatuses: [
    { name: 'main', ready, restartCount: 0, state: { running: { startedAt: ago(600) } }, ...container },
  ],
});
const service = (name: string, selector?: Record<string, string>, type = 'ClusterIP'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'apps' },
  spec: { type, ...(selector ? { selector } : {}), ports: [{ port: 80, targetPort: 8080 }] },
});
const slice = (service: string, endpoints: { ready?: boolean }[] | null): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: `${service}-abcde`,
    namespace: 'apps',
    labels: { 'kubernetes.io/service-name': service },
  },
  addressType: 'IPv4',
  endpoints:
    endpoints === null
      ? null
      : endpoints.map((e, i) => ({
          addresses: [`10.0.0.${i + 1}`],
          conditions: e.ready === undefined ? {} : { ready: e.ready },
        })),
  ports: [{ port: 8080, protocol: 'TCP' }],
});
const job = (name: string, conditions: Record<string, unknown>[]): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'apps' },
  spec: { backoffLimit: 0 },
  status: { failed: 1, conditions },
});

function snapOf(objects: Partial<Record<keyof Snap['objects'], KubeObject[]>>): Snap {
  return {
    objects: { pods: [], services: [], endpointslices: [], jobs: [], ...objects },
    missing: new Set(),
    failed: new Set(),
    errors: [],
    findings: [],
    takenAt: NOW,
  };
}

function found(objects: Partial<Record<keyof Snap['objects'], KubeObject[]>>, now = NOW): string[] {
  const { findings, errors } = runChecks(
    { bot: bot.name, now: () => now },
    CLUSTER_CHECKS,
    snapOf(objects),
    SETTINGS,
  );
  expect(errors).toEqual([]);
  return findings.map((f) => `${f.check} ${f.object.name}`).sort();
}

describe('eco-healthcheck-bot checks (table-driven)', () => {
  const crashloopState = (restarts: number): Record<string, unknown> => ({
    ready: false,
    restartCount: restarts,
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } },
    lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(3) } },
  });
  const cases: {
    name: string;
    objects: Partial<Record<keyof Snap['objects'], KubeObject[]>>;
    expected: string[];
  }[] = [
    {
      name: 'Robusta on_pod_crash_loop: CrashLoopBackOff with restart_count >= 2 is reported',
      objects: { pods: [pod('loop', running(crashloopState(2), false))] },
      expected: ['health.crashloop loop'],
    },
    {
      name: 'Robusta on_pod_crash_loop: one restart is not yet a crash loop',
      objects: { pods: [pod('once', running(crashloopState(1), false))] },
      expected: [],
    },
    {
      name: 'many restarts but running again (not waiting in CrashLoopBackOff) is no crash loop',
      objects: { pods: [pod('recovered', running({ restartCount: 9 }))] },
      expected: [],
    },
    {
      name: 'Robusta on_pod_oom_killed: an OOM kill within the hour is reported',
      objects: {
        pods: [
          pod(
            'oom',
            running({
              restartCount: 3,
              lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(20) } },
            }),
          ),
        ],
      },
      expected: ['health.oom-killed oom'],
    },
    {
      name: 'an OOM kill of yesterday is history, not news',
      objects: {
        pods: [
          pod(
            'old-oom',
            running({
              restartCount: 1,
              lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(1500) } },
            }),
          ),
        ],
      },
      expected: [],
    },
    {
      name: 'Robusta on_image_pull_backoff: ImagePullBackOff and ErrImagePull',
      objects: {
        pods: [
          pod('pull', {
            phase: 'Pending',
            containerStatuses: [
              { name: 'main', ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } },
            ],
          }),
          pod('err', {
            phase: 'Pending',
            containerStatuses: [
              { name: 'main', ready: false, state: { waiting: { reason: 'ErrImagePull' } } },
            ],
          }),
        ],
      },
      // Pending for 10 h too, but the pull failure is the sharper finding: no pod-pending duplicate.
      expected: ['health.image-pull-backoff err', 'health.image-pull-backoff pull'],
    },
    {
      name: 'KubePodNotReady (15 m): a Running pod not ready for 30 minutes is reported, one for 5 minutes is not',
      objects: {
        pods: [
          pod('slow', running({ ready: false }, false, 30)),
          pod('starting', running({ ready: false }, false, 5)),
        ],
      },
      expected: ['health.pod-not-ready slow'],
    },
    {
      name: 'KubePodNotReady, Pending arm: Pending 20 minutes (unschedulable) is reported, 10 minutes is not',
      objects: {
        pods: [
          pod(
            'stuck',
            {
              phase: 'Pending',
              conditions: [
                {
                  type: 'PodScheduled',
                  status: 'False',
                  reason: 'Unschedulable',
                  message: '0/3 nodes are available: 3 Insufficient cpu.',
                },
              ],
            },
            {},
            20,
          ),
          pod('new', { phase: 'Pending' }, {}, 10),
          // Old objects: no status at all, no creationTimestamp: tolerated, nothing to judge.
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name: 'bare',
              namespace: 'apps',
              ...{ selfLink: '/api/v1/namespaces/apps/pods/bare' },
            },
          },
        ],
      },
      expected: ['health.pod-pending stuck'],
    },
    {
      name: 'Popeye 1105: a Service whose selector matches nothing has no endpoints',
      objects: { services: [service('orphan', { app: 'gone' })], endpointslices: [slice('orphan', null)] },
      expected: ['health.service-no-endpoints orphan'],
    },
    {
      name: 'Popeye 1105: endpoints that are all not ready count as none',
      objects: {
        services: [service('down', { app: 'down' })],
        endpointslices: [slice('down', [{ ready: false }, { ready: false }])],
        pods: [pod('down-1', running({}, true), { app: 'down' })],
      },
      expected: ['health.service-no-endpoints down'],
    },
    {
      name: 'a ready endpoint in any slice (or a nil ready condition, read as ready) is healthy',
      objects: {
        services: [service('split', { app: 'split' }), service('nil', { app: 'nil' })],
        endpointslices: [
          slice('split', [{ ready: false }]),
          {
            ...slice('split', [{ ready: true }]),
            metadata: {
              name: 'split-2',
              namespace: 'apps',
              labels: { 'kubernetes.io/service-name': 'split' },
            },
          },
          slice('nil', [{}]),
        ],
      },
      expected: [],
    },
    {
      name: 'selector-less and ExternalName Services are not judged (their endpoints are managed by hand)',
      objects: { services: [service('manual'), service('external', { app: 'x' }, 'ExternalName')] },
      expected: [],
    },
    {
      name: 'Robusta on_job_failure / KubeJobFailed: a Job with Failed=True; a completed one is fine',
      objects: {
        jobs: [
          job('failed', [
            { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', lastTransitionTime: ago(60) },
          ]),
          job('done', [{ type: 'Complete', status: 'True' }]),
        ],
      },
      expected: ['health.job-failed failed'],
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(found(c.objects)).toEqual(c.expected);
  });

  it('Robusta rate_limit 14400: a crash loop keeps one finding id within a 4 h window and gets a new one after', () => {
    const objects = { pods: [pod('loop', running(crashloopState(5), false))] };
    const idAt = (at: Date): string | undefined =>
      runChecks({ bot: bot.name, now: () => at }, CLUSTER_CHECKS, snapOf(objects), SETTINGS).findings[0]?.id;
    const start = new Date('2026-06-01T12:00:00Z'); // a 4 h window boundary (12:00 UTC)
    expect(windowStart(start.getTime(), SETTINGS.crashloopWindowMs)).toBe('2026-06-01T12:00:00.000Z');
    const first = idAt(start);
    expect(first).toBeDefined();
    expect(idAt(new Date('2026-06-01T15:59:00Z'))).toBe(first);
    expect(idAt(new Date('2026-06-01T16:00:00Z'))).not.toBe(first);
  });

  it('Robusta rate_limit 3600: an OOM kill keeps its id as the clock moves on within the hour', () => {
    const oom = pod(
      'oom',
      running({
        restartCount: 1,
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-06-01T11:50:00Z' } },
      }),
    );
    const ids = [NOW, new Date('2026-06-01T12:30:00Z')].map(
      (at) =>
        runChecks({ bot: bot.name, now: () => at }, CLUSTER_CHECKS, snapOf({ pods: [oom] }), SETTINGS)
          .findings[0]?.id,
    );
    expect(ids[0]).toBeDefined();
    expect(ids[1]).toBe(ids[0]);
  });
});

const servers: { close(): unknown }[] = [];
let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const s of servers.splice(0)) await new Promise((r) => (s as Server).close(r));
});

async function listen(server: Server | TcpServer): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('eco-healthcheck-bot probes (servers on 127.0.0.1)', () => {
  it('judges HTTP 200-399 healthy, retries a 503 up to the attempts, does not retry a 404, and reads TCP connects', async () => {
    let flakyHits = 0;
    const http = createHttpServer((req, res) => {
      if (req.url === '/ok') return res.writeHead(200).end('ok');
      if (req.url === '/moved') return res.writeHead(302, { location: '/elsewhere' }).end();
      if (req.url === '/flaky') return res.writeHead(++flakyHits < 2 ? 503 : 200).end();
      if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end(), 120);
      res.writeHead(404).end();
    });
    const httpPort = await listen(http);
    const tcpPort = await listen(createTcpServer((s) => s.end()));
    // A port that was open and is closed now: connection refused.
    const closed = createTcpServer();
    const closedPort = await new Promise<number>((resolve) =>
      closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)),
    );
    await new Promise((r) => closed.close(r));
    const base = `http://127.0.0.1:${httpPort}`;
    const results = await probeAll(
      [
        `${base}/ok`,
        `${base}/moved`,
        `${base}/flaky`,
        `${base}/missing`,
        `tcp://127.0.0.1:${tcpPort}`,
        `tcp://127.0.0.1:${closedPort}`,
      ],
      { attempts: 3, timeoutMs: 2000, slowMs: 1000 },
      new AbortController().signal,
    );
    expect(results.map((r) => [r.ok, r.status, r.attempts])).toEqual([
      [true, 200, 1],
      [true, 302, 1],
      [true, 200, 2],
      [false, 404, 1],
      [true, undefined, 1],
      [false, undefined, 3],
    ]);
    expect(results[5]?.error).toBe('ECONNREFUSED');
    expect(flakyHits).toBe(2);
  });

  it('masks credentials in a target before it reaches a finding', () => {
    expect(displayTarget('https://admin:s3cret@example.test/health')).toBe('https://***@example.test/health');
  });

  it('reports failed and slow probes beside the cluster findings, with a token limited to its RBAC', async () => {
    const http = createHttpServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end(), 150);
      res.writeHead(req.url === '/ok' ? 200 : 500).end();
    });
    const port = await listen(http);
    const base = `http://127.0.0.1:${port}`;
    harness = await startBotHarness(bot, {
      now: () => NOW,
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } },
        service('orphan', { app: 'gone' }),
        slice('orphan', []),
        pod('loop', running(crashloopState(4), false)),
      ],
      env: {
        ECO_HEALTHCHECK_TARGETS: `${base}/ok,${base}/broken,${base}/slow`,
        ECO_HEALTHCHECK_ATTEMPTS: '2',
        ECO_HEALTHCHECK_SLOW: '100ms',
      },
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.kind} ${f.object.name}`).sort()).toEqual(
      [
        `health.probe-failed HealthcheckTarget ${base}/broken`,
        `health.probe-slow HealthcheckTarget ${base}/slow`,
        'health.crashloop Pod loop',
        'health.service-no-endpoints Service orphan',
      ].sort(),
    );
    const failed = report.findings.find((f) => f.check === 'health.probe-failed');
    expect(failed?.evidence).toMatchObject({ status: 500, attempts: 2, protocol: 'http' });
    expect(harness.emulator.requests.filter((r) => r.status === 403)).toEqual([]);

    // Narrowed to the probes: the only cluster read is the targets ConfigMap (absent here).
    const before = harness.emulator.requests.length;
    const probesOnly = await harness.run({ checks: ['health.probe-failed'] });
    expect(probesOnly.findings.map((f) => f.check)).toEqual(['health.probe-failed']);
    expect(harness.emulator.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /api/v1/namespaces/eco-bots/configmaps/eco-healthcheck-targets 404',
    ]);
  });

  it('also probes the targets listed in the eco-healthcheck-targets ConfigMap (RBAC: that one name); a bad entry is a report error', async () => {
    const tcpPort = await listen(createTcpServer((sock) => sock.end()));
    harness = await startBotHarness(bot, {
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'eco-bots' } },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'eco-healthcheck-targets', namespace: 'eco-bots' },
          data: { targets: `# databases\ntcp://127.0.0.1:${tcpPort}\nftp://old.example\n` },
        },
      ],
    });
    const report = await harness.run({ checks: ['health.probe-failed', 'health.probe-slow'] });
    expect(report.data?.['probes']).toEqual([
      expect.objectContaining({ target: `tcp://127.0.0.1:${tcpPort}`, ok: true }),
    ]);
    expect(report.errors.map((e) => e.code)).toEqual(['healthcheck-bad-target']);
    expect(harness.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('rejects a bad option naming the field and the allowed check ids', async () => {
    harness = await startBotHarness(bot, { objects: [] });
    await expect(harness.run({ checks: ['health.nope'] })).rejects.toThrow(/checks/);
    await expect(harness.run({ namespaces: 'x' })).rejects.toThrow(/namespaces/);
  });
});

const crashloopState = (restarts: number): Record<string, unknown> => ({
  ready: false,
  restartCount: restarts,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(3) } },
});
