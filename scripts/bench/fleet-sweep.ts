// One sweep of every scheduled bot (those with a cron `schedule`) over a 10,000-pod cluster in the
// K8s API emulator, counting what the sweep reads from the API server (requests and response body
// bytes), against one full dump of that cluster (every kind the sweep reads, listed once):
// - shared: the compact profile: one process per category under one ServiceAccount holding the union
//   of its bots' rules, its bots sharing one read scope (what one cron tick that runs them all gets);
// - unshared: today's one process per bot, each with its own token (its own RBAC) and its own reads.
// Both sweeps run in this process with a fresh cluster client per process; every bot's report of the
// shared sweep is compared with its report of the unshared one (they must not differ).
// Runs inside `npm run bench`, or alone: `npx tsx scripts/bench.ts fleet-sweep` (BENCH_QUICK=1: 2,000 pods).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bots as registry } from '../../functions/index.generated.ts';
import type { Bot, RbacRule, Report } from '../../shared/bot/types.ts';
import { createK8s, type K8sClient } from '../../shared/k8s/client.ts';
import { serviceAccountUser } from '../../shared/k8s/rbac.ts';
import type { ResourceType } from '../../shared/k8s/types.ts';
import { silentLogger } from '../../shared/log/index.ts';
import { CronDispatcher, runBot } from '../../shared/runtime/index.ts';
import { createReadScope, type ReadScope } from '../../shared/runtime/read-scope.ts';
import { startEmulator, type Emulator, type RecordedRequest } from '../../local/k8s-emulator/index.ts';
import { scaledCluster } from './k8s-bots.ts';
import { benchRow as row, type BenchContext, type BenchResult } from './lib/types.ts';

const TARGET = '<= 10';
const RUN_TIMEOUT_MS = 120_000;

interface BotRead {
  bot: string;
  category: string;
  requests: number;
  bytes: number;
  /** Lists the read scope sent to the API server / handed over from another bot's read. */
  listed?: number;
  shared?: number;
  error?: string;
}

interface SweepResult {
  requests: number;
  bytes: number;
  perBot: BotRead[];
  reports: Map<string, Report | string>;
}

function clientOf(emulator: Emulator, token: string): K8sClient {
  return createK8s({
    env: {},
    config: {
      server: emulator.url,
      source: 'kubeconfig',
      namespace: 'default',
      insecureSkipTlsVerify: true,
      authHeaders: async () => ({ authorization: `Bearer ${token}` }),
    },
  });
}

/** The union of a group's rules, as the compact profile's one ServiceAccount holds them. */
function unionRules(bots: readonly Bot[]): RbacRule[] {
  return bots.flatMap((bot) => bot.rbac.map((rule) => ({ ...rule })));
}

async function runOne(
  bot: Bot,
  k8s: K8sClient,
  env: Record<string, string>,
  now: Date,
  reads?: ReadScope,
): Promise<Report | string> {
  try {
    return await runBot(
      bot,
      {},
      {
        trigger: 'cron',
        k8s,
        env,
        now: () => now,
        log: silentLogger,
        timeoutMs: RUN_TIMEOUT_MS,
        mode: 'dry-run',
        ...(reads === undefined ? {} : { reads }),
      },
    );
  } catch (error) {
    return (error as Error).message;
  }
}

/** Today: one process (one client, the bot's own token) per bot, nothing shared. */
async function unsharedSweep(
  emulator: Emulator,
  scheduled: readonly Bot[],
  env: Record<string, string>,
  now: Date,
): Promise<SweepResult> {
  const start = emulator.traffic();
  const perBot: BotRead[] = [];
  const reports = new Map<string, Report | string>();
  for (const bot of scheduled) {
    const k8s = clientOf(emulator, `token-${bot.name}`);
    const before = emulator.traffic();
    const report = await runOne(bot, k8s, env, now);
    const after = emulator.traffic();
    k8s.close();
    reports.set(bot.name, report);
    perBot.push({
      bot: bot.name,
      category: bot.category,
      requests: after.requests - before.requests,
      bytes: after.bytes - before.bytes,
      ...(typeof report === 'string' ? { error: report } : {}),
    });
  }
  const end = emulator.traffic();
  return { requests: end.requests - start.requests, bytes: end.bytes - start.bytes, perBot, reports };
}

/**
 * The compact profile: one process per category (one client under the union ServiceAccount), its
 * bots in one read scope as one tick runs them. The tick starts them together; here they run one
 * after the other so each bot's own reads can be counted; the scope coalesces concurrent identical
 * lists into one read, so the sweep's totals are the same either way.
 */
