// The cluster-reading bots against the K8s API emulator (in this process, over loopback):
// - eco-monitoring-bot cold start: spawn -> first completed invocation that read the cluster, as a
//   ratio to a bare node:http server that makes one HTTP GET to the same API server before answering;
// - eco-cleanup-bot dry-run scan of 1,000 and 10,000 pods (+ a tenth as many Jobs): wall time of one
//   invocation (fresh process each) and its ratio, and the bot process's peak RSS (VmHWM) at 10,000;
// - bundle bytes of both.
// Runs inside `npm run bench`, or alone: `npx tsx scripts/bench/k8s-bots.ts [--quick]`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bot } from '../../shared/bot/types.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startEmulator, type Emulator } from '../../local/k8s-emulator/index.ts';
import { buildAll } from '../build.ts';
import { stageBot } from './lib/stage.ts';
import { writeBareServer } from './lib/bare-server.ts';
import { coldStartMs, median, peakRssBytes, spawnNode, type Probe } from './lib/process.ts';
import { benchRow as row, type BenchContext, type BenchResult, type BenchRow } from './lib/types.ts';

const MONITORING = 'eco-monitoring-bot';
const CLEANUP = 'eco-cleanup-bot';
const NOW = Date.now();
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const DAY = 86_400_000;

/** One GET to the API server per request, then 200: the floor for a bot that reads the cluster once. */
export const BARE_GET_SERVER = `import http from 'node:http';
const target = new URL(process.env.EMU_URL + '/api/v1/nodes');
const agent = new http.Agent({ keepAlive: true });
http.createServer((req, res) => {
  req.resume();
  http.get(target, { agent, headers: { authorization: 'Bearer ' + process.env.EMU_TOKEN, accept: 'application/json' } }, (r) => {
    const chunks = [];
    r.on('data', (c) => chunks.push(c));
    r.on('end', () => {
      const nodes = JSON.parse(Buffer.concat(chunks).toString('utf8')).items.length;
      const text = JSON.stringify({ ok: true, nodes });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  }).on('error', () => { res.writeHead(502); res.end(); });
}).listen(Number(process.env.PORT || 8080), '127.0.0.1');
`;

/** Spawn -> first 200 on GET `path` (no cluster read): the runtime's own share of a cold start. */
const getProbe = (path: string): Probe => ({ method: 'GET', path, headers: {}, body: '' });

// ---- seeded clusters -------------------------------------------------------------------------------

function nodes(count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}` } },
    status: {
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
    },
  }));
}

/**
 * `pods` pods over `pods / 100` namespaces, 10 % of them evicted two days ago (cleanup candidates),
 * the rest running; `pods / 10` Jobs, half finished ten days ago (candidates), half recent.
 */
export function scaledCluster(pods: number): KubeObject[] {
  const namespaces = Math.max(1, Math.round(pods / 100));
  const out: KubeObject[] = [...nodes(Math.max(3, Math.round(pods / 100)))];
  for (let n = 0; n < namespaces; n++)
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${n}` } });
  for (let i = 0; i < pods; i++) {
    const evicted = i % 10 === 0;
    out.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `app-${i}`,
        namespace: `team-${i % namespaces}`,
        creationTimestamp: iso(30 * DAY),
        labels: { app: `app-${i % 50}`, tier: 'backend' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `app-${i % 50}-5d8f`,
            uid: `rs-${i % 50}`,
            controller: true,
          },
        ],
      },
      spec: {
        nodeName: `node-${i % 3}`,
        containers: [
          {
            name: 'app',
            image: 'registry.example.com/team/app:1.4.2',
            resources: {
              requests: { cpu: '100m', memory: '128Mi' },
              limits: { cpu: '500m', memory: '256Mi' },
            },
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'MODE', value: 'production' }],
          },
        ],
      },
      status: evicted
        ? {
            phase: 'Failed',
            reason: 'Evicted',
            message: 'The node was low on resource: memory.',
            startTime: iso(3 * DAY),
            conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: iso(2 * DAY) }],
          }
        : {
            phase: 'Running',
            startTime: iso(30 * DAY),
            podIP: `10.0.${(i >> 8) & 255}.${i & 255}`,
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(30 * DAY) }],
          },
    });
  }
  for (let j = 0; j < pods / 10; j++) {
    const old = j % 2 === 0;
    const finished = iso(old ? 10 * DAY : DAY);
    out.push({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: `batch-${j}`,
        namespace: `team-${j % namespaces}`,
        creationTimestamp: iso(old ? 11 * DAY : 2 * DAY),
      },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'batch', image: 'registry.example.com/team/batch:2.0' }],
          },
        },
      },
      status: {
        succeeded: 1,
        completionTime: finished,
        conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: finished }],
      },
    });
  }
  return out;
}

// ---- helpers ------------------------------------------------------------------------------------

export function httpOnce(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolvePromise) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: false,
        headers:
          body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, bytes }));
      },
    );
    req.on('error', () => resolvePromise({ status: 0, bytes: 0 }));
    req.end(body);
  });
}

