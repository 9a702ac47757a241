// The fleet test: every registered bot, invoked with `{}` (a cron tick) against the demo cluster,
// each with its own token limited to its declared RBAC. It grows with the fleet: a new bot in the
// registry gets its rows here without a line of this file changing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bots } from '../../functions/index.generated.ts';
import type { Bot, Report } from '../../shared/bot/types.ts';
import { serviceAccountUser } from '../../shared/k8s/rbac.ts';
import { silentLogger } from '../../shared/log/index.ts';
import { runBot } from '../../shared/runtime/index.ts';
import { closeProcessClusters } from '../../shared/runtime/cluster.ts';
import { checkReport } from '../../shared/report/schema.ts';
import { startEmulator, type Emulator } from '../../local/k8s-emulator/index.ts';
import { PLANTED } from '../../local/demo-cluster/index.ts';

// The demo cluster is built around this clock (ages, TTLs, certificates are relative to it).
const NOW = new Date('2026-06-01T12:00:00Z');
const fleet: readonly Bot[] = bots;

let emulator: Emulator;
let dir: string;
const reports = new Map<string, Report>();
const failures = new Map<string, string>();

beforeAll(async () => {
  const tokens = Object.fromEntries(
    fleet.map((bot) => [
      `token-${bot.name}`,
      { user: serviceAccountUser(bot.name), rules: bot.rbac.map((r) => ({ ...r })) },
    ]),
  );
  emulator = await startEmulator({ demo: true, now: () => NOW, tokens });
  dir = await mkdtemp(join(tmpdir(), 'eco-fleet-'));
  // The status bot last, as the CLI runs it: it summarises the others.
  const ordered = [...fleet].sort(
    (a, b) => Number(a.name === 'eco-status-bot') - Number(b.name === 'eco-status-bot'),
  );
  for (const bot of ordered) {
    const kubeconfig = join(dir, `${bot.name}.kubeconfig`);
    await emulator.writeKubeconfig(kubeconfig, `token-${bot.name}`);
    try {
      reports.set(
        bot.name,
        await runBot(
          bot,
          {},
          {
            trigger: 'cron',
            env: { HOME: dir, KUBECONFIG: kubeconfig },
            now: () => NOW,
            log: silentLogger,
            timeoutMs: 60_000,
          },
        ),
      );
    } catch (error) {
      failures.set(bot.name, (error as Error).message);
    }
  }
}, 240_000);

afterAll(async () => {
  await closeProcessClusters();
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(fleet.map((bot) => [bot.name, bot] as const))('%s on the demo cluster', (name, bot) => {
  it('answers a cron tick with a report valid against the Report schema', () => {
    expect(failures.get(name)).toBeUndefined();
    const report = reports.get(name);
    expect(report).toBeDefined();
    expect(checkReport(report)).toEqual([]);
    expect(report?.bot).toBe(name);
  });

  it('stays within its declared RBAC (no 403 from the API server)', () => {
    const user = serviceAccountUser(bot.name);
    const denied = emulator.requests.filter((r) => r.user === user && r.status === 403);
    expect(denied.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  const planted = PLANTED.filter((p) => p.bot === name);
  if (planted.length > 0) {
    it.each(
      planted.map(
        (p) =>
          [
            `${p.expect === 'found' ? 'finds' : 'leaves alone'} ${p.check} on ${p.object.kind} ${p.object.namespace ?? ''}/${p.object.name}`,
            p,
          ] as const,
      ),
    )('%s', (_title, p) => {
      const report = reports.get(name);
      const matches = (report?.findings ?? []).filter(
        (f) =>
          f.check === p.check &&
          f.object.kind === p.object.kind &&
          f.object.name === p.object.name &&
          (f.object.namespace ?? '') === (p.object.namespace ?? ''),
      );
      const touched = (report?.actions ?? []).filter(
        (a) =>
          a.object.kind === p.object.kind &&
          a.object.name === p.object.name &&
          (a.object.namespace ?? '') === (p.object.namespace ?? '') &&
          a.status !== 'skipped',
      );
      if (p.expect === 'found') expect(matches.length, p.description).toBeGreaterThan(0);
      else {
        expect(matches, p.description).toEqual([]);
        expect(touched, p.description).toEqual([]);
      }
    });
  }
});

// Maintenance windows and freezes are the rails', so they hold for every mutating bot, present and
// future: under a freeze, in apply mode, no bot applies a disruptive action.
describe('every mutating bot under a change freeze (apply mode)', () => {
  const mutating = fleet.filter((bot) => bot.mutates);
  const frozen = new Map<string, Report>();
  let freezeEmulator: Emulator;

  beforeAll(async () => {
    const tokens = Object.fromEntries(
      mutating.map((bot) => [
        `token-${bot.name}`,
        { user: serviceAccountUser(bot.name), rules: bot.rbac.map((r) => ({ ...r })) },
      ]),
    );
    freezeEmulator = await startEmulator({ demo: true, now: () => NOW, tokens });
    freezeEmulator.seed([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'eco-maintenance', namespace: 'eco-bots' },
        data: {
          policy: JSON.stringify({
            freezes: [{ until: '2099-01-01T00:00:00Z', reason: 'fleet test freeze' }],
          }),
        },
      },
    ]);
    for (const bot of mutating) {
      const kubeconfig = join(dir, `${bot.name}.frozen.kubeconfig`);
      await freezeEmulator.writeKubeconfig(kubeconfig, `token-${bot.name}`);
      frozen.set(
        bot.name,
        await runBot(
          bot,
          {},
          {
            trigger: 'cron',
            env: { HOME: dir, KUBECONFIG: kubeconfig, ECO_MODE: 'apply', ECO_MAX_ACTIONS: '1000' },
            now: () => NOW,
            log: silentLogger,
            timeoutMs: 60_000,
          },
        ),
      );
    }
  }, 240_000);

  afterAll(async () => {
    await closeProcessClusters();
    await freezeEmulator?.close();
  });

  it.each(mutating.map((bot) => [bot.name] as const))('%s applies nothing disruptive', (name) => {
    const report = frozen.get(name);
    expect(report).toBeDefined();
    const DISRUPTIVE_VERBS = ['evict', 'cordon', 'restart', 'scale'];
    const WORKLOADS = [
      'Deployment',
      'StatefulSet',
      'DaemonSet',
      'Node',
      'Namespace',
      'PersistentVolumeClaim',
      'PersistentVolume',
    ];
    const applied = (report?.actions ?? []).filter((a) => a.status === 'applied');
    const disruptive = applied.filter(
      (a) => DISRUPTIVE_VERBS.includes(a.verb) || (a.verb === 'delete' && WORKLOADS.includes(a.object.kind)),
    );
    expect(disruptive.map((a) => `${a.verb} ${a.object.kind} ${a.object.name}`)).toEqual([]);
    // Whatever was held back says why.
    for (const a of (report?.actions ?? []).filter((x) => x.reason.startsWith('freeze:')))
      expect(a.status).toBe('skipped');
  });

  it('the freeze held back at least one disruptive action somewhere in the fleet', () => {
    const held = [...frozen.values()]
      .flatMap((r) => r.actions)
      .filter((a) => a.reason.startsWith('freeze: fleet test freeze'));
    expect(held.length).toBeGreaterThan(0);
  });
});
