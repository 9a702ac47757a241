// The fleet sweep with shared reads: every scheduled bot, run the way the compact profile's tick runs
// a category (concurrently, one client under the union of the category's rules, one read scope),
// gives the same report as when it runs alone with its own token, and the sweep reads less. This is
// also where a bot that mutates what it listed would show: shared lists are frozen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bots } from '../../functions/index.generated.ts';
import type { Bot, Report } from '../../shared/bot/types.ts';
import { createK8s, type K8sClient } from '../../shared/k8s/client.ts';
import { serviceAccountUser } from '../../shared/k8s/rbac.ts';
import { silentLogger } from '../../shared/log/index.ts';
import { runBot } from '../../shared/runtime/index.ts';
import { createReadScope } from '../../shared/runtime/read-scope.ts';
import { startEmulator, type Emulator } from '../../local/k8s-emulator/index.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const scheduled = (bots as readonly Bot[]).filter((bot) => bot.triggers.cron !== undefined);
const categories = [...new Set(scheduled.map((bot) => bot.category))].sort();

let emulator: Emulator;
const alone = new Map<string, Report | string>();
const swept = new Map<string, Report | string>();
const traffic = { alone: { requests: 0, bytes: 0 }, swept: { requests: 0, bytes: 0 } };

function clientAs(token: string): K8sClient {
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

async function run(bot: Bot, k8s: K8sClient, reads?: ReturnType<typeof createReadScope>) {
  try {
    return await runBot(
      bot,
      {},
      {
        trigger: 'cron',
        k8s,
        env: {},
        now: () => NOW,
        log: silentLogger,
        timeoutMs: 60_000,
        ...(reads === undefined ? {} : { reads }),
      },
    );
  } catch (error) {
    return (error as Error).message;
  }
}

/** What a report says, without what differs from run to run (run id, times). */
function gist(report: Report | string | undefined): unknown {
  if (report === undefined || typeof report === 'string') return { failed: report };
  return {
    summary: report.summary,
    findings: report.findings.map((f) => `${f.id} ${f.check} ${f.severity}`).sort(),
    actions: report.actions.map((a) => `${a.verb} ${a.object.kind} ${a.object.name} ${a.status}`).sort(),
    errors: report.errors.map((e) => e.code).sort(),
  };
}

beforeAll(async () => {
  const tokens: Record<string, { user: string; rules: Bot['rbac'] }> = {};
  for (const bot of scheduled)
    tokens[`token-${bot.name}`] = {
      user: serviceAccountUser(bot.name),
      rules: bot.rbac.map((r) => ({ ...r })),
    };
  for (const category of categories)
    tokens[`token-group-${category}`] = {
      user: serviceAccountUser(`eco-${category}`),
      rules: scheduled
        .filter((bot) => bot.category === category)
        .flatMap((bot) => bot.rbac.map((r) => ({ ...r }))),
    };
  emulator = await startEmulator({ demo: true, now: () => NOW, tokens, maxRecordedRequests: 100_000 });

  let start = emulator.traffic();
  for (const bot of scheduled) {
    const k8s = clientAs(`token-${bot.name}`);
    alone.set(bot.name, await run(bot, k8s));
    k8s.close();
  }
  let end = emulator.traffic();
  traffic.alone = { requests: end.requests - start.requests, bytes: end.bytes - start.bytes };

  start = emulator.traffic();
  for (const category of categories) {
    const k8s = clientAs(`token-group-${category}`);
    const reads = createReadScope();
    const group = scheduled.filter((bot) => bot.category === category);
    const reports = await Promise.all(group.map((bot) => run(bot, k8s, reads)));
    group.forEach((bot, i) => swept.set(bot.name, reports[i] as Report | string));
    reads.close();
    k8s.close();
  }
  end = emulator.traffic();
  traffic.swept = { requests: end.requests - start.requests, bytes: end.bytes - start.bytes };
}, 240_000);

afterAll(async () => {
  await emulator?.close();
});

describe('a category sweep with shared reads', () => {
  it.each(scheduled.map((bot) => [bot.name] as const))(
    '%s reports the same as when it runs alone',
    (name) => {
      expect(typeof alone.get(name)).toBe('object');
      expect(gist(swept.get(name))).toEqual(gist(alone.get(name)));
    },
  );

  it('reads fewer requests and bytes from the API server than the bots reading alone', () => {
    expect(traffic.swept.requests).toBeLessThan(traffic.alone.requests);
    expect(traffic.swept.bytes).toBeLessThan(traffic.alone.bytes);
  });
});

// Apply mode takes the paths where bots build writes from what they listed: none may write into a
// shared (frozen) object. A fresh cluster, every mutating bot in its category's sweep.
describe('a category sweep in apply mode', () => {
  const FROZEN_WRITE = /read.only|not extensible|Cannot (assign|add|delete|define)|object is frozen/i;
  const outcomes = new Map<string, Report | string>();
  let applyEmulator: Emulator;

  beforeAll(async () => {
    const mutating = scheduled.filter((bot) => bot.mutates);
    const tokens: Record<string, { user: string; rules: Bot['rbac'] }> = {};
    for (const category of categories)
      tokens[`token-group-${category}`] = {
        user: serviceAccountUser(`eco-${category}`),
        rules: mutating
          .filter((bot) => bot.category === category)
          .flatMap((bot) => bot.rbac.map((r) => ({ ...r }))),
      };
    applyEmulator = await startEmulator({ demo: true, now: () => NOW, tokens });
    for (const category of categories) {
      const group = mutating.filter((bot) => bot.category === category);
      if (group.length === 0) continue;
      const k8s = createK8s({
        env: {},
        config: {
          server: applyEmulator.url,
          source: 'kubeconfig',
          namespace: 'default',
          insecureSkipTlsVerify: true,
          authHeaders: async () => ({ authorization: `Bearer token-group-${category}` }),
        },
      });
      const reads = createReadScope();
      const reports = await Promise.all(
        group.map((bot) =>
          runBot(
            bot,
            {},
            {
              trigger: 'cron',
              k8s,
              reads,
              env: { ECO_MODE: 'apply', ECO_MAX_ACTIONS: '1000' },
              now: () => NOW,
              log: silentLogger,
              timeoutMs: 60_000,
            },
          ).catch((error: unknown) => (error as Error).message),
        ),
      );
      group.forEach((bot, i) => outcomes.set(bot.name, reports[i] as Report | string));
      k8s.close();
    }
  }, 240_000);

  afterAll(async () => {
    await applyEmulator?.close();
  });

  it('no mutating bot fails on, or reports, a write into a listed object', () => {
    expect(outcomes.size).toBeGreaterThan(0);
    const frozenWrites = [...outcomes].flatMap(([name, outcome]) =>
      typeof outcome === 'string'
        ? FROZEN_WRITE.test(outcome)
          ? [`${name}: ${outcome}`]
          : []
        : outcome.errors.filter((e) => FROZEN_WRITE.test(e.message)).map((e) => `${name}: ${e.message}`),
    );
    expect(frozenWrites).toEqual([]);
    expect([...outcomes].filter(([, outcome]) => typeof outcome === 'string')).toEqual([]);
    // The sweep did write: the paths were taken.
    const applied = [...outcomes.values()].flatMap((o) =>
      typeof o === 'string' ? [] : o.actions.filter((a) => a.status === 'applied'),
    );
    expect(applied.length).toBeGreaterThan(0);
  });
});
