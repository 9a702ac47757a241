// Cold start of every bot, as its image runs it: `node start.cjs` with the V8 code cache written
// beside the bundle (shared/runtime/start.ts), spawn -> the first answer to a real invocation.
// - a bot that reads no cluster (empty RBAC): against a bare node:http server; target <= 1.3x;
// - a bot that reads the cluster: on the demo cluster in the K8s API emulator, with a token holding
//   exactly its RBAC; target <= 1.5x a bare server plus one API round trip (measured as a bare
//   server that makes one GET to the same emulator before answering, minus the bare server).
// The invocation is what the bot's cron tick sends (`{}`); the alert bot gets an Alertmanager POST.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bots } from '../../functions/index.generated.ts';
import type { Bot } from '../../shared/bot/types.ts';
import { serviceAccountUser } from '../../shared/k8s/rbac.ts';
import { startEmulator } from '../../local/k8s-emulator/index.ts';
import { buildAll } from '../build.ts';
import { stageBot } from './lib/stage.ts';
import { PAYLOAD } from './alert-bot.ts';
import { writeBareServer } from './lib/bare-server.ts';
import { firstAnswer, median, type Probe } from './lib/process.ts';
import { benchRow, type BenchContext, type BenchResult, type BenchRow } from './lib/types.ts';
import { BARE_GET_SERVER } from './k8s-bots.ts';

const NOW = '2026-06-01T12:00:00Z';

const readsCluster = (bot: Bot): boolean => bot.rbac.length > 0;

const HEALTH: Probe = { method: 'GET', path: '/_/health', headers: {}, body: '' };

function probeFor(bot: Bot): Probe {
  const headers = { 'content-type': 'application/json' };
  return bot.name === 'eco-alert-bot'
    ? { path: '/', headers: { ...headers, 'user-agent': 'Alertmanager/0.28.1' }, body: PAYLOAD }
    : { path: '/', headers, body: '{}' };
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  // BENCH_BOTS=a,b measures only those bots.
  const only = process.env['BENCH_BOTS']?.split(',').filter(Boolean);
  const fleet = [...bots]
    .filter((b) => only === undefined || only.includes(b.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  const missing = fleet.filter((b) => !existsSync(join(ctx.root, 'dist', 'functions', b.name, 'start.cjs')));
  if (missing.length > 0) {
    ctx.log(`building ${missing.length} bundle(s)`);
    await buildAll({ only: missing.map((b) => b.name) });
  }
  const dir = await mkdtemp(join(tmpdir(), 'eco-bench-cold-'));
  const tokens = {
    ...Object.fromEntries(
      fleet.map((bot) => [`token-${bot.name}`, { user: serviceAccountUser(bot.name), rules: bot.rbac }]),
    ),
    'token-bare': {
      user: 'bench-bare-get',
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list' as const] }],
    },
  };
  const emulator = await startEmulator({ demo: true, now: () => new Date(NOW), tokens });
  try {
    const bare = await writeBareServer(dir);
    const bareGet = join(dir, 'bare-get-server.mjs');
    await writeFile(bareGet, BARE_GET_SERVER);
    const bareGetEnv = { EMU_URL: emulator.url, EMU_TOKEN: 'token-bare' };
    const spawns = ctx.quick ? 3 : 7;
    const rows: BenchRow[] = [];
    const details: Record<string, unknown> = {};
    const cacheBytes: number[] = [];
    const startupRatios: number[] = [];
    for (const bot of fleet) {
      // Alone in a folder, with its loader and a cache written by this Node, as in the image.
      const staged = await stageBot(ctx.root, bot.name, dir);
      const botDir = staged.dir;
      cacheBytes.push(staged.cacheBytes);
      const kubeconfig = join(botDir, 'kubeconfig');
      await emulator.writeKubeconfig(kubeconfig, `token-${bot.name}`);
      const env = {
        ECO_MODE: 'dry-run',
        LOG_LEVEL: 'warn',
        ...staged.env,
        HOME: botDir,
        ...(readsCluster(bot) ? { KUBECONFIG: kubeconfig } : {}),
      };
      const probe = probeFor(bot);
      const starter = staged.starter;
      await firstAnswer(starter, env, probe, botDir); // page cache
      const bareMs: number[] = [];
      const getMs: number[] = [];
      const botMs: number[] = [];
      const readyMs: number[] = [];
      let status = 0;
      const user = serviceAccountUser(bot.name);
      const before = emulator.requests.filter((r) => r.user === user).length;
      for (let i = 0; i < spawns; i += 1) {
        bareMs.push((await firstAnswer(bare, {}, probe, dir)).ms);
        if (readsCluster(bot)) getMs.push((await firstAnswer(bareGet, bareGetEnv, probe, dir)).ms);
        const answer = await firstAnswer(starter, env, probe, botDir);
        botMs.push(answer.ms);
        status = answer.status;
        // The runtime's own share: spawn -> /_/health answered, no invocation.
        readyMs.push((await firstAnswer(starter, env, HEALTH, botDir)).ms);
      }
      const reads = (emulator.requests.filter((r) => r.user === user).length - before) / spawns;
      const floor = median(bareMs);
      const ready = median(readyMs);
      startupRatios.push(ready / floor);
      const roundTrip = readsCluster(bot) ? Math.max(0, median(getMs) - floor) : 0;
      const value = Math.round(median(botMs) * 10) / 10;
      // Budget: 1.3x bare; 1.5x bare plus one API round trip for a bot that reads the cluster.
      const budget = readsCluster(bot) ? 1.5 * floor + roundTrip : 1.3 * floor;
      const row = benchRow(
        `${bot.name} cold start`,
        value,
        'ms',
        Math.round(floor * 10) / 10,
        readsCluster(bot) ? '<= 1.5 + 1 GET' : '<= 1.3',
        `${spawns} spawns; answered ${status}; start-up alone (spawn -> /_/health) ${ready.toFixed(1)} ms = ${(ready / floor).toFixed(2)}x${readsCluster(bot) ? `; first run made ${reads} API requests; one GET ${roundTrip.toFixed(1)} ms, budget ${budget.toFixed(1)} ms` : ''}`,
      );
      row.pass = value <= budget && status === 200;
      rows.push(row);
      details[bot.name] = { botMs, bareMs, bareGetMs: getMs, readyMs, status, reads };
      ctx.log(`${bot.name}: ${value} ms vs ${floor.toFixed(1)} ms (${row.pass ? 'ok' : 'over'})`);
    }
    const met = rows.filter((r) => r.pass === true).length;
    const measured = rows.length;
    rows.push(
      benchRow(
        'bots whose start-up alone (spawn -> /_/health) is within 1.3x bare',
        startupRatios.filter((r) => r <= 1.3).length,
        'bots',
        undefined,
        undefined,
        `of ${startupRatios.length}; median ${median(startupRatios).toFixed(2)}x, worst ${Math.max(...startupRatios).toFixed(2)}x`,
      ),
    );
    rows.push(
      benchRow(
        'bots within their cold-start budget',
        met,
        'bots',
        undefined,
        undefined,
        `of ${measured}; code caches ${Math.round(Math.min(...cacheBytes) / 1024)}-${Math.round(Math.max(...cacheBytes) / 1024)} KiB`,
      ),
    );
    return {
      name: 'cold-start',
      subject:
        'every bot as its image starts it (start.cjs + V8 code cache), spawn -> first answer to its cron invocation (the alert bot: an Alertmanager POST), vs a bare node:http server',
      rows,
      details,
    };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
