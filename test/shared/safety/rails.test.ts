import { describe, expect, it } from 'vitest';
import type { Mode } from '../../../shared/bot/types.ts';
import type { Logger } from '../../../shared/log/types.ts';
import { resources } from '../../../shared/k8s/resources.ts';
import type { KubeObject } from '../../../shared/k8s/types.ts';
import { createSafetyRails, withPrecondition } from '../../../shared/safety/rails.ts';

/** What the runtime hands the rails as ctx.mode (tested in run-bot.test.ts). */
const effectiveMode = (envMode: string | undefined, requested?: Mode): Mode =>
  envMode === 'apply' && requested !== 'dry-run' ? 'apply' : 'dry-run';
import { FakeK8s } from './fake-k8s.ts';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const now = () => new Date('2026-06-01T12:00:00Z');

/** The runtime hands the rails the run's effective mode (ctx.mode), computed from ECO_MODE. */
function setup(env: Record<string, string> = {}, requested?: Mode) {
  const mode = effectiveMode(env.ECO_MODE, requested);
  const k8s = new FakeK8s();
  k8s.put(resources.namespaces, { metadata: { name: 'team-a' } });
  k8s.put(resources.namespaces, {
    metadata: { name: 'quiet', annotations: { 'eco.bsw-arch.org/exclude': 'true' } },
  });
  const rails = createSafetyRails({
    bot: 'eco-test-bot',
    k8s,
    mode,
    env,
    log: silent,
    now,
  });
  const job = (name: string, namespace = 'team-a', annotations: Record<string, string> = {}) =>
    k8s.put(resources.jobs, {
      metadata: { name, namespace, annotations, creationTimestamp: '2026-01-01T00:00:00Z' },
    });
  return { k8s, rails, job };
}
const deletes = (k8s: FakeK8s) => k8s.calls.filter((c) => c.verb === 'delete');
const events = (k8s: FakeK8s) => k8s.calls.filter((c) => c.verb === 'create' && c.type === 'events');

describe('mode', () => {
  it('dry-run sends the mutation with dryRun=All, reports it planned and changes nothing', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply' }, 'dry-run');
    const target = job('old');
    expect(rails.mode).toBe('dry-run');
    expect(setup({}).rails.mode).toBe('dry-run');
    const action = await rails.delete(resources.jobs, target, 'finished 9d ago');
    expect(action).toMatchObject({
      verb: 'delete',
      status: 'planned',
      reason: 'finished 9d ago',
      object: { kind: 'Job', namespace: 'team-a', name: 'old' },
    });
    expect(action.before).toMatchObject({ metadata: { name: 'old' } });
    expect(deletes(k8s)).toEqual([expect.objectContaining({ dryRun: true })]);
    expect(k8s.objects.has('jobs/team-a/old')).toBe(true);
    expect(events(k8s)).toEqual([]);
  });
});

describe('apply', () => {
  it('deletes with background propagation and preconditions, posts an Event, records the action once, keeps before', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply' });
    const target = job('old');
    const action = await rails.delete(resources.jobs, target, 'finished 9d ago');
    expect(action.status).toBe('applied');
    expect(action.before).toMatchObject({
      metadata: { name: 'old', resourceVersion: target.metadata.resourceVersion },
    });
    expect(k8s.objects.has('jobs/team-a/old')).toBe(false);
    expect(deletes(k8s)[0]?.options).toEqual({
      propagationPolicy: 'Background',
      preconditions: { uid: target.metadata.uid, resourceVersion: target.metadata.resourceVersion },
      dryRun: false,
    });
    const [event] = events(k8s);
    expect(event?.body).toMatchObject({
      metadata: { namespace: 'team-a' },
      involvedObject: { kind: 'Job', name: 'old', namespace: 'team-a', uid: target.metadata.uid },
      type: 'Normal',
      reason: 'EcoBotDelete',
      source: { component: 'eco-test-bot' },
    });
    expect(rails.actions()).toEqual([action]);
    expect(rails.actions()).toEqual([action]);
  });

  it('uses a bot-chosen event reason', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply' });
    await rails.delete(resources.jobs, job('x'), 'ttl', { eventReason: 'TimeToLiveExpired' });
    expect(events(k8s)[0]?.body).toMatchObject({ reason: 'TimeToLiveExpired' });
  });
});

