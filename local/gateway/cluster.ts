import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { Bot } from '../../shared/bot/index.ts';
import { createK8s } from '../../shared/k8s/index.ts';
import type { Emulator } from '../k8s-emulator/index.ts';

export interface ClusterSelection {
  kind: 'emulator' | 'kubeconfig';
  /** One line for the banner: which cluster, and why this one. */
  description: string;
  server: string;
  /** The kubeconfig file a bot's process uses (its own token on the emulator). */
  kubeconfigFor(bot: string): string;
  /** Set for the embedded emulator (tests seed and inspect it). */
  emulator?: Emulator;
  /** Extra environment of one bot's process (the OpenBao settings of eco-secrets-bot on the demo). */
  envFor?(bot: string): Record<string, string>;
  close(): Promise<void>;
}

export interface SelectClusterOptions {
  bots: readonly Bot[];
  /** --kubeconfig: must work; an unreachable explicit kubeconfig is an error, not a silent fallback. */
  kubeconfig?: string;
  /** KUBECONFIG from the environment: used when reachable, else the emulator with a warning. */
  envKubeconfig?: string;
  /** --demo: the embedded emulator even when a kubeconfig is set. */
  forceDemo?: boolean;
  /** Directory for the per-bot kubeconfig files. */
  dir: string;
  /** How long the reachability probe may take. */
  probeTimeoutMs?: number;
}

export class ClusterUnreachableError extends Error {
  override readonly name = 'ClusterUnreachableError';
}

/**
 * KUBECONFIG when set and reachable, else the embedded emulator serving the demo cluster. On the
 * emulator every bot gets its own token bound to its declared RBAC rules, so a call outside the
 * declaration fails with 403 locally exactly as on a real cluster.
 */
export async function selectCluster(options: SelectClusterOptions): Promise<ClusterSelection> {
  let fallbackReason: string | undefined;
  const file = options.forceDemo ? undefined : (options.kubeconfig ?? options.envKubeconfig);
  if (file !== undefined && file !== '') {
    const resolved = path.resolve(file);
    const probe = await probeKubeconfig(resolved, options.probeTimeoutMs ?? 4_000);
    if (probe.ok) {
      return {
        kind: 'kubeconfig',
        description: `kubeconfig ${resolved} (context ${probe.context}, server ${probe.server})`,
        server: probe.server,
        kubeconfigFor: () => resolved,
        close: async () => undefined,
      };
    }
    if (options.kubeconfig !== undefined) {
      throw new ClusterUnreachableError(`--kubeconfig ${resolved}: ${probe.error}`);
    }
    fallbackReason = `KUBECONFIG ${resolved} is not reachable (${probe.error})`;
  }

  const tokens: Record<string, { user: string; rules: Bot['rbac'] }> = {};
  const tokenOf = new Map<string, string>();
  for (const bot of options.bots) {
    const token = `eco-${bot.name}-${randomBytes(12).toString('hex')}`;
    tokenOf.set(bot.name, token);
    tokens[token] = { user: `system:serviceaccount:eco-bots:${bot.name}`, rules: [...bot.rbac] };
  }
  // Loaded only when needed: against a real cluster the emulator and its demo data stay out of memory.
  const { startEmulator } = await import('../k8s-emulator/index.ts');
  const emulator = await startEmulator({
    demo: true,
    tokens,
    host: '127.0.0.1',
  });
  const files = new Map<string, string>();
  for (const [bot, token] of tokenOf) {
    const target = path.join(options.dir, `${bot}.kubeconfig`);
    await emulator.writeKubeconfig(target, token);
    files.set(bot, target);
  }
  const bao = await startDemoOpenBao(emulator, tokenOf, options.dir);
  return {
    kind: 'emulator',
    description:
      `embedded emulator with the demo cluster at ${emulator.url}, one token per bot (RBAC enforced)` +
      (bao ? `; OpenBao emulator with demo secrets at ${bao.url}` : '') +
      (fallbackReason !== undefined ? `; ${fallbackReason}` : ''),
    server: emulator.url,
    kubeconfigFor: (bot) => {
      const found = files.get(bot);
      if (found === undefined) throw new Error(`no kubeconfig for unknown bot ${bot}`);
      return found;
    },
    emulator,
    envFor: (bot) => (bao && bot === SECRETS_BOT ? bao.env : {}),
    close: async () => {
      await bao?.close();
      await emulator.close();
    },
  };
}

const SECRETS_BOT = 'eco-secrets-bot';

/**
 * With eco-secrets-bot in the fleet, the demo also runs the OpenBao emulator with a few demo secrets:
 * its Kubernetes auth checks tokens with this emulator's TokenReview (through a reviewer token), and
 * the bot logs in with its own emulator token as its "projected service account token".
 */
async function startDemoOpenBao(
  emulator: Emulator,
  tokenOf: ReadonlyMap<string, string>,
  dir: string,
): Promise<{ url: string; env: Record<string, string>; close(): Promise<void> } | undefined> {
  const botToken = tokenOf.get(SECRETS_BOT);
  if (botToken === undefined) return undefined;
  const { startOpenBaoEmulator } = await import('../openbao-emulator/index.ts');
  const { demoOpenBao, DEMO_BAO_ROLE } = await import('../openbao-emulator/demo.ts');
  const reviewer = `eco-openbao-reviewer-${randomBytes(12).toString('hex')}`;
  emulator.addToken(reviewer, {
    user: 'system:serviceaccount:openbao:openbao',
    rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }],
  });
  const bao = await startOpenBaoEmulator({
    ...demoOpenBao(),
    kubernetes: { kubernetesHost: emulator.url, tokenReviewerJwt: reviewer },
  });
  const tokenFile = path.join(dir, `${SECRETS_BOT}.sa-token`);
  await writeFile(tokenFile, botToken, { mode: 0o600 });
  return {
    url: bao.url,
    env: { BAO_ADDR: bao.url, BAO_ROLE: DEMO_BAO_ROLE, BAO_SA_TOKEN_FILE: tokenFile },
    close: () => bao.close(),
  };
}

interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: Array<{ name?: string; context?: { cluster?: string } }>;
  clusters?: Array<{ name?: string; cluster?: { server?: string } }>;
}

type Probe = { ok: true; server: string; context: string } | { ok: false; error: string };

/** Reads the kubeconfig and asks the server for /version within the timeout. */
async function probeKubeconfig(file: string, timeoutMs: number): Promise<Probe> {
  let doc: KubeconfigDoc;
  try {
    doc = (parse(await readFile(file, 'utf8')) ?? {}) as KubeconfigDoc;
  } catch (error) {
    return { ok: false, error: `cannot read: ${(error as Error).message}` };
  }
  const contextName = doc['current-context'] ?? '';
  const clusterName = doc.contexts?.find((entry) => entry.name === contextName)?.context?.cluster;
  const server = doc.clusters?.find((entry) => entry.name === clusterName)?.cluster?.server ?? 'unknown';
  const k8s = createK8s({
    env: { KUBECONFIG: file, ECO_K8S_RETRIES: '0', ECO_K8S_TIMEOUT_MS: String(timeoutMs) },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      k8s.request('GET', '/version'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, server, context: contextName || '(none)' };
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0] ?? 'unreachable' };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
