// eco-maintenance-bot: kured's drain (https://github.com/kubereboot/kured) as a state machine in node
// annotations and coordination.k8s.io Leases, driven tick by tick over the emulator's Eviction API,
// which answers 429 when a PodDisruptionBudget would be violated (as the apiserver does).
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-maintenance-bot/handler.ts';
import { pdbBlocksDrain } from '../../functions/eco-maintenance-bot/pdb.ts';
import { needsReboot, podDisposition, liveHolder } from '../../functions/eco-maintenance-bot/state.ts';
import type { Action, Report } from '../../shared/bot/types.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const T0 = new Date('2026-12-05T03:00:00Z');
let clock = T0;
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const APPLY = { ECO_MODE: 'apply', ECO_MAX_ACTIONS: '50' };

function node(
  name: string,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
  unschedulable = false,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels }, annotations },
    spec: unschedulable ? { unschedulable: true } : {},
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function pod(
  namespace: string,
  name: string,
  nodeName: string,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name.replace(/-\d+$/, '') }, ...extra },
    spec: { nodeName, containers: [{ name: 'c', image: 'registry.local/app:1.0.0' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

const pdb = (minAvailable: number): KubeObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web-pdb', namespace: 'shop' },
  spec: { minAvailable, selector: { matchLabels: { app: 'web' } } },
});

/** node-a needs a reboot and runs web-1 and web-2 (web-3 is on node-b), a DaemonSet pod and a mirror pod. */
function cluster(
  extra: KubeObject[] = [],
  nodeA: KubeObject = node('node-a', { 'reboot-required': 'true' }),
): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'logging' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    nodeA,
    node('node-b'),
    node('node-c'),
    pod('shop', 'web-1', 'node-a'),
    pod('shop', 'web-2', 'node-a'),
    pod('shop', 'web-3', 'node-b'),
    pod('logging', 'fluent-bit-x7k2p', 'node-a', {
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluent-bit', uid: 'ds-1', controller: true },
      ],
    }),
    pod('logging', 'static-proxy-node-a', 'node-a', {
      annotations: { 'kubernetes.io/config.mirror': 'abc123' },
    }),
    pdb(2),
    ...extra,
  ];
}

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  clock = T0;
});

async function start(objects: KubeObject[], env: Record<string, string> = APPLY): Promise<BotHarness> {
  harness = await startBotHarness(bot, { objects, now: () => clock, env });
  return harness;
}

const tick = (h: BotHarness, minutes: number, input: unknown = {}): Promise<Report> => {
  clock = at(minutes);
  return h.run(input, { trigger: 'cron' });
};
const podsOn = (h: BotHarness, nodeName: string): string[] =>
  h.emulator.store
    .list('pods')
    .filter((p) => (p['spec'] as { nodeName?: string }).nodeName === nodeName)
    .map((p) => p.metadata.name)
    .sort();
const nodeOf = (h: BotHarness, name: string): KubeObject => h.emulator.store.get('nodes', name) as KubeObject;
const stateOf = (h: BotHarness, name: string): string | undefined =>
  nodeOf(h, name).metadata.annotations?.['eco.bsw-arch.org/maintenance-state'];
const cordoned = (h: BotHarness, name: string): boolean =>
  (nodeOf(h, name)['spec'] as { unschedulable?: boolean }).unschedulable === true;
const leases = (h: BotHarness) =>
  h.emulator.store.list({ group: 'coordination.k8s.io', plural: 'leases' }, 'default');
const holder = (h: BotHarness): string | null | undefined =>
  (leases(h)[0]?.['spec'] as { holderIdentity?: string | null } | undefined)?.holderIdentity ?? null;
const verbs = (actions: Action[], status: Action['status']): string[] =>
  actions.filter((a) => a.status === status).map((a) => `${a.verb} ${a.object.kind} ${a.object.name}`);

