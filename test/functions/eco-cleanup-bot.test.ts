import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-cleanup-bot/handler.ts';
import type { K8s, KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import {
  D,
  DUE,
  NOW,
  ago,
  cluster,
  key,
  ns,
  replicaSet,
  storeRef,
  withStatus,
} from './eco-cleanup-bot.helpers.ts';

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(env: Record<string, string> = {}): Promise<BotHarness> {
  harness = await startBotHarness(bot, { objects: cluster, now: () => NOW, env });
  return harness;
}

/** Every object of the kinds the test cluster uses, as `plural/ns/name`. */
function inventory(h: BotHarness): string[] {
  const out: string[] = [];
  for (const plural of ['namespaces', 'jobs', 'pods', 'replicasets', 'configmaps', 'services', 'secrets']) {
    const ref = storeRef(plural);
    for (const o of h.emulator.store.list(ref))
      out.push(`${plural}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  }
  return out.sort();
}
const events = (h: BotHarness) =>
  h.emulator.store.list<
    KubeObject & { reason?: string; type?: string; involvedObject?: { name?: string }; count?: number }
  >('events');

describe('eco-cleanup-bot (RBAC enforced)', () => {
  it('dry-run (the default) plans exactly the due objects, validated by the server, and changes nothing', async () => {
    const h = await start();
    const before = inventory(h);
    const report = await h.run({});
    expect(report.mode).toBe('dry-run');
    expect(report.errors).toEqual([]);
    expect(withStatus(report.actions, 'planned')).toEqual(DUE);
    expect(withStatus(report.actions, 'applied')).toEqual([]);
    expect(inventory(h)).toEqual(before);
    expect(events(h)).toEqual([]);
    const deletes = h.emulator.requests.filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(DUE.length);
    // Each was answered 200 by the server, which deleted nothing: the plan was validated as dryRun=All.
    expect(deletes.every((r) => r.status === 200)).toBe(true);
    expect(report.findings.map((f) => f.check).sort()).toEqual([
      'cleanup.expired',
      'cleanup.job-finished',
      'cleanup.pod-evicted',
      'cleanup.pod-failed',
      'cleanup.replicaset-orphaned',
      'cleanup.ttl-expired',
      'cleanup.ttl-expired',
    ]);
    expect(report.summary).toBe('29 objects scanned, 11 due: 7 planned (dry-run), 4 skipped');
  });

  it('apply deletes exactly the due objects, with Events and before-state, and nothing else', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const before = inventory(h);
    const report = await h.run({});
    expect(report.mode).toBe('apply');
    expect(report.errors).toEqual([]);
    expect(withStatus(report.actions, 'applied')).toEqual(DUE);
    expect(inventory(h)).toEqual(before.filter((k) => !DUE.includes(k)));
    for (const action of report.actions.filter((a) => a.status === 'applied')) {
      expect(action.before).toMatchObject({ metadata: { name: action.object.name } });
    }
    const reasons = events(h)
      .map((e) => `${e.involvedObject?.name ?? ''}:${e.reason ?? ''}`)
      .sort();
    expect(reasons).toEqual([
      'cm-ttl-expired:TimeToLiveExpired',
      'job-old-done:FinishedJobExpired',
      'pod-evicted-old:EvictedPodExpired',
      'pod-failed-old:FailedPodExpired',
      'preview-42:TimeToLiveExpired',
      'rs-orphan:OrphanReplicaSetExpired',
      'svc-expired:ExpiryTimeReached',
    ]);
  });

  it('will not delete: excluded objects, excluded or protected namespaces, unexpired, CronJob-owned, running', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const report = await h.run({});
    const skipped = Object.fromEntries(
      report.actions.filter((a) => a.status === 'skipped').map((a) => [key(a), a.reason]),
    );
    expect(skipped).toEqual({
      'jobs/team-a/job-excluded': expect.stringMatching(/^excluded: eco.bsw-arch.org\/exclude=true/),
      'jobs/team-a/job-exclude-until': expect.stringMatching(/^excluded: eco.bsw-arch.org\/exclude-until=/),
      'jobs/quiet/job-quiet': expect.stringMatching(/^excluded: .*namespace quiet/),
      'pods/kube-system/pod-evicted-system': 'excluded: protected-namespace: kube-system',
    });
    const left = inventory(h);
    for (const kept of [
      'jobs/team-a/job-recent-done',
      'jobs/team-a/job-cron-owned',
      'jobs/team-a/job-ttl-controller',
      'jobs/team-a/job-running',
      'jobs/team-a/job-forever',
      'pods/team-a/pod-running',
      'pods/team-a/pod-failed-recent',
      'pods/team-a/pod-failed-job-owned',
      'replicasets/team-a/rs-owned',
      'replicasets/team-a/rs-orphan-scaled',
      'configmaps/team-a/cm-ttl-future',
      'namespaces//preview-43',
      'secrets/team-a/secret-expired',
    ]) {
      expect(left).toContain(kept);
    }
  });

  it('stays within its RBAC: secrets are never requested, and no request was refused', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    await h.run({});
    expect(h.emulator.requests.some((r) => r.resource === 'secrets')).toBe(false);
    expect(h.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
    expect(new Set(h.emulator.requests.map((r) => r.user))).toEqual(new Set([h.user]));
  });

  it('deletes no more than ECO_MAX_ACTIONS, longest-overdue first, and says so', async () => {
    const h = await start({ ECO_MODE: 'apply', ECO_MAX_ACTIONS: '2' });
    const report = await h.run({});
    // Due since: the Service's expiry (2026-05-01, 31 d ago) and the orphan ReplicaSet (30 d old,
    // threshold 7 d: due 23 d ago) come before the Job (TTL ended 3 d ago) and the rest.
    expect(withStatus(report.actions, 'applied')).toEqual([
      'replicasets/team-a/rs-orphan',
      'services/team-a/svc-expired',
    ]);
    expect(
      report.actions
        .filter((a) => a.reason === 'blast-radius')
        .map(key)
        .sort(),
    ).toEqual(
      DUE.filter((k) => !['replicasets/team-a/rs-orphan', 'services/team-a/svc-expired'].includes(k)),
    );
    expect(report.summary).toMatch(/5 over the blast-radius cap/);
    expect(inventory(h)).toContain('pods/team-a/pod-failed-old');
  });

  it('does not delete an object that changed between list and delete', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const intercept = (k8s: K8s): K8s => ({
      ...k8s,
      list: (type, options) => k8s.list(type, options),
      get: (type, name, namespace) => k8s.get(type, name, namespace),
      create: (type, body, options) => k8s.create(type, body, options),
      replace: (type, body, options) => k8s.replace(type, body, options),
      patch: (type, name, namespace, patch, options) => k8s.patch(type, name, namespace, patch, options),
      request: (method, path, body, contentType) => k8s.request(method, path, body, contentType),
      async delete(type, name, namespace, options) {
        if (name === 'job-old-done') {
          // Someone relabels the Job after the bot listed it: its resourceVersion moves on.
          const current = h.emulator.store.get({ group: 'batch', plural: 'jobs' }, name, namespace);
          if (current)
            h.emulator.store.put({ ...current, metadata: { ...current.metadata, labels: { keep: 'me' } } });
        }
        return k8s.delete(type, name, namespace, options);
      },
    });
    const report = await h.run({}, { intercept });
    const action = report.actions.find((a) => a.object.name === 'job-old-done');
    expect(action).toMatchObject({ status: 'skipped', reason: 'changed-since-read' });
    expect(inventory(h)).toContain('jobs/team-a/job-old-done');
    expect(withStatus(report.actions, 'applied')).toEqual(
      DUE.filter((k) => k !== 'jobs/team-a/job-old-done'),
    );
  });

  it('treats an object deleted by someone else meanwhile as already gone, not a failure', async () => {
    const h = await start({ ECO_MODE: 'apply' });
    const intercept = (k8s: K8s): K8s =>
      Object.assign(Object.create(null) as K8s, k8s, {
        list: k8s.list.bind(k8s),
        async delete(...args: Parameters<K8s['delete']>) {
          if (args[1] === 'pod-failed-old') h.emulator.store.delete('pods', 'pod-failed-old', 'team-a');
          return k8s.delete(...args);
        },
      });
    const report = await h.run({}, { intercept });
    expect(report.actions.find((a) => a.object.name === 'pod-failed-old')).toMatchObject({
      status: 'skipped',
      reason: 'already-gone',
    });
    expect(report.errors).toEqual([]);
  });

  it('with ECO_CLEANUP_NOTICE posts a Warning Event first and deletes only after the notice period', async () => {
    const h = await start({ ECO_MODE: 'apply', ECO_CLEANUP_NOTICE: '1h' });
    const first = await h.run({});
    expect(withStatus(first.actions, 'applied')).toEqual([]);
    expect(
      first.actions
        .filter((a) => a.reason.startsWith('notice-posted'))
        .map(key)
        .sort(),
    ).toEqual(DUE);
    const notices = events(h).filter((e) => e.reason === 'EcoCleanupNotice');
    expect(notices).toHaveLength(DUE.length);
    expect(notices.every((e) => e.type === 'Warning')).toBe(true);

    const second = await h.run({}, { now: () => new Date(NOW.getTime() + 30 * 60_000) });
    expect(withStatus(second.actions, 'applied')).toEqual([]);
    expect(
      second.actions
        .filter((a) => a.reason.startsWith('notice-pending'))
        .map(key)
        .sort(),
    ).toEqual(DUE);
    expect(
      events(h)
        .filter((e) => e.reason === 'EcoCleanupNotice')
        .every((e) => e.count === 2),
    ).toBe(true);

    const third = await h.run({}, { now: () => new Date(NOW.getTime() + 61 * 60_000) });
    expect(withStatus(third.actions, 'applied')).toEqual(DUE);
  });

  it('in dry-run with a notice period posts nothing and says what it would do', async () => {
    const h = await start({ ECO_CLEANUP_NOTICE: '1h' });
    const report = await h.run({});
    expect(
      report.actions
        .filter((a) => a.reason.startsWith('notice-required'))
        .map(key)
        .sort(),
    ).toEqual(DUE);
    expect(events(h)).toEqual([]);
  });

  it('limits itself to one namespace and to the requested rules', async () => {
    const h = await start();
    const report = await h.run({ namespace: 'team-a', rules: ['jobs', 'pods'] });
    expect(withStatus(report.actions, 'planned')).toEqual([
      'jobs/team-a/job-old-done',
      'pods/team-a/pod-evicted-old',
      'pods/team-a/pod-failed-old',
    ]);
    expect(h.emulator.requests.some((r) => r.resource === 'namespaces' && r.verb === 'list')).toBe(false);
  });

  it('surfaces a 403 outside its RBAC as a report error and carries on', async () => {
    const h = await start();
    h.emulator.addToken(h.token, {
      user: h.user,
      rules: bot.rbac.filter((r) => !r.apiGroups.includes('apps')),
    });
    const report = await h.run({});
    expect(report.errors).toContainEqual({
      code: 'k8s-forbidden',
      message: `list replicasets: replicasets.apps is forbidden: User "${h.user}" cannot list resource "replicasets" in API group "apps" at the cluster scope`,
    });
    expect(withStatus(report.actions, 'planned')).toContain('jobs/team-a/job-old-done');
  });

  it('prunes a Deployment’s old ReplicaSets beyond its revisionHistoryLimit, like the controller would', async () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop', namespace: 'team-a', uid: 'dep-uid', creationTimestamp: ago(90 * D) },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 2,
        selector: { matchLabels: { app: 'shop' } },
        template: {
          metadata: { labels: { app: 'shop' } },
          spec: { containers: [{ name: 'c', image: 'shop:5' }] },
        },
      },
    };
    const rs = (revision: number, replicas: number): KubeObject => ({
      ...replicaSet(`shop-r${revision}`, replicas, false),
      metadata: {
        name: `shop-r${revision}`,
        namespace: 'team-a',
        creationTimestamp: ago((10 - revision) * D),
        annotations: { 'deployment.kubernetes.io/revision': String(revision) },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop', uid: 'dep-uid', controller: true },
        ],
      },
    });
    harness = await startBotHarness(bot, {
      objects: [ns('team-a'), deployment, rs(1, 0), rs(2, 0), rs(3, 1), rs(4, 0), rs(5, 0), rs(6, 3)],
      now: () => NOW,
    });
    const report = await harness.run({ rules: ['replicasets'] });
    // Old: r1..r5 (r6 is current). Limit 2 => the oldest three go, but r3 still runs a pod.
    expect(withStatus(report.actions, 'planned')).toEqual([
      'replicasets/team-a/shop-r1',
      'replicasets/team-a/shop-r2',
    ]);
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: 'cleanup.replicaset-history',
        object: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'team-a',
          name: 'shop',
          uid: 'dep-uid',
        },
        evidence: { revisionHistoryLimit: 2, prune: ['shop-r1', 'shop-r2'] },
      }),
    ]);
  });

  it('rejects bad configuration with a clear error', async () => {
    const h = await start({ ECO_CLEANUP_JOB_TTL: 'a week' });
    await expect(h.run({})).rejects.toThrow(/ECO_CLEANUP_JOB_TTL/);
    await expect(h.run({ rules: ['everything'] }, { env: { ECO_CLEANUP_JOB_TTL: '7d' } })).rejects.toThrow();
  });
});

describe('eco-cleanup-bot on the demo cluster', () => {
  it('finds what is planted for it and leaves the look-alikes alone', async () => {
    const { PLANTED } = await import('../../local/demo-cluster/index.ts');
    harness = await startBotHarness(bot, { demo: true });
    // With the defaults (ECO_CLEANUP_JOB_TTL 7d), as `npm start` runs it.
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const refKey = (o: { kind: string; namespace?: string; name: string }) =>
      `${o.kind}/${o.namespace ?? ''}/${o.name}`;
    const found = new Set(report.findings.map((f) => `${f.check} ${refKey(f.object)}`));
    const acted = new Set(report.actions.filter((a) => a.status === 'planned').map((a) => refKey(a.object)));
    const mine = PLANTED.filter((p) => p.bot === bot.name && p.object);
    expect(mine.length).toBeGreaterThan(5);
    const missed: string[] = [];
    for (const planted of mine) {
      const object = planted.object as { kind: string; namespace?: string; name: string };
      const key = `${planted.check} ${refKey(object)}`;
      if (planted.expect === 'found' && !found.has(key)) missed.push(`not found: ${key}`);
      if (
        planted.expect === 'ignored' &&
        ([...found].some((f) => f.endsWith(` ${refKey(object)}`)) || acted.has(refKey(object)))
      ) {
        missed.push(`not ignored: ${key}`);
      }
    }
    expect(missed).toEqual([]);
  });
});
