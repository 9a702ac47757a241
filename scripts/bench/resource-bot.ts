// eco-resource-bot over 1,000 workloads with 14 days of history: wall time of one invocation of the
// bundle (fresh process) against the invocation timeout, and the bot process's peak RSS (VmHWM)
// against its tier's request (medium: 256 MiB). The K8s API is the emulator (RBAC enforced); the
// Prometheus is a stand-in that answers KRR's four per-namespace queries at once with one sample per
// pod and container, as Prometheus does after aggregating the 14 days server-side: the measured cost
// is the bot's (10 namespaces × 4 queries, joining 1,000 workloads), not Prometheus' query time.
// Runs inside `npm run bench`, or alone: `npx tsx scripts/bench/resource-bot.ts [--quick]`.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { buildAll } from '../build.ts';
import { stageBot } from './lib/stage.ts';
import { emulatorFor, loadBot, waitHealthy } from './k8s-bots.ts';
import { median, peakRssBytes, spawnNode } from './lib/process.ts';
import { benchRow as row, type BenchContext, type BenchResult } from './lib/types.ts';

const BOT = 'eco-resource-bot';
const WORKLOADS = 1_000;
const NAMESPACES = 10;
const created = new Date(Date.now() - 60 * 86_400_000).toISOString();

export function workloadCluster(): KubeObject[] {
  const out: KubeObject[] = [];
  for (let n = 0; n < 10; n++) {
    out.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${n}`, creationTimestamp: created },
      status: {
        capacity: { cpu: '16', memory: '64Gi', pods: '110' },
        allocatable: { cpu: '16', memory: '64Gi', pods: '110' },
      },
    });
  }
  for (let n = 0; n < NAMESPACES; n++)
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${n}` } });
  for (let i = 0; i < WORKLOADS; i++) {
    const namespace = `team-${i % NAMESPACES}`;
    const name = `app-${i}`;
    const rs = `${name}-7d9f6b8c4d`;
    const containers = [
      {
        name: 'app',
        image: 'registry.example.com/team/app:1.4.2',
        resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      },
    ];
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, uid: `d-${i}`, creationTimestamp: created },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers } },
      },
    });
    out.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rs,
        namespace,
        uid: `rs-${i}`,
        creationTimestamp: created,
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${i}`, controller: true },
        ],
      },
      spec: { replicas: 1 },
    });
    out.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${rs}-abcde`,
        namespace,
        uid: `p-${i}`,
        creationTimestamp: created,
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${i}`, controller: true },
        ],
      },
      spec: { nodeName: `node-${i % 10}`, containers },
      status: { phase: 'Running' },
    });
  }
  return out;
}

/** Answers KRR's four queries for a namespace: one sample per pod of that namespace. */
async function standInPrometheus(): Promise<{ url: string; close(): Promise<void>; queries: () => number }> {
  let queries = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      queries += 1;
      const query = new URLSearchParams(body).get('query') ?? '';
      const namespace = /namespace="(team-\d+)"/.exec(query)?.[1] ?? '';
      const n = Number(namespace.slice('team-'.length));
      const value = query.startsWith('quantile_over_time')
        ? '0.0525'
        : query.startsWith('count_over_time')
          ? '16128'
          : String(230 * 2 ** 20);
      const result = [];
      for (let i = n; i < WORKLOADS; i += NAMESPACES) {
        result.push({
          metric: { namespace, pod: `app-${i}-7d9f6b8c4d-abcde`, container: 'app' },
          value: [Date.now() / 1000, value],
        });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries: () => queries,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  ctx.log(`building ${BOT}`);
  await buildAll({ only: [BOT] });
  const dir = await mkdtemp(join(tmpdir(), 'eco-bench-resource-'));
  const prometheus = await standInPrometheus();
  const bot = await loadBot(ctx.root, BOT);
  const { emulator, kubeconfig } = await emulatorFor(bot, workloadCluster(), dir);
  try {
    const staged = await stageBot(ctx.root, BOT, dir);
    const bundle = staged.starter;
    const repeats = ctx.quick ? 1 : 3;
    const ms: number[] = [];
    const rss: number[] = [];
    let findings = 0;
    for (let i = 0; i < repeats; i++) {
      const env = {
        ...staged.env,
        KUBECONFIG: kubeconfig,
        HOME: dir,
        PROMETHEUS_URL: prometheus.url,
        LOG_LEVEL: 'warn',
      };
      const server = await spawnNode(bundle, env, dir);
      try {
        await waitHealthy(server.port);
        const started = process.hrtime.bigint();
        const res = await fetch(`http://127.0.0.1:${server.port}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        const report = (await res.json()) as { findings?: unknown[] };
        ms.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (res.status !== 200) throw new Error(`${BOT} answered ${res.status}`);
        findings = report.findings?.length ?? 0;
        rss.push(peakRssBytes(server.child.pid) ?? 0);
      } finally {
        await server.stop();
      }
    }
    if (findings < WORKLOADS)
      throw new Error(`${BOT} reported ${findings} findings for ${WORKLOADS} workloads`);
    const wall = Math.round(median(ms));
    return {
      name: 'resource-bot',
      subject: `${BOT} bundle over ${WORKLOADS} Deployments in ${NAMESPACES} namespaces (emulator, RBAC enforced) with a stand-in Prometheus answering KRR's per-namespace queries`,
      rows: [
        row(`${BOT} bundle size`, staged.bytes, 'bytes'),
        row(
          `${BOT}, ${WORKLOADS} workloads × 14 days (median, one invocation)`,
          wall,
          'ms',
          60_000,
          '<= 1',
          `baseline = ECO_TIMEOUT_SECONDS 60 s; ${prometheus.queries() / repeats} Prometheus queries per run; ${findings} findings`,
        ),
        row(
          `${BOT} peak RSS (bot process VmHWM)`,
          Math.max(...rss),
          'bytes',
          256 * 1024 * 1024,
          '<= 1',
          'baseline = the medium tier request, 256 MiB',
        ),
      ],
      details: { ms, rss },
    };
  } finally {
    await emulator.close();
    await prometheus.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const result = await run({
    root,
    quick: process.argv.includes('--quick'),
    log: (m) => console.error(`[bench] ${m}`),
  });
  for (const r of result.rows)
    console.log(
      `${r.metric}: ${r.value} ${r.unit}${r.ratio === undefined ? '' : ` ratio ${r.ratio} (target ${r.target}: ${r.pass ? 'ok' : 'MISSED'})`}`,
    );
}
