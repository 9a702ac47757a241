import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createK8s, resources } from '../../shared/k8s/index.ts';
import { selectCluster, ClusterUnreachableError, loadBots } from '../../local/gateway/index.ts';
import { startEmulator } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import type { Bot } from '../../shared/bot/index.ts';

const UNREACHABLE = [
  'apiVersion: v1',
  'kind: Config',
  'clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]',
  'users: [{name: u, user: {token: t}}]',
  'contexts: [{name: gone, context: {cluster: c, user: u}}]',
  'current-context: gone',
  '',
].join('\n');

describe('cluster selection', () => {
  let dir: string;
  let real: Emulator;
  let bots: Bot[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eco-cluster-'));
    bots = await loadBots();
    // Stands in for a real cluster reached through a kubeconfig.
    real = await startEmulator({ anonymousAdmin: false });
    await real.writeKubeconfig(path.join(dir, 'real.kubeconfig'));
    await writeFile(path.join(dir, 'gone.kubeconfig'), UNREACHABLE);
  });
  afterAll(async () => {
    await real?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uses KUBECONFIG when it answers, and says which context and server', async () => {
    const cluster = await selectCluster({ bots, dir, envKubeconfig: path.join(dir, 'real.kubeconfig') });
    try {
      expect(cluster.kind).toBe('kubeconfig');
      expect(cluster.description).toContain(`server ${real.url}`);
      expect(cluster.kubeconfigFor('eco-status-bot')).toBe(path.join(dir, 'real.kubeconfig'));
    } finally {
      await cluster.close();
    }
  });

  it('falls back to the demo cluster when KUBECONFIG does not answer, and says why', async () => {
    const cluster = await selectCluster({
      bots,
      dir,
      envKubeconfig: path.join(dir, 'gone.kubeconfig'),
      probeTimeoutMs: 2_000,
    });
    try {
      expect(cluster.kind).toBe('emulator');
      expect(cluster.description).toMatch(
        /embedded emulator .*; KUBECONFIG .*gone\.kubeconfig is not reachable/,
      );
    } finally {
      await cluster.close();
    }
  });

  it('refuses an explicit --kubeconfig that does not answer', async () => {
    await expect(
      selectCluster({ bots, dir, kubeconfig: path.join(dir, 'gone.kubeconfig'), probeTimeoutMs: 2_000 }),
    ).rejects.toThrow(ClusterUnreachableError);
  });

  it('gives each bot on the emulator a token limited to its declared RBAC', async () => {
    const cluster = await selectCluster({
      bots,
      dir,
      forceDemo: true,
      envKubeconfig: path.join(dir, 'real.kubeconfig'),
    });
    try {
      expect(cluster.kind).toBe('emulator');
      const asStatus = createK8s({
        env: { KUBECONFIG: cluster.kubeconfigFor('eco-status-bot'), ECO_K8S_RETRIES: '0' },
      });
      // Declared: list namespaces. Not declared: read secrets.
      for await (const _ of asStatus.list(resources.namespaces)) break;
      await expect(asStatus.get(resources.secrets, 'x', 'default')).rejects.toMatchObject({
        status: 403,
        body: { code: 403, reason: 'Forbidden' },
      });
    } finally {
      await cluster.close();
    }
  });
});