export async function waitHealthy(port: number): Promise<void> {
  const started = Date.now();
  while ((await httpOnce(port, 'GET', '/_/health')).status !== 200) {
    if (Date.now() - started > 30_000) throw new Error('bot did not become healthy within 30 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function loadBot(root: string, name: string): Promise<Bot> {
  return ((await import(pathToFileURL(join(root, 'functions', name, 'handler.ts')).href)) as { default: Bot })
    .default;
}

/** An emulator whose token for `bot` carries exactly the bot's RBAC, and a kubeconfig using it. */
export async function emulatorFor(
  bot: Bot,
  objects: KubeObject[],
  dir: string,
): Promise<{ emulator: Emulator; kubeconfig: string; token: string }> {
  const token = `bench-${bot.name}`;
  const emulator = await startEmulator({
    objects,
    tokens: { [token]: { user: `system:serviceaccount:eco-bots:${bot.name}`, rules: bot.rbac } },
  });
  const kubeconfig = join(dir, `${bot.name}-${emulator.port}.kubeconfig`);
  await emulator.writeKubeconfig(kubeconfig, token);
  return { emulator, kubeconfig, token };
}

// ---- the measurements ---------------------------------------------------------------------------

async function monitoringColdStart(
  ctx: BenchContext,
  dir: string,
  bundle: string,
  runEnv: Record<string, string>,
): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const bot = await loadBot(ctx.root, MONITORING);
  const objects = scaledCluster(80).filter((o) => o.kind !== 'Job');
  const { emulator, kubeconfig, token } = await emulatorFor(bot, objects, dir);
  try {
    for (const node of objects.filter((o) => o.kind === 'Node'))
      emulator.setNodeMetrics(node.metadata.name, { cpu: '2100m', memory: '12Gi' });
    for (const pod of objects.filter(
      (o) => o.kind === 'Pod' && (o.status as { phase?: string }).phase === 'Running',
    )) {
      emulator.setPodMetrics(pod.metadata.namespace ?? 'default', pod.metadata.name, [
        { name: 'app', cpu: '120m', memory: '150Mi' },
      ]);
    }
    const bare = join(dir, 'bare-get-server.mjs');
    await writeFile(bare, BARE_GET_SERVER);
    const botEnv = { ...runEnv, KUBECONFIG: kubeconfig, HOME: dir, ECO_MODE: 'dry-run', LOG_LEVEL: 'warn' };
    const bareEnv = { EMU_URL: emulator.url, EMU_TOKEN: token };
    const probe: Probe = { path: '/', headers: { 'content-type': 'application/json' }, body: '{}' };
    const spawns = ctx.quick ? 5 : 11;
    await coldStartMs(bare, bareEnv, probe, dir); // page cache warm-up for both
    await coldStartMs(bundle, botEnv, probe, dir);
    const bareMs: number[] = [];
    const botMs: number[] = [];
    const readsBefore = emulator.requests.length;
    for (let i = 0; i < spawns; i++) {
      bareMs.push(await coldStartMs(bare, bareEnv, probe, dir));
      botMs.push(await coldStartMs(bundle, botEnv, probe, dir));
    }
    // The runtime's own share: spawn -> /_/health, against a bare server that answers at once.
    const plain = await writeBareServer(dir);
    const plainMs: number[] = [];
    const healthMs: number[] = [];
    for (let i = 0; i < spawns; i++) {
      plainMs.push(await coldStartMs(plain, {}, getProbe('/'), dir));
      healthMs.push(await coldStartMs(bundle, botEnv, getProbe('/_/health'), dir));
    }
    const botReads = emulator.requests.slice(readsBefore).filter((r) => r.user.endsWith(`:${MONITORING}`));
    if (botReads.some((r) => r.status !== 200))
      throw new Error(`${MONITORING} got non-200 answers from the emulator`);
    return {
      rows: [
        row(
          `${MONITORING} cold start (median, spawn -> first report read from the cluster)`,
          Math.round(median(botMs) * 10) / 10,
          'ms',
          Math.round(median(bareMs) * 10) / 10,
          '<= 1.5',
          `${spawns} spawns each; the bot lists node metrics, nodes, pods and pod metrics (80 pods), the floor GETs /api/v1/nodes once`,
        ),
        row(
          `${MONITORING} spawn -> /_/health (runtime only, no cluster read)`,
          Math.round(median(healthMs) * 10) / 10,
          'ms',
          Math.round(median(plainMs) * 10) / 10,
          undefined,
          'the kit runtime’s share of the cold start, against a bare server answering at once',
        ),
        row(
          `${MONITORING} first invocation on top of start-up (cold start minus spawn -> health)`,
          Math.round((median(botMs) - median(healthMs)) * 10) / 10,
          'ms',
          undefined,
          undefined,
          'config, kubeconfig, 4 concurrent lists, report; the floor’s one GET costs about the bare-GET minus bare start-up',
        ),
      ],
      details: {
        coldStartMs: { bot: botMs, bareGet: bareMs },
        readyMs: { bot: healthMs, bare: plainMs },
        botRequestsPerRun: botReads.length / spawns,
      },
    };
  } finally {
    await emulator.close();
  }
}

async function cleanupScan(
  ctx: BenchContext,
  dir: string,
  bundle: string,
  runEnv: Record<string, string>,
  pods: number,
  repeats: number,
): Promise<{ ms: number[]; peakRss: number[]; reportBytes: number; summary: string }> {
  const bot = await loadBot(ctx.root, CLEANUP);
  const { emulator, kubeconfig } = await emulatorFor(bot, scaledCluster(pods), dir);
  try {
    const ms: number[] = [];
    const peakRss: number[] = [];
    let reportBytes = 0;
    const env = { ...runEnv, KUBECONFIG: kubeconfig, HOME: dir, ECO_MODE: 'dry-run', LOG_LEVEL: 'warn' };
    for (let i = 0; i < repeats; i++) {
      const server = await spawnNode(bundle, env, dir);
      try {
        await waitHealthy(server.port);
        const started = process.hrtime.bigint();
        const answer = await httpOnce(server.port, 'POST', '/', '{}');
        ms.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (answer.status !== 200) throw new Error(`${CLEANUP} answered ${answer.status}`);
        reportBytes = answer.bytes;
        peakRss.push(peakRssBytes(server.child.pid) ?? 0);
      } finally {
        await server.stop();
      }
    }
    const deletes = emulator.requests.filter((r) => r.method === 'DELETE');
    if (deletes.length === 0) throw new Error(`${CLEANUP} planned nothing over ${pods} pods`);
    if (emulator.store.count('pods') !== pods) throw new Error(`${CLEANUP} dry-run changed the cluster`);
    return { ms, peakRss, reportBytes, summary: `${deletes.length / repeats} dry-run deletes per run` };
  } finally {
    await emulator.close();
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  ctx.log(`building ${MONITORING} and ${CLEANUP}`);
  await buildAll({ only: [MONITORING, CLEANUP] });
  const dir = await mkdtemp(join(tmpdir(), 'eco-bench-k8s-'));
  try {
    // Run the bundles from an empty directory: they need nothing beside them.
    // As the images run them: start.cjs with a code cache, the tier's NODE_OPTIONS.
    const monitoring = await stageBot(ctx.root, MONITORING, dir);
    const cleanup = await stageBot(ctx.root, CLEANUP, dir);

    ctx.log('monitoring bot cold start vs bare GET server');
    const cold = await monitoringColdStart(ctx, dir, monitoring.starter, monitoring.env);

    const repeats = ctx.quick ? 1 : 3;
    ctx.log(`cleanup bot dry-run over 1,000 pods (${repeats}x)`);
    const small = await cleanupScan(ctx, dir, cleanup.starter, cleanup.env, 1_000, repeats);
    ctx.log(`cleanup bot dry-run over 10,000 pods (${repeats}x)`);
    const large = await cleanupScan(ctx, dir, cleanup.starter, cleanup.env, 10_000, repeats);
    const smallMs = Math.round(median(small.ms));
    const largeMs = Math.round(median(large.ms));
    const largeRss = Math.max(...large.peakRss);

    return {
      name: 'k8s-bots',
      subject:
        'eco-monitoring-bot and eco-cleanup-bot bundles against the K8s API emulator on loopback, RBAC enforced',
      rows: [
        row(`${MONITORING} bundle size`, monitoring.bytes, 'bytes'),
        row(`${CLEANUP} bundle size`, cleanup.bytes, 'bytes'),
        ...cold.rows,
        row(
          `${CLEANUP} dry-run, 1,000 pods + 100 Jobs (median, one invocation)`,
          smallMs,
          'ms',
          undefined,
          undefined,
          small.summary,
        ),
        row(
          `${CLEANUP} dry-run, 10,000 pods + 1,000 Jobs (median, one invocation)`,
          largeMs,
          'ms',
          smallMs,
          '<= 12',
          `ratio to the 1,000-pod run; ${large.summary}; report ${large.reportBytes} bytes`,
        ),
        row(
          `${CLEANUP} peak RSS at 10,000 pods (bot process VmHWM)`,
          largeRss,
          'bytes',
          128 * 1024 * 1024,
          '<= 1',
          'baseline = the small tier request, 128 MiB',
        ),
        row(`${CLEANUP} peak RSS at 1,000 pods`, Math.max(...small.peakRss), 'bytes'),
      ],
      details: { monitoring: cold.details, cleanup: { small, large } },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Standalone: npx tsx scripts/bench/k8s-bots.ts [--quick]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const result = await run({
    root,
    quick: process.argv.includes('--quick'),
    log: (m) => console.error(`[bench] ${m}`),
  });
  for (const r of result.rows) {
    const verdict = r.target === undefined ? '' : ` (target ${r.target}: ${r.pass ? 'ok' : 'MISSED'})`;
    const ratio = r.ratio === undefined ? '' : ` ratio ${r.ratio}${verdict}`;
    console.log(
      `${r.metric}: ${r.value} ${r.unit}${r.baseline !== undefined ? ` vs ${r.baseline}` : ''}${ratio}${r.note ? ` — ${r.note}` : ''}`,
    );
  }
}
