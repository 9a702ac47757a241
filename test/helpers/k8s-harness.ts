// Runs a bot against the K8s API emulator the way it runs in a cluster: with its own bearer token,
// whose RBAC rules are exactly the bot's declared `rbac`, through a kubeconfig file and runBot. A
// call outside the declaration is a 403 Forbidden from the emulator, as from a real API server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bot, Report } from '../../shared/bot/types.ts';
import type { K8s, KubeObject } from '../../shared/k8s/types.ts';
import { createK8s } from '../../shared/k8s/client.ts';
import { serviceAccountUser } from '../../shared/k8s/rbac.ts';
import { silentLogger } from '../../shared/log/index.ts';
import type { Logger } from '../../shared/log/types.ts';
import { runBot } from '../../shared/runtime/index.ts';
import { closeProcessClusters } from '../../shared/runtime/cluster.ts';
import type { RunOptions } from '../../shared/runtime/index.ts';
import { startEmulator } from '../../local/k8s-emulator/index.ts';
import type { Emulator, EmulatorOptions } from '../../local/k8s-emulator/index.ts';

export interface HarnessOptions {
  objects?: KubeObject[];
  demo?: boolean;
  /** Clock for the emulator's timestamps and the bot's ctx.now(). */
  now?: () => Date;
  /** Environment of every run (KUBECONFIG and HOME are set by the harness). */
  env?: Record<string, string>;
  /** Extra emulator options (watch history etc.). */
  emulator?: Omit<EmulatorOptions, 'objects' | 'demo' | 'now' | 'tokens'>;
  log?: Logger;
}

export interface HarnessRunOptions extends Omit<RunOptions, 'k8s'> {
  /**
   * Wraps the bot's cluster client (created from the kubeconfig as usual) to step in between the
   * bot's calls, e.g. to change an object after the bot read it.
   */
  intercept?: (k8s: K8s) => K8s;
}

export interface BotHarness {
  emulator: Emulator;
  /** The kubeconfig file the bot uses (its own token). */
  kubeconfig: string;
  token: string;
  /** The ServiceAccount user the emulator sees for this bot. */
  user: string;
  run(input?: unknown, options?: HarnessRunOptions): Promise<Report>;
  close(): Promise<void>;
}

export async function startBotHarness(bot: Bot, options: HarnessOptions = {}): Promise<BotHarness> {
  const token = `token-${bot.name}`;
  const user = serviceAccountUser(bot.name);
  const emulator = await startEmulator({
    ...options.emulator,
    ...(options.objects ? { objects: options.objects } : {}),
    ...(options.demo ? { demo: true } : {}),
    ...(options.now ? { now: options.now } : {}),
    // `rules: []` (a bot that declares none) denies everything; it never means cluster-admin here.
    tokens: { [token]: { user, rules: bot.rbac.map((r) => ({ ...r })) } },
  });
  const dir = await mkdtemp(join(tmpdir(), `eco-${bot.name}-`));
  const kubeconfig = join(dir, 'kubeconfig');
  await emulator.writeKubeconfig(kubeconfig, token);
  return {
    emulator,
    kubeconfig,
    token,
    user,
    async run(input: unknown = {}, runOptions: HarnessRunOptions = {}) {
      // An explicit env (never process.env): no ambient in-cluster or KUBECONFIG settings leak in.
      const env = { HOME: dir, ...options.env, ...runOptions.env, KUBECONFIG: kubeconfig };
      const { intercept, ...rest } = runOptions;
      const log = options.log ?? silentLogger;
      const k8s = intercept ? intercept(createK8s({ env, log })) : undefined;
      return runBot(bot, input, {
        trigger: 'http',
        log,
        ...(options.now ? { now: options.now } : {}),
        ...rest,
        ...(k8s ? { k8s } : {}),
        env,
      });
    },
    async close() {
      await closeProcessClusters();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
