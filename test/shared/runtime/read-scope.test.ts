// Read sharing in a sweep (shared/runtime/read-scope.ts): bots of one tick list a resource once
// between them, never across ticks, never across credentials or around a bot's own RBAC, and never
// keep a failed read.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineBot } from '../../../shared/bot/index.ts';
import type { Bot, RbacRule } from '../../../shared/bot/types.ts';
import { createK8s, type K8sClient } from '../../../shared/k8s/client.ts';
import { isK8sApiError } from '../../../shared/k8s/errors.ts';
import { resources } from '../../../shared/k8s/resources.ts';
import type { KubeObject, ListOptions } from '../../../shared/k8s/types.ts';
import { silentLogger } from '../../../shared/log/index.ts';
import { runBot, type TickResult } from '../../../shared/runtime/index.ts';
import { createReadScope, type ReadScope } from '../../../shared/runtime/read-scope.ts';
import { closeProcessClusters } from '../../../shared/runtime/cluster.ts';
import { startEmulator, type Emulator } from '../../../local/k8s-emulator/index.ts';
import { post, startServer } from '../../contract/helpers.ts';

const PODS_READ: RbacRule = { apiGroups: [''], resources: ['pods'], verbs: ['list'] };
const CONFIGMAPS_READ: RbacRule = { apiGroups: [''], resources: ['configmaps'], verbs: ['list'] };

/** A bot that lists pods with `options` and reports each pod's name (or the read's error). */
function podLister(name: string, rbac: RbacRule[], options: ListOptions = {}, cron = '* * * * *'): Bot {
  return defineBot({
    name,
    category: 'maintenance',
    tier: 'small',
    summary: 'lists pods (read-scope tests)',
    triggers: { cron, http: true },
    rbac,
    mutates: false,
    input: Type.Object({}),
    async run(_input, ctx) {
      const names: string[] = [];
      try {
        for await (const pod of ctx.k8s.list(resources.pods, options)) names.push(pod.metadata.name);
      } catch (error) {
        const status = isK8sApiError(error) ? error.status : 0;
        return { summary: `error ${status}`, findings: [], data: { status } };
      }
      return { summary: names.sort().join(','), findings: [] };
    },
  }) as Bot;
}

const pod = (name: string, namespace: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1' }] },
});

let emulator: Emulator;
let dir: string;
const clients: K8sClient[] = [];

/** A client of the emulator acting as `token` (no retries: a failure is seen as it is). */
function clientAs(token: string): K8sClient {
  const k8s = createK8s({
    env: { ECO_K8S_RETRIES: '0' },
    config: {
      server: emulator.url,
      source: 'kubeconfig',
      namespace: 'default',
      insecureSkipTlsVerify: true,
      authHeaders: async () => ({ authorization: `Bearer ${token}` }),
    },
  });
  clients.push(k8s);
  return k8s;
}

/** Pod lists the API server answered (a faulted one included: it is answered before RBAC). */
const podLists = (): number =>
  emulator.requests.filter(
    (r) => r.method === 'GET' && /^\/api\/v1(\/namespaces\/[^/]+)?\/pods$/.test(r.path),
  ).length;

async function sweep(bots: readonly Bot[], k8s: (bot: Bot) => K8sClient, reads: ReadScope) {
  return Promise.all(
    bots.map((bot) => runBot(bot, {}, { trigger: 'cron', k8s: k8s(bot), reads, log: silentLogger, env: {} })),
  );
}