describe('eco-maintenance-bot drain state machine (kured, over the Eviction API)', () => {
  it('drains over several ticks: cordon, evict honouring the PDB (429 waits), ready for reboot, uncordon after (kured drain/uncordon)', async () => {
    const h = await start(cluster());
    const first = await tick(h, 0);
    expect(first.errors).toEqual([]);
    expect(cordoned(h, 'node-a')).toBe(true);
    expect(stateOf(h, 'node-a')).toBe('draining');
    expect(holder(h)).toBe('node-a');
    // web-1 may go (3 healthy, 2 needed); web-2 then would break minAvailable 2: 429, skipped, not forced.
    expect(verbs(first.actions, 'applied')).toContain('evict Pod web-1');
    const refused = first.actions.find((a) => a.verb === 'evict' && a.object.name === 'web-2');
    expect(refused).toMatchObject({ status: 'skipped', reason: 'disruption-budget' });
    // DaemonSet and mirror pods are never evicted (kubectl drain --ignore-daemonsets).
    expect(
      first.actions.some(
        (a) => a.object.name === 'fluent-bit-x7k2p' || a.object.name === 'static-proxy-node-a',
      ),
    ).toBe(false);
    expect(podsOn(h, 'node-a')).toEqual(['fluent-bit-x7k2p', 'static-proxy-node-a', 'web-2']);
    expect(first.findings.find((f) => f.check === 'maintenance.drain-pending')).toMatchObject({
      severity: 'warning',
      evidence: { blocked: 1, blockedPods: ['shop/web-2'] },
    });

    // Still blocked on the next tick: nothing forced.
    const second = await tick(h, 5);
    expect(second.actions.find((a) => a.verb === 'evict')).toMatchObject({ reason: 'disruption-budget' });
    expect(stateOf(h, 'node-a')).toBe('draining');

    // The replacement of web-1 comes up on node-c: the budget allows one disruption again.
    h.emulator.store.put(pod('shop', 'web-4', 'node-c'));
    const third = await tick(h, 10);
    expect(verbs(third.actions, 'applied')).toContain('evict Pod web-2');
    expect(stateOf(h, 'node-a')).toBe('ready-for-reboot');
    expect(third.findings.map((f) => f.check)).toContain('maintenance.ready-for-reboot');
    expect(cordoned(h, 'node-a')).toBe(true);
    expect(holder(h)).toBe('node-a');

    // The node rebooted and its tooling cleared the flag: uncordon, clear the state, free the Lease.
    const back = nodeOf(h, 'node-a');
    delete back.metadata.labels?.['reboot-required'];
    h.emulator.store.put(back);
    const fourth = await tick(h, 30);
    expect(verbs(fourth.actions, 'applied')).toContain('uncordon Node node-a');
    expect(cordoned(h, 'node-a')).toBe(false);
    expect(stateOf(h, 'node-a')).toBeUndefined();
    expect(holder(h)).toBeNull();
    expect(fourth.data).toMatchObject({ nodes: { 'node-a': 'done' } });
  });

  it('gives up a drain past its timeout: uncordons, releases the Lease, does not retry by itself (kured --drain-timeout)', async () => {
    const h = await start(cluster([], node('node-a', { 'reboot-required': 'true' })), {
      ...APPLY,
      ECO_MAINTENANCE_DRAIN_TIMEOUT: '30m',
    });
    h.emulator.store.put(pdb(3)); // web-1 and web-2 can never go
    await tick(h, 0);
    expect(stateOf(h, 'node-a')).toBe('draining');
    expect(podsOn(h, 'node-a')).toContain('web-1');
    const late = await tick(h, 31);
    expect(late.findings.find((f) => f.check === 'maintenance.drain-timed-out')).toMatchObject({
      severity: 'warning',
      object: { kind: 'Node', name: 'node-a' },
    });
    expect(cordoned(h, 'node-a')).toBe(false);
    expect(stateOf(h, 'node-a')).toBe('drain-timed-out');
    expect(holder(h)).toBeNull();
    // The next tick leaves it alone; an operator's request starts it again.
    const next = await tick(h, 36);
    expect(next.actions.filter((a) => a.verb === 'cordon')).toEqual([]);
    expect(next.findings.map((f) => f.check)).toContain('maintenance.drain-timed-out');
    const again = await tick(h, 40, { nodes: ['node-a'] });
    expect(verbs(again.actions, 'applied')).toContain('cordon Node node-a');
    expect(stateOf(h, 'node-a')).toBe('draining');
  });

  it('two concurrent runs with two flagged nodes: one Lease, one node drained at a time (concurrency 1)', async () => {
    const h = await start(cluster([node('node-d', { 'reboot-required': 'true' })]));
    const [a, b] = await Promise.all([tick(h, 0), h.run({}, { trigger: 'cron' })]);
    const all = [...a.actions, ...b.actions];
    expect(all.filter((x) => x.verb === 'create' && x.status === 'applied')).toHaveLength(1);
    expect(leases(h)).toHaveLength(1);
    const drained = ['node-a', 'node-d'].filter((n) => cordoned(h, n));
    expect(drained).toHaveLength(1);
    expect(holder(h)).toBe(drained[0]);
    const other = drained[0] === 'node-a' ? 'node-d' : 'node-a';
    expect(stateOf(h, other)).toBeUndefined();
    expect({ ...(a.data?.['nodes'] as object), ...(b.data?.['nodes'] as object) }).toHaveProperty(other);
  });

  it('drains two nodes side by side with ECO_MAINTENANCE_CONCURRENCY=2 (kured --concurrency), one Lease each', async () => {
    const h = await start(cluster([node('node-d', { 'reboot-required': 'true' })]), {
      ...APPLY,
      ECO_MAINTENANCE_CONCURRENCY: '2',
    });
    const report = await tick(h, 0);
    expect(report.errors).toEqual([]);
    expect(cordoned(h, 'node-a')).toBe(true);
    expect(cordoned(h, 'node-d')).toBe(true);
    expect(stateOf(h, 'node-d')).toBe('ready-for-reboot'); // nothing to evict there
    const holders = leases(h)
      .map((l) => (l['spec'] as { holderIdentity?: string }).holderIdentity)
      .sort();
    expect(holders).toEqual(['node-a', 'node-d']);
  });

  it('resumes the drain of a run that died mid-drain, its Lease expired, on the next tick (state in annotations)', async () => {
    // What a dead run leaves: node-a cordoned and draining since 10 minutes, web-1 already gone,
    // the Lease last renewed 40 minutes ago (past its 30 minute TTL), node-d waiting.
    const dead = node(
      'node-a',
      { 'reboot-required': 'true' },
      {
        'eco.bsw-arch.org/maintenance-state': 'draining',
        'eco.bsw-arch.org/maintenance-since': at(-10).toISOString(),
      },
      true,
    );
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'eco-maintenance-drain-0', namespace: 'default' },
      spec: {
        holderIdentity: 'node-a',
        leaseDurationSeconds: 1800,
        renewTime: at(-40).toISOString().replace('Z', '000Z').replace('.000000Z', '.000000Z'),
      },
    };
    const h = await start(
      cluster([lease, node('node-d', { 'reboot-required': 'true' }), pod('shop', 'web-4', 'node-c')], dead),
    );
    h.emulator.store.delete('pods', 'web-1', 'shop');
    const report = await tick(h, 0);
    expect(report.errors).toEqual([]);
    expect(verbs(report.actions, 'applied')).toContain('evict Pod web-2');
    expect(stateOf(h, 'node-a')).toBe('ready-for-reboot');
    expect(holder(h)).toBe('node-a');
    expect(liveHolder(leases(h)[0], at(0))).toBe('node-a');
    // node-d waits: the one slot is node-a's until it is back.
    expect(cordoned(h, 'node-d')).toBe(false);
    expect(report.findings.find((f) => f.object.name === 'node-d')?.check).toBe('maintenance.reboot-queued');
  });

  it('a freeze holds the drain: no cordon, no eviction, the Lease given back (maintenance windows in the rails)', async () => {
    const freeze: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'eco-maintenance', namespace: 'eco-bots' },
      data: {
        policy: JSON.stringify({ freezes: [{ until: at(24 * 60).toISOString(), reason: 'year-end' }] }),
      },
    };
    const h = await start(
      cluster([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'eco-bots' } }, freeze]),
    );
    const report = await tick(h, 0);
    expect(cordoned(h, 'node-a')).toBe(false);
    expect(stateOf(h, 'node-a')).toBeUndefined();
    expect(podsOn(h, 'node-a')).toContain('web-1');
    expect(report.actions.filter((a) => a.verb === 'evict')).toEqual([]);
    expect(report.actions.find((a) => a.verb === 'cordon')?.reason).toMatch(/^freeze: year-end/);
    expect(holder(h)).toBeNull();
    expect(report.findings.find((f) => f.check === 'maintenance.drain-held')?.evidence?.['reason']).toMatch(
      /freeze/,
    );
  });

  it('dry-run (the default) plans the drain and changes nothing; the server validates each eviction', async () => {
    const h = await start(cluster(), {});
    const report = await tick(h, 0);
    expect(report.mode).toBe('dry-run');
    expect(verbs(report.actions, 'applied')).toEqual([]);
    expect(verbs(report.actions, 'planned')).toEqual(
      expect.arrayContaining([
        'create Lease eco-maintenance-drain-0',
        'cordon Node node-a',
        'evict Pod web-1',
      ]),
    );
    expect(cordoned(h, 'node-a')).toBe(false);
    expect(leases(h)).toEqual([]);
    expect(podsOn(h, 'node-a')).toHaveLength(4);
  });

  it('rejects a bad node name with a validation error naming the field', async () => {
    const h = await start(cluster());
    await expect(h.run({ nodes: ['Not A Node'] })).rejects.toThrow(/nodes/);
    await expect(h.run({ node: 'x' })).rejects.toThrow();
  });

  it('reports a requested node that does not exist as an error, not a crash', async () => {
    const h = await start(cluster([], node('node-a')));
    const report = await tick(h, 0, { nodes: ['node-zz'] });
    expect(report.errors).toEqual([expect.objectContaining({ code: 'node-not-found' })]);
  });
});