describe('what the rails refuse', () => {
  it('skips excluded objects and objects in excluded or protected namespaces without calling the API', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply' });
    const a = await rails.delete(
      resources.jobs,
      job('mine', 'team-a', { 'eco.bsw-arch.org/exclude': 'true' }),
      'r',
    );
    const b = await rails.delete(resources.jobs, job('any', 'quiet'), 'r');
    const c = await rails.delete(resources.jobs, job('core', 'kube-system'), 'r');
    expect(a).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^excluded: eco.bsw-arch.org\/exclude=true/),
    });
    expect(b).toMatchObject({ status: 'skipped', reason: expect.stringContaining('namespace quiet') });
    expect(c).toMatchObject({ status: 'skipped', reason: 'excluded: protected-namespace: kube-system' });
    expect(deletes(k8s)).toEqual([]);
  });

  it('fails safe when the namespace cannot be read', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply' });
    const target = job('x');
    k8s.forbidden.add('namespaces');
    const action = await rails.delete(resources.jobs, target, 'r');
    expect(action).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('unreadable (forbidden)'),
    });
    expect(deletes(k8s)).toEqual([]);
  });

  it('caps actions per run at ECO_MAX_ACTIONS; skips past it with reason blast-radius', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply', ECO_MAX_ACTIONS: '2' });
    const results = [];
    for (const name of ['a', 'b', 'c', 'd']) results.push(await rails.delete(resources.jobs, job(name), 'r'));
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'skipped', 'skipped']);
    expect(results[2]?.reason).toBe('blast-radius');
    expect(deletes(k8s)).toHaveLength(2);
    expect(k8s.objects.has('jobs/team-a/c')).toBe(true);
    expect(rails.budget()).toEqual({ max: 2, used: 2 });
  });

  it('applies the cap in dry-run too, so the plan shows what apply would do', async () => {
    const { rails, job } = setup({ ECO_MAX_ACTIONS: '1' });
    const a = await rails.delete(resources.jobs, job('a'), 'r');
    const b = await rails.delete(resources.jobs, job('b'), 'r');
    expect([a.status, b.status, b.reason]).toEqual(['planned', 'skipped', 'blast-radius']);
  });

  it('refuses a bad ECO_MAX_ACTIONS (a ConfigError naming it), defaults to 10', () => {
    expect(() => setup({ ECO_MAX_ACTIONS: 'lots' })).toThrow(/ECO_MAX_ACTIONS: "lots"/);
    expect(() => setup({ ECO_MAX_ACTIONS: '-3' })).toThrow(/ECO_MAX_ACTIONS: "-3"/);
    expect(setup({}).rails.budget().max).toBe(10);
    expect(setup({ ECO_MAX_ACTIONS: '0' }).rails.budget().max).toBe(0);
  });

  it('reports a delete of a vanished object as skipped already-gone, not failed, and does not spend budget', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply', ECO_MAX_ACTIONS: '1' });
    const gone = job('gone');
    k8s.objects.delete('jobs/team-a/gone');
    expect(await rails.delete(resources.jobs, gone, 'r')).toMatchObject({
      status: 'skipped',
      reason: 'already-gone',
    });
    expect((await rails.delete(resources.jobs, job('next'), 'r')).status).toBe('applied');
  });

  it('never overwrites a changed object: 409 => re-read, skip changed-since-read', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply' });
    const read = job('busy');
    job('busy'); // someone updated it after we listed it: new resourceVersion
    const action = await rails.delete(resources.jobs, read, 'r');
    expect(action).toMatchObject({ status: 'skipped', reason: 'changed-since-read' });
    expect(k8s.objects.has('jobs/team-a/busy')).toBe(true);
    expect(events(k8s)).toEqual([]);
  });

  it('re-decides on the fresh object when the bot gives a redecide function', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply' });
    const read = job('busy');
    const fresh = job('busy');
    const seen: string[] = [];
    const action = await rails.delete(resources.jobs, read, 'r', {
      redecide: (obj) => {
        seen.push(obj.metadata.resourceVersion ?? '');
        return 'still finished';
      },
    });
    expect(seen).toEqual([fresh.metadata.resourceVersion]);
    expect(action).toMatchObject({ status: 'applied', reason: 'still finished' });
    expect(k8s.objects.has('jobs/team-a/busy')).toBe(false);
  });

  it('re-checks exclusions on the fresh object (someone annotated it meanwhile)', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply' });
    const read = job('busy');
    job('busy', 'team-a', { 'eco.bsw-arch.org/exclude': 'true' });
    const action = await rails.delete(resources.jobs, read, 'r', { redecide: () => 'go' });
    expect(action).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^changed-since-read; excluded/),
    });
    expect(k8s.objects.has('jobs/team-a/busy')).toBe(true);
  });

  it('records other API failures as failed with the error', async () => {
    const { k8s, rails, job } = setup({ ECO_MODE: 'apply' });
    const target = job('x');
    k8s.beforeMutation = () => {
      throw new Error('boom');
    };
    expect(await rails.delete(resources.jobs, target, 'r')).toMatchObject({
      status: 'failed',
      error: 'boom',
    });
  });
});