beforeAll(async () => {
  emulator = await startEmulator({
    objects: [pod('a', 'team-a', { app: 'web' }), pod('b', 'team-a', { app: 'db' }), pod('c', 'team-b')],
    tokens: {
      'token-pods': { user: 'system:serviceaccount:eco-bots:pods', rules: [PODS_READ] },
      'token-configmaps': { user: 'system:serviceaccount:eco-bots:configmaps', rules: [CONFIGMAPS_READ] },
      'token-union': { user: 'system:serviceaccount:eco-bots:group', rules: [PODS_READ, CONFIGMAPS_READ] },
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'eco-read-scope-'));
});

afterEach(() => {
  emulator.requests.length = 0;
  emulator.faults.clear();
});

afterAll(async () => {
  for (const k8s of clients) k8s.close();
  await closeProcessClusters();
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('createReadScope: one list per request per sweep', () => {
  it('two bots of one sweep listing the same pods make one list and get the same answer', async () => {
    const k8s = clientAs('token-union');
    const reads = createReadScope();
    const bots = [podLister('eco-one-bot', [PODS_READ]), podLister('eco-two-bot', [PODS_READ])];
    const reports = await sweep(bots, () => k8s, reads);
    expect(reports.map((r) => r.summary)).toEqual(['a,b,c', 'a,b,c']);
    expect(podLists()).toBe(1);
    const stats = [...reads.stats().values()];
    expect(stats.map((s) => s.listed).reduce((a, b) => a + b)).toBe(1);
    expect(stats.map((s) => s.shared).reduce((a, b) => a + b)).toBe(1);
  });

  it('a second sweep lists again and sees what changed in between', async () => {
    const k8s = clientAs('token-union');
    const bots = [podLister('eco-one-bot', [PODS_READ]), podLister('eco-two-bot', [PODS_READ])];
    await sweep(bots, () => k8s, createReadScope());
    emulator.seed([pod('d', 'team-b')]);
    const later = await sweep(bots, () => k8s, createReadScope());
    expect(later.map((r) => r.summary)).toEqual(['a,b,c,d', 'a,b,c,d']);
    expect(podLists()).toBe(2);
    emulator.store.delete('pods', 'd', 'team-b');
  });

  it('a closed scope reads afresh', async () => {
    const k8s = clientAs('token-union');
    const reads = createReadScope();
    const bot = podLister('eco-one-bot', [PODS_READ]);
    await sweep([bot], () => k8s, reads);
    reads.close();
    await sweep([bot], () => k8s, reads);
    expect(podLists()).toBe(2);
  });

  it('different namespaces or selectors are separate reads with their own answers', async () => {
    const k8s = clientAs('token-union');
    const bots = [
      podLister('eco-all-bot', [PODS_READ]),
      podLister('eco-ns-bot', [PODS_READ], { namespace: 'team-a' }),
      podLister('eco-label-bot', [PODS_READ], { labelSelector: 'app=web' }),
      podLister('eco-field-bot', [PODS_READ], { fieldSelector: 'metadata.namespace=team-b' }),
      podLister('eco-paged-bot', [PODS_READ], { pageSize: 1 }),
    ];
    const reports = await sweep(bots, () => k8s, createReadScope());
    expect(reports.map((r) => r.summary)).toEqual(['a,b,c', 'a,b', 'a', 'c', 'a,b,c']);
    // The page size does not change which objects come back: that one is shared with eco-all-bot.
    expect(podLists()).toBe(4);
  });

  it('listed objects are frozen: a bot cannot change what another bot of the sweep reads', async () => {
    const k8s = clientAs('token-union');
    const mutator = defineBot({
      ...(podLister('eco-mutator-bot', [PODS_READ]) as Bot),
      async run(_input, ctx) {
        for await (const p of ctx.k8s.list(resources.pods)) p.metadata.name = 'changed';
        return { summary: 'mutated', findings: [] };
      },
    }) as Bot;
    const reads = createReadScope();
    await expect(runBot(mutator, {}, { k8s, reads, log: silentLogger, env: {} })).rejects.toThrow(TypeError);
    const [after] = await sweep([podLister('eco-one-bot', [PODS_READ])], () => k8s, reads);
    expect(after?.summary).toBe('a,b,c');
    // On its own (no sweep) a run gets its own copies, as before.
    await expect(runBot(mutator, {}, { k8s, log: silentLogger, env: {} })).resolves.toMatchObject({
      summary: 'mutated',
    });
  });
});

describe('createReadScope: RBAC cannot leak through the cache', () => {
  it('bots under different credentials never share: each read is authorised for its own token', async () => {
    const byBot = new Map<string, K8sClient>([
      ['eco-pods-bot', clientAs('token-pods')],
      ['eco-configmaps-bot', clientAs('token-configmaps')],
    ]);
    // eco-configmaps-bot wrongly declares pods: its own token still decides.
    const bots = [podLister('eco-pods-bot', [PODS_READ]), podLister('eco-configmaps-bot', [PODS_READ])];
    const reports = await sweep(bots, (bot) => byBot.get(bot.name) as K8sClient, createReadScope());
    expect(reports.map((r) => r.summary)).toEqual(['a,b,c', 'error 403']);
    expect(podLists()).toBe(2);
  });

  it('under one union ServiceAccount, a bot whose rules do not grant the list is not served from the cache', async () => {
    const k8s = clientAs('token-union');
    const reads = createReadScope();
    const reader = podLister('eco-pods-bot', [PODS_READ]);
    const outsider = podLister('eco-configmaps-bot', [CONFIGMAPS_READ]);
    await sweep([reader], () => k8s, reads);
    expect(podLists()).toBe(1);
    await sweep([outsider], () => k8s, reads);
    // Its list went to the API server as it would without the scope, not to the held pods.
    expect(podLists()).toBe(2);
    expect(reads.stats().get('eco-configmaps-bot')).toEqual({ listed: 0, shared: 0, bypassed: 1 });
    expect(reads.stats().get('eco-pods-bot')).toEqual({ listed: 1, shared: 0, bypassed: 0 });
  });
});

describe('createReadScope: failures', () => {
  it('a failed read is handed to its caller and not kept: the next bot of the sweep reads again', async () => {
    const k8s = clientAs('token-union');
    const reads = createReadScope();
    emulator.faults.add({ method: 'GET', path: '/api/v1/pods', status: 500, times: 1 });
    const [failed] = await sweep([podLister('eco-one-bot', [PODS_READ])], () => k8s, reads);
    expect(failed?.summary).toBe('error 500');
    const [next] = await sweep([podLister('eco-two-bot', [PODS_READ])], () => k8s, reads);
    expect(next?.summary).toBe('a,b,c');
    expect(podLists()).toBe(2);
  });
});

describe('the cron tick shares reads among the bots it runs', () => {
  it('one tick of two due bots lists pods once; the next tick lists again; a bot due alone reads alone', async () => {
    let now = new Date('2026-01-01T10:00:05Z');
    const kubeconfig = join(dir, 'union.kubeconfig');
    await emulator.writeKubeconfig(kubeconfig, 'token-union');
    const bots = [
      podLister('eco-one-bot', [PODS_READ]),
      podLister('eco-two-bot', [PODS_READ], {}, '*/2 * * * *'),
    ];
    const s = await startServer(bots, { KUBECONFIG: kubeconfig, HOME: dir }, { now: () => now });
    const tick = async (): Promise<TickResult> => {
      const answer = await post(s.url, undefined, { 'x-connector': 'cron-connector' });
      expect(answer.status).toBe(202);
      return answer.json as TickResult;
    };
    const finished = () =>
      s.lines.filter((l) => l['msg'] === 'run finished' && typeof l['bot'] === 'string').length;

    expect((await tick()).started.sort()).toEqual(['eco-one-bot', 'eco-two-bot']);
    await expect.poll(finished).toBe(2);
    expect(podLists()).toBe(1);

    now = new Date('2026-01-01T10:01:05Z');
    expect((await tick()).started).toEqual(['eco-one-bot']);
    await expect.poll(finished).toBe(3);
    expect(podLists()).toBe(2);

    now = new Date('2026-01-01T10:02:05Z');
    expect((await tick()).started.sort()).toEqual(['eco-one-bot', 'eco-two-bot']);
    await expect.poll(finished).toBe(5);
    expect(podLists()).toBe(3);
  });
});