describe('eco-maintenance-bot checks', () => {
  const status = (s: Record<string, number>): KubeObject => ({ ...pdb(2), status: s });
  it.each([
    [
      'all pods healthy, none allowed: blocks every drain',
      { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 },
      true,
    ],
    ['one allowed', { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 }, false],
    [
      'none allowed because a pod is unhealthy (the budget doing its job)',
      { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2, expectedPods: 2 },
      false,
    ],
    [
      'no pods selected',
      { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
      false,
    ],
  ])('maintenance.pdb-blocks-drain (Popeye/kured: a PDB that blocks drains): %s', (_, s, found) => {
    expect(pdbBlocksDrain(status(s), 'eco-maintenance-bot') !== undefined).toBe(found);
  });

  it.each([
    [{ labels: { 'reboot-required': 'true' } }, true],
    [{ annotations: { 'eco.bsw-arch.org/reboot-required': 'yes' } }, true],
    [{ labels: { 'reboot-required': 'false' } }, false],
    [{ labels: { 'kubernetes.io/os': 'linux' } }, false],
  ])('the reboot-required flag (kured sentinel, moved to the API): %j', (meta, expected) => {
    expect(needsReboot({ metadata: { name: 'n', ...meta } })).toBe(expected);
  });

  it('skips DaemonSet and mirror pods, waits for terminating ones (kubectl drain filters)', () => {
    expect(podDisposition(pod('x', 'a', 'n', { annotations: { 'kubernetes.io/config.mirror': 'h' } }))).toBe(
      'mirror',
    );
    expect(
      podDisposition(
        pod('x', 'a', 'n', {
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'u', controller: true },
          ],
        }),
      ),
    ).toBe('daemonset');
    expect(podDisposition(pod('x', 'a', 'n', { deletionTimestamp: T0.toISOString() }))).toBe('terminating');
    expect(podDisposition(pod('x', 'a', 'n'))).toBe('evict');
  });
});