async function sharedSweep(
  emulator: Emulator,
  scheduled: readonly Bot[],
  env: Record<string, string>,
  now: Date,
): Promise<SweepResult> {
  const start = emulator.traffic();
  const perBot: BotRead[] = [];
  const reports = new Map<string, Report | string>();
  const categories = [...new Set(scheduled.map((bot) => bot.category))].sort();
  for (const category of categories) {
    const group = scheduled.filter((bot) => bot.category === category);
    const k8s = clientOf(emulator, `token-group-${category}`);
    const reads = createReadScope();
    for (const bot of group) {
      const before = emulator.traffic();
      const report = await runOne(bot, k8s, env, now, reads);
      const after = emulator.traffic();
      reports.set(bot.name, report);
      const stats = reads.stats().get(bot.name);
      perBot.push({
        bot: bot.name,
        category,
        requests: after.requests - before.requests,
        bytes: after.bytes - before.bytes,
        listed: stats?.listed ?? 0,
        shared: stats?.shared ?? 0,
        ...(typeof report === 'string' ? { error: report } : {}),
      });
    }
    reads.close();
    k8s.close();
  }
  const end = emulator.traffic();
  return { requests: end.requests - start.requests, bytes: end.bytes - start.bytes, perBot, reports };
}

/**
 * The same sweep as one tick per category starts it: the category's bots all at once, in one scope.
 * Only totals can be counted (the reads interleave); they show the coalescing of concurrent reads.
 */
async function concurrentSharedSweep(
  emulator: Emulator,
  scheduled: readonly Bot[],
  env: Record<string, string>,
  now: Date,
): Promise<{ requests: number; bytes: number }> {
  const start = emulator.traffic();
  for (const category of [...new Set(scheduled.map((bot) => bot.category))].sort()) {
    const k8s = clientOf(emulator, `token-group-${category}`);
    const reads = createReadScope();
    await Promise.all(
      scheduled.filter((bot) => bot.category === category).map((bot) => runOne(bot, k8s, env, now, reads)),
    );
    reads.close();
    k8s.close();
  }
  const end = emulator.traffic();
  return { requests: end.requests - start.requests, bytes: end.bytes - start.bytes };
}

/**
 * How often bots of a category are due in the same tick over one day of minute ticks (UTC): the
 * bench's sweep runs them all together; real ticks share among the bots due at that minute only.
 */
function dayOfTicks(
  scheduled: readonly Bot[],
): Record<string, { runs: number; ticks: number; sharedTicks: number; sharedRuns: number }> {
  const out: Record<string, { runs: number; ticks: number; sharedTicks: number; sharedRuns: number }> = {};
  for (const category of [...new Set(scheduled.map((bot) => bot.category))].sort()) {
    const dispatcher = new CronDispatcher(
      scheduled.filter((bot) => bot.category === category),
      { catchUpMs: 10 * 60_000, timezone: 'UTC' },
    );
    const day = { runs: 0, ticks: 0, sharedTicks: 0, sharedRuns: 0 };
    const midnight = Date.UTC(2026, 5, 1);
    for (let minute = 0; minute < 24 * 60; minute++) {
      const due = dispatcher.plan(new Date(midnight + minute * 60_000 + 5_000)).due.length;
      day.runs += due;
      if (due > 0) day.ticks += 1;
      if (due > 1) {
        day.sharedTicks += 1;
        day.sharedRuns += due;
      }
    }
    out[category] = day;
  }
  return out;
}

/** The kinds a sweep listed (cluster-wide collection paths), from the emulator's request log. */
function listedCollections(requests: readonly RecordedRequest[]): string[] {
  const paths = new Set<string>();
  for (const r of requests) {
    if (r.method !== 'GET' || r.verb !== 'list' || r.status !== 200) continue;
    paths.add(r.path.replace(/\/namespaces\/[^/]+\/(?=[^/]+$)/, '/'));
  }
  return [...paths].sort();
}

/** One full dump: each collection listed once, cluster-wide, paged as the kit pages (500). */
async function dump(
  emulator: Emulator,
  collections: readonly string[],
): Promise<{ requests: number; bytes: number }> {
  const k8s = clientOf(emulator, emulator.adminToken);
  const before = emulator.traffic();
  for (const path of collections) {
    const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/([^/]+)$/.exec(path);
    if (match === null) continue;
    const type: ResourceType = {
      group: match[2] ?? '',
      version: match[1] ?? match[3] ?? 'v1',
      plural: match[4] ?? '',
      kind: '',
      namespaced: false,
    };
    for await (const _ of k8s.list(type)) void _;
  }
  const after = emulator.traffic();
  k8s.close();
  return { requests: after.requests - before.requests, bytes: after.bytes - before.bytes };
}

