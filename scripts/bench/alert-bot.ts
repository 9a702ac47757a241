// The alert bot's bundle against a bare node:http server answering the same Alertmanager POST:
// bundle bytes, cold start (spawn -> first 200, median), loopback throughput, peak RSS.
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll } from '../build.ts';
import { writeBareServer } from './lib/bare-server.ts';
import { buildKitFloor } from './lib/kit-floor.ts';
import { throughput } from './lib/load.ts';
import { coldStartMs, median, peakRssBytes, probeOnce, spawnNode, type Probe } from './lib/process.ts';
import { benchRow as row, type BenchContext, type BenchResult } from './lib/types.ts';

const BOT = process.env['BENCH_BOT'] ?? 'eco-alert-bot';

const alert = (i: number) => ({
  status: 'firing',
  labels: {
    alertname: 'KubePodCrashLooping',
    namespace: 'apps',
    pod: `api-${i}`,
    container: 'api',
    severity: 'warning',
  },
  annotations: { summary: `api-${i} is crash looping` },
  startsAt: '2026-08-01T10:00:00.000Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
  fingerprint: `5f1c0d2b9a7e4c3${i}`,
});

/** A version-4 webhook body as Alertmanager sends it, three alerts in the group. */
export const PAYLOAD = JSON.stringify({
  receiver: 'ops-bots',
  status: 'firing',
  alerts: [alert(1), alert(2), alert(3)],
  groupLabels: { alertname: 'KubePodCrashLooping' },
  commonLabels: { alertname: 'KubePodCrashLooping', namespace: 'apps', severity: 'warning' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  version: '4',
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
});

const HEADERS = { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.28.1' };

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const bundle = join(ctx.root, 'dist', 'functions', BOT, 'index.cjs');
  if (!existsSync(bundle)) {
    ctx.log(`building ${BOT}`);
    await buildAll({ only: [BOT] });
  }
  // Run from an empty directory: proves the bundle needs nothing beside it.
  const dir = await mkdtemp(join(tmpdir(), 'eco-bench-'));
  try {
    const botFile = join(dir, 'index.cjs');
    await copyFile(bundle, botFile);
    const bareFile = await writeBareServer(dir);
    const noopFile = await buildKitFloor(ctx.root, dir);
    const probe: Probe = { path: '/', headers: HEADERS, body: PAYLOAD };
    const env = { ECO_MODE: 'dry-run' };

    const spawns = ctx.quick ? 5 : 11;
    ctx.log(`cold start: ${spawns} spawns each, alternating`);
    await coldStartMs(bareFile, env, probe, dir); // warm the page cache for both
    await coldStartMs(botFile, env, probe, dir);
    const bare: number[] = [];
    const bot: number[] = [];
    const noop: number[] = [];
    for (let i = 0; i < spawns; i += 1) {
      bare.push(await coldStartMs(bareFile, env, probe, dir));
      bot.push(await coldStartMs(botFile, env, probe, dir));
      noop.push(await coldStartMs(noopFile, env, probe, dir));
    }

    const seconds = ctx.quick ? 2 : 5;
    const measure = async (file: string) => {
      const server = await spawnNode(file, env, dir);
      try {
        for (let i = 0; i < 200 && (await probeOnce(server.port, probe)) !== 200; i += 1)
          await new Promise((r) => setTimeout(r, 10));
        const firstRss = peakRssBytes(server.child.pid, 'VmRSS') ?? 0;
        await throughput(`http://127.0.0.1:${server.port}/`, HEADERS, PAYLOAD, 1); // warm-up (JIT)
        const t = await throughput(`http://127.0.0.1:${server.port}/`, HEADERS, PAYLOAD, seconds);
        return { ...t, firstRss, peakRss: peakRssBytes(server.child.pid) ?? 0 };
      } finally {
        await server.stop();
      }
    };
    // Rounds alternate the servers and each keeps its best round: on a shared machine a neighbour's
    // burst then costs a round, not the ratio.
    const rounds = ctx.quick ? 1 : 2;
    ctx.log(
      `throughput: autocannon ${seconds} s, 10 connections, ${rounds} round(s) of bare, bot, no-op bot`,
    );
    type Load = Awaited<ReturnType<typeof measure>>;
    const best = (a: Load | undefined, b: Load): Load => (a === undefined || b.rps > a.rps ? b : a);
    let bareBest: Load | undefined;
    let botBest: Load | undefined;
    let noopBest: Load | undefined;
    for (let round = 0; round < rounds; round += 1) {
      bareBest = best(bareBest, await measure(bareFile));
      botBest = best(botBest, await measure(botFile));
      noopBest = best(noopBest, await measure(noopFile));
    }
    if (bareBest === undefined || botBest === undefined || noopBest === undefined)
      throw new Error('no round ran');
    const [bareLoad, botLoad, noopLoad] = [bareBest, botBest, noopBest];
    if (botLoad.non2xx > 0 || botLoad.errors > 0)
      ctx.log(`warning: ${botLoad.non2xx} non-2xx, ${botLoad.errors} errors from ${BOT}`);

    const bytes = (await stat(bundle)).size;
    const mapBytes = existsSync(`${bundle}.map`) ? (await stat(`${bundle}.map`)).size : 0;
    return {
      name: BOT,
      subject: `${BOT} bundle vs a bare node:http server answering the same Alertmanager POST (3 alerts)`,
      rows: [
        row(
          'bundle size',
          bytes,
          'bytes',
          undefined,
          undefined,
          `source map ${mapBytes} bytes beside it; seed image budget 50 MB`,
        ),
        row(
          'cold start (median, spawn -> first 200)',
          Math.round(median(bot) * 10) / 10,
          'ms',
          Math.round(median(bare) * 10) / 10,
          '<= 1.3',
          `${spawns} spawns each`,
        ),
        row(
          'throughput (loopback, 10 connections)',
          Math.round(botLoad.rps),
          'req/s',
          Math.round(bareLoad.rps),
          '>= 0.7',
          `${seconds} s, best of ${rounds}; p99 ${botLoad.p99Ms} ms vs ${bareLoad.p99Ms} ms`,
        ),
        row('RSS after the first request', botLoad.firstRss, 'bytes', bareLoad.firstRss),
        row(
          'peak RSS under load',
          botLoad.peakRss,
          'bytes',
          bareLoad.peakRss,
          undefined,
          'V8 young generation at its default size',
        ),
        row(
          'kit alone: cold start (a bot that does nothing)',
          Math.round(median(noop) * 10) / 10,
          'ms',
          Math.round(median(bare) * 10) / 10,
          undefined,
          'the runtime share of the cold start',
        ),
        row(
          'kit alone: throughput (a bot that does nothing)',
          Math.round(noopLoad.rps),
          'req/s',
          Math.round(bareLoad.rps),
          undefined,
          'the runtime share of the throughput',
        ),
      ],
      details: {
        coldStartMs: { bot, bare, noop },
        throughput: { bot: botLoad, bare: bareLoad, noop: noopLoad },
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
