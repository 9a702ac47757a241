// The issue's "Done means" for eco-cleanup-bot, against the real bundle: KUBECONFIG=<a kubeconfig
// for an API server on loopback> node index.cjs plans the right deletions in dry-run, and with
// ECO_MODE=apply deletes exactly those, at most ECO_MAX_ACTIONS per run. RBAC enforced.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBotBundle } from '../../scripts/build.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-cleanup-bot/handler.ts';
import type { Report } from '../../shared/bot/types.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { serviceAccountUser } from '../../shared/k8s/rbac.ts';
import { startEmulator, type Emulator } from '../../local/k8s-emulator/index.ts';
import { DUE, clusterAt, storeRef, withStatus } from './eco-cleanup-bot.helpers.ts';

let dir: string;
let bundle: string;
let emulator: Emulator;
let kubeconfig: string;
let cluster: KubeObject[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eco-cleanup-bundle-'));
  bundle = join(dir, 'index.cjs');
  // Built exactly as `npm run build` builds it.
  await buildBotBundle('eco-cleanup-bot', bundle);
  // The bundle runs on the real clock, so the cluster is built around it.
  cluster = clusterAt(new Date());
  emulator = await startEmulator({
    objects: cluster,
    tokens: { 'cleanup-token': { user: serviceAccountUser(bot.name), rules: bot.rbac } },
  });
  kubeconfig = join(dir, 'kubeconfig');
  await emulator.writeKubeconfig(kubeconfig, 'cleanup-token');
}, 60_000);

afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts the bundle with plain `node`, POSTs one invocation, returns the report and stops it. */
async function invoke(env: Record<string, string>): Promise<Report> {
  const child = spawn(process.execPath, [bundle], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', HOME: dir, KUBECONFIG: kubeconfig, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        for (const line of buffered.split('\n'))
          if (line.includes('"listening"')) resolvePort((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`bundle exited with ${code}: ${buffered}`)));
    });
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Report;
  } finally {
    child.kill('SIGKILL');
  }
}

const remaining = () =>
  DUE.filter((k) => {
    const [plural = '', namespace, name = ''] = k.split('/');
    const ref = storeRef(plural);
    return emulator.store.get(ref, name, namespace || undefined) !== undefined;
  });

describe('the eco-cleanup-bot bundle', () => {
  it('plans the right deletions in dry-run (the default) and changes nothing', async () => {
    const report = await invoke({});
    expect(report.mode).toBe('dry-run');
    expect(report.errors).toEqual([]);
    expect(withStatus(report.actions, 'planned')).toEqual(DUE);
    expect(remaining()).toEqual(DUE);
  });

  it('with ECO_MODE=apply deletes exactly those, ECO_MAX_ACTIONS per run', async () => {
    const first = await invoke({ ECO_MODE: 'apply', ECO_MAX_ACTIONS: '3' });
    const deleted = withStatus(first.actions, 'applied');
    expect(deleted).toHaveLength(3);
    expect(first.actions.filter((a) => a.reason === 'blast-radius')).toHaveLength(DUE.length - 3);
    expect(remaining()).toEqual(DUE.filter((k) => !deleted.includes(k)));
    const second = await invoke({ ECO_MODE: 'apply' });
    expect(withStatus(second.actions, 'applied').sort()).toEqual(DUE.filter((k) => !deleted.includes(k)));
    expect(remaining()).toEqual([]);
    // Everything else is still there.
    for (const object of cluster) {
      const id = `${object.kind === 'ReplicaSet' ? 'replicasets' : object.kind === 'Job' ? 'jobs' : `${(object.kind ?? '').toLowerCase()}s`}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
      if (DUE.includes(id)) continue;
      const kind = object.kind ?? '';
      const ref =
        kind === 'Job'
          ? { group: 'batch', plural: 'jobs' }
          : kind === 'ReplicaSet'
            ? { group: 'apps', plural: 'replicasets' }
            : `${kind.toLowerCase()}s`;
      expect(emulator.store.get(ref, object.metadata.name, object.metadata.namespace), id).toBeDefined();
    }
  });
});