describe('patch and create', () => {
  it('adds the read resourceVersion as a precondition to every patch type', () => {
    const object: KubeObject = { metadata: { name: 'x', resourceVersion: '42' } };
    expect(withPrecondition({ spec: { replicas: 0 } }, 'merge', object)).toEqual({
      spec: { replicas: 0 },
      metadata: { resourceVersion: '42' },
    });
    expect(withPrecondition([{ op: 'replace', path: '/spec/replicas', value: 0 }], 'json', object)).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      { op: 'replace', path: '/spec/replicas', value: 0 },
    ]);
    expect(withPrecondition({ metadata: { labels: { a: 'b' } } }, 'strategic', object)).toEqual({
      metadata: { labels: { a: 'b' }, resourceVersion: '42' },
    });
  });

  it('patches with before and after; a stale read is skipped', async () => {
    const { k8s, rails } = setup({ ECO_MODE: 'apply' });
    const dep = k8s.put(resources.deployments, {
      metadata: { name: 'web', namespace: 'team-a' },
      spec: { replicas: 3 },
    });
    const action = await rails.patch(resources.deployments, dep, { spec: { replicas: 1 } }, 'merge', 'idle');
    expect(action).toMatchObject({
      status: 'applied',
      before: { spec: { replicas: 3 } },
      after: { spec: { replicas: 1 } },
    });
    const again = await rails.patch(resources.deployments, dep, { spec: { replicas: 0 } }, 'merge', 'idle');
    expect(again).toMatchObject({ status: 'skipped', reason: 'changed-since-read' });
  });

  it('creates; an existing object is skipped already-exists; namespace exclusion applies', async () => {
    const { rails } = setup({ ECO_MODE: 'apply' });
    const cm = { metadata: { name: 'c', namespace: 'team-a' }, data: {} };
    expect((await rails.create(resources.configmaps, cm, 'r')).status).toBe('applied');
    expect(await rails.create(resources.configmaps, cm, 'r')).toMatchObject({
      status: 'skipped',
      reason: 'already-exists',
    });
    expect(
      (await rails.create(resources.configmaps, { metadata: { name: 'c', namespace: 'quiet' } }, 'r')).status,
    ).toBe('skipped');
  });
});