/** What a report says, without what differs from run to run (ids, times). */
function gist(report: Report | string | undefined): string {
  if (report === undefined || typeof report === 'string') return `failed: ${report}`;
  return JSON.stringify({
    summary: report.summary,
    findings: report.findings.map((f) => f.id).sort(),
    actions: report.actions.length,
    errors: report.errors.map((e) => e.code).sort(),
  });
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const pods = ctx.quick ? 2_000 : 10_000;
  const scheduled = registry.filter((bot) => bot.triggers.cron !== undefined) as readonly Bot[];
  const categories = [...new Set(scheduled.map((bot) => bot.category))].sort();
  const tokens: Record<string, { user: string; rules: RbacRule[] }> = {};
  for (const bot of scheduled)
    tokens[`token-${bot.name}`] = {
      user: serviceAccountUser(bot.name),
      rules: bot.rbac.map((r) => ({ ...r })),
    };
  for (const category of categories) {
    tokens[`token-group-${category}`] = {
      user: serviceAccountUser(`eco-${category}`),
      rules: unionRules(scheduled.filter((bot) => bot.category === category)),
    };
  }
  ctx.log(`fleet-sweep: ${scheduled.length} scheduled bots in ${categories.length} categories, ${pods} pods`);
  const emulator = await startEmulator({
    objects: scaledCluster(pods),
    tokens,
    maxRecordedRequests: 1_000_000,
  });
  const dir = await mkdtemp(join(tmpdir(), 'eco-bench-sweep-'));
  const env = { HOME: dir, ECO_MODE: 'dry-run', LOG_LEVEL: 'warn' };
  const now = new Date();
  try {
    ctx.log('unshared sweep (one process per bot)');
    const logStart = emulator.requests.length;
    const unshared = await unsharedSweep(emulator, scheduled, env, now);
    const collections = listedCollections(emulator.requests.slice(logStart));
    ctx.log(`full dump of the ${collections.length} kinds the sweep lists`);
    const full = await dump(emulator, collections);
    ctx.log('shared sweep (one process and read scope per category)');
    const shared = await sharedSweep(emulator, scheduled, env, now);
    ctx.log("shared sweep, each category's bots started together (as one tick)");
    const together = await concurrentSharedSweep(emulator, scheduled, env, now);
    const day = dayOfTicks(scheduled);

    const differing = scheduled
      .map((bot) => bot.name)
      .filter((name) => gist(shared.reports.get(name)) !== gist(unshared.reports.get(name)));
    const failed = shared.perBot.filter((b) => b.error !== undefined).map((b) => `${b.bot}: ${b.error}`);
    const byCategory = (sweep: SweepResult) =>
      Object.fromEntries(
        categories.map((category) => {
          const rows = sweep.perBot.filter((b) => b.category === category);
          return [
            category,
            {
              bots: rows.length,
              requests: rows.reduce((n, b) => n + b.requests, 0),
              bytes: rows.reduce((n, b) => n + b.bytes, 0),
            },
          ];
        }),
      );
    const podsNote = `${pods.toLocaleString('en')} pods, ${(pods / 10).toLocaleString('en')} Jobs`;
    return {
      name: 'fleet-sweep',
      subject: `one sweep of the ${scheduled.length} scheduled bots over a ${podsNote} cluster (K8s API emulator, RBAC enforced): bytes read from the API server against one full dump of the kinds they list`,
      rows: [
        row(
          `full dump (${collections.length} kinds listed once)`,
          full.bytes,
          'bytes',
          undefined,
          undefined,
          `${full.requests} requests`,
        ),
        row(
          `sweep, shared reads (compact profile: ${categories.length} category processes)`,
          shared.bytes,
          'bytes',
          full.bytes,
          TARGET,
          `${shared.requests} requests; ${differing.length} reports differ from the unshared sweep${
            failed.length > 0 ? `; ${failed.length} runs failed` : ''
          }`,
        ),
        row(
          `sweep, no sharing (one process per bot, as the default profile)`,
          unshared.bytes,
          'bytes',
          full.bytes,
          undefined,
          `${unshared.requests} requests`,
        ),
        row(
          `sweep, shared reads, each category's bots started together`,
          together.bytes,
          'bytes',
          full.bytes,
          TARGET,
          `${together.requests} requests; as one tick starts them (concurrent identical lists coalesce)`,
        ),
        row(
          `share of a day's scheduled runs due in a tick with another bot of their category`,
          Math.round(
            (100 * Object.values(day).reduce((n, d) => n + d.sharedRuns, 0)) /
              Math.max(
                1,
                Object.values(day).reduce((n, d) => n + d.runs, 0),
              ),
          ),
          '%',
          undefined,
          undefined,
          `${Object.values(day).reduce((n, d) => n + d.runs, 0)} runs a day in minute ticks: the schedules as declared; only bots due together share`,
        ),
        row(`requests per sweep, shared`, shared.requests, 'requests', full.requests),
        row(`requests per sweep, no sharing`, unshared.requests, 'requests', full.requests),
      ],
      details: {
        pods,
        dump: { ...full, collections },
        shared: {
          requests: shared.requests,
          bytes: shared.bytes,
          byCategory: byCategory(shared),
          perBot: shared.perBot,
        },
        unshared: {
          requests: unshared.requests,
          bytes: unshared.bytes,
          byCategory: byCategory(unshared),
          perBot: unshared.perBot,
        },
        together,
        dayOfTicks: day,
        reportsDiffering: differing,
        failedRuns: failed,
      },
    };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
