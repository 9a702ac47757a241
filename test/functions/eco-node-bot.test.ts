// eco-node-bot: Popeye's node linter (700-711) on real-shaped Node objects, and the cordon of a node
// NotReady longer than ECO_NODE_NOT_READY_MINUTES through the rails, against the emulator with the
// bot's own RBAC.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-node-bot/handler.ts';
import { cordonPlan } from '../../functions/eco-node-bot/handler.ts';
import { CHECKS, KINDS, tolerates, type NodeSnap } from '../../functions/eco-node-bot/checks.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { K8s } from '../../shared/k8s/types.ts';
import { runChecks } from '../../shared/scan/index.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const ago = (minutes: number): string => new Date(NOW.getTime() - minutes * 60_000).toISOString();

interface NodeOpts {
  ready?: 'True' | 'False' | 'Unknown';
  readySince?: number;
  pressure?: string[];
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  annotations?: Record<string, string>;
}

/** A Node as kubelet v1.35 reports it (conditions with heartbeat and transition times). */
function node(name: string, o: NodeOpts = {}): KubeObject {
  const cond = (type: string, status: string, since: number) => ({
    type,
    status,
    lastHeartbeatTime: ago(0),
    lastTransitionTime: ago(since),
    reason: status === 'Unknown' ? 'NodeStatusUnknown' : `Kubelet${type}${status}`,
    message: status === 'Unknown' ? 'Kubelet stopped posting node status.' : `${type} ${status}`,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      creationTimestamp: ago(100_000),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: {
      ...(o.taints ? { taints: o.taints } : {}),
      ...(o.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      allocatable: { cpu: '3800m', memory: '15242244Ki', pods: '110' },
      capacity: { cpu: '4', memory: '16393220Ki', pods: '110' },
      conditions: [
        ...['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'].map((t) =>
          cond(t, (o.pressure ?? []).includes(t) ? 'True' : 'False', 1000),
        ),
        cond('Ready', o.ready ?? 'True', o.readySince ?? 1000),
      ],
      nodeInfo: {
        kubeletVersion: 'v1.35.0',
        architecture: 'amd64',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
      },
    },
  };
}

const pod = (name: string, tolerations: Record<string, string>[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'apps' },
  spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'nginx:1.27' }], tolerations },
  status: { phase: 'Running' },
});

const metric = (name: string, cpu: string, memory: string): KubeObject =>
  ({
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'NodeMetrics',
    metadata: { name },
    usage: { cpu, memory },
  }) as unknown as KubeObject;

function snap(nodes: KubeObject[], pods: KubeObject[] = [], nodeMetrics: KubeObject[] = []): NodeSnap {
  return {
    objects: { nodes, pods, nodeMetrics },
    missing: new Set(),
    failed: new Set(),
    errors: [],
    findings: [],
    takenAt: NOW,
  } as NodeSnap;
}

const SETTINGS = { notReadyMinutes: 15, cpuThreshold: 80, memoryThreshold: 80 };
const run = (s: NodeSnap) =>
  runChecks({ bot: bot.name, now: () => NOW }, CHECKS, s, SETTINGS).findings.map(
    (f) => `${f.check} ${f.object.name}`,
  );

describe('eco-node-bot checks (table-driven)', () => {
  const cases: [string, NodeSnap, string[]][] = [
    [
      'Popeye 702: Ready=False',
      snap([node('n1', { ready: 'False' })], [], [metric('n1', '1', '1Gi')]),
      ['node.not-ready n1'],
    ],
    [
      'Popeye 701: Ready=Unknown (kubelet silent)',
      snap([node('n1', { ready: 'Unknown' })]),
      ['node.not-ready n1'],
    ],
    [
      'Popeye 704: MemoryPressure',
      snap([node('n1', { pressure: ['MemoryPressure'] })], [], [metric('n1', '1', '1Gi')]),
      ['node.memory-pressure n1'],
    ],
    [
      'Popeye 705: DiskPressure',
      snap([node('n1', { pressure: ['DiskPressure'] })], [], [metric('n1', '1', '1Gi')]),
      ['node.disk-pressure n1'],
    ],
    [
      'Popeye 706: PIDPressure',
      snap([node('n1', { pressure: ['PIDPressure'] })], [], [metric('n1', '1', '1Gi')]),
      ['node.pid-pressure n1'],
    ],
    [
      'Popeye 707: NetworkUnavailable',
      snap([node('n1', { pressure: ['NetworkUnavailable'] })], [], [metric('n1', '1', '1Gi')]),
      ['node.network-unavailable n1'],
    ],
    [
      'Popeye 711: cordoned',
      snap([node('n1', { unschedulable: true })], [], [metric('n1', '1', '1Gi')]),
      ['node.unschedulable n1'],
    ],
    [
      'Popeye 709: CPU 90 % of 3.8 cores',
      snap([node('n1')], [], [metric('n1', '3420m', '1Gi')]),
      ['node.cpu-high n1'],
    ],
    [
      'Popeye 710: memory 85 % of allocatable',
      snap([node('n1')], [], [metric('n1', '100m', `${Math.round(15242244 * 0.85)}Ki`)]),
      ['node.memory-high n1'],
    ],
    [
      'Popeye 709/710 threshold is exclusive: 80 % exactly is fine',
      snap([node('n1')], [], [metric('n1', '3040m', '1Gi')]),
      [],
    ],
    [
      'Popeye 708: ready node without metrics',
      snap([node('n1'), node('n2')], [], [metric('n1', '1', '1Gi')]),
      ['node.no-metrics n2'],
    ],
    [
      'Popeye 700: a taint nobody tolerates',
      snap(
        [node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })],
        [pod('p')],
        [metric('n1', '1', '1Gi')],
      ),
      ['node.taint-untolerated n1'],
    ],
    [
      'Popeye 700 look-alike: a tolerated taint',
      snap(
        [node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })],
        [pod('p', [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }])],
        [metric('n1', '1', '1Gi')],
      ),
      [],
    ],
    [
      'node lifecycle taints mirror conditions and are not Popeye 700',
      snap(
        [node('n1', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] })],
        [],
        [metric('n1', '1', '1Gi')],
      ),
      [],
    ],
    [
      'a healthy node (missing status tolerated elsewhere)',
      snap([node('n1')], [], [metric('n1', '1', '1Gi')]),
      [],
    ],
  ];
  it.each(cases)('%s', (_name, s, expected) => {
    expect(run(s).sort()).toEqual(expected.sort());
  });

  it('tolerates a node without status or spec (old object shapes)', () => {
    const bare: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'bare', resourceVersion: '1' },
    };
    expect(run(snap([bare]))).toEqual(['node.not-ready bare']);
  });

  it.each([
    [{ operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Equal', value: 'v' }, true],
    [{ key: 'k', value: 'other' }, false],
    [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
  ])('toleration %j against k=v:NoSchedule -> %s (scheduler rule)', (t, want) => {
    expect(tolerates(t, { key: 'k', value: 'v', effect: 'NoSchedule' })).toBe(want);
  });

  it('plans a cordon only past the threshold, not for cordoned nodes, and holds it during an outage', () => {
    const nodes = [
      node('late', { ready: 'Unknown', readySince: 45 }),
      node('early', { ready: 'False', readySince: 5 }),
      node('done', { ready: 'Unknown', readySince: 60, unschedulable: true }),
      node('ok'),
    ];
    const plan = cordonPlan(nodes, { notReadyMinutes: 15, maxUnreadyPercent: 45 }, NOW);
    expect(plan.due.map((d) => d.node.metadata.name)).toEqual(['late']);
    expect(plan.unreadyPercent).toBe(75);
    expect(plan.guarded).toBe(true);
    expect(cordonPlan(nodes, { notReadyMinutes: 15, maxUnreadyPercent: 80 }, NOW).guarded).toBe(false);
  });
  void KINDS;
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const cluster = (): KubeObject[] => [
  node('n1'),
  node('n2'),
  node('n3'),
  node('n4'),
  node('down', { ready: 'Unknown', readySince: 45 }),
  node('flaky', { ready: 'False', readySince: 5 }),
  node('held', { ready: 'Unknown', readySince: 90, annotations: { 'eco.bsw-arch.org/exclude': 'true' } }),
  pod('p'),
];

async function start(env: Record<string, string> = {}): Promise<BotHarness> {
  const h = await startBotHarness(bot, { objects: cluster(), now: () => NOW, env });
  for (const n of ['n1', 'n2', 'n3', 'n4']) h.emulator.setNodeMetrics(n, { cpu: '500m', memory: '1Gi' });
  return h;
}
const unschedulable = (h: BotHarness, name: string): boolean =>
  (
    h.emulator.store.get({ group: '', plural: 'nodes' }, name)?.spec as
      { unschedulable?: boolean } | undefined
  )?.unschedulable === true;

describe('eco-node-bot against the emulator (RBAC enforced)', () => {
  it('dry-run: reports and plans the cordon of the node down 45 minutes, changes nothing', async () => {
    harness = await start();
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(
      report.findings
        .filter((f) => f.check === 'node.not-ready')
        .map((f) => f.object.name)
        .sort(),
    ).toEqual(['down', 'flaky', 'held']);
    const cordons = report.actions.map((a) => `${a.verb} ${a.object.name} ${a.status}`);
    // flaky is not due yet (5 < 15 minutes); held is excluded by annotation.
    expect(cordons).toEqual(expect.arrayContaining(['cordon down planned']));
    expect(cordons.some((c) => c.startsWith('cordon flaky'))).toBe(false);
    expect(report.actions.find((a) => a.object.name === 'held')?.status).toBe('skipped');
    expect(unschedulable(harness, 'down')).toBe(false);
    expect(
      harness.emulator.requests
        .filter((r) => r.status === 403 || r.status >= 500)
        .map((r) => `${r.method} ${r.path} ${r.status}`),
    ).toEqual([]);
  });

  it('apply: cordons the node down, never the excluded or the not-yet-due one, with an audit Event', async () => {
    harness = await start({ ECO_MODE: 'apply' });
    const report = await harness.run({});
    expect(report.actions.find((a) => a.object.name === 'down')?.status).toBe('applied');
    expect(unschedulable(harness, 'down')).toBe(true);
    expect(unschedulable(harness, 'held')).toBe(false);
    expect(unschedulable(harness, 'flaky')).toBe(false);
    const events = harness.emulator.store.list({ group: '', plural: 'events' }) as KubeObject[];
    expect(events.some((e) => (e as { reason?: string }).reason === 'NodeNotReadyCordoned')).toBe(true);
  });

  it('apply: a node that recovered between read and cordon is left alone (changed since read)', async () => {
    harness = await start({ ECO_MODE: 'apply' });
    const h = harness;
    const intercept = (k8s: K8s): K8s =>
      Object.assign(Object.create(null) as K8s, k8s, {
        list: k8s.list.bind(k8s),
        async patch(...args: Parameters<K8s['patch']>) {
          if (args[1] === 'down') h.emulator.store.put(node('down'));
          return k8s.patch(...args);
        },
      });
    const report = await h.run({}, { intercept });
    expect(report.actions.find((a) => a.object.name === 'down')?.status).toBe('skipped');
    expect(unschedulable(h, 'down')).toBe(false);
  });

  it('apply: over the outage guard nothing is cordoned', async () => {
    harness = await start({ ECO_MODE: 'apply', ECO_NODE_MAX_UNREADY_PERCENT: '20' });
    const report = await harness.run({});
    expect(report.actions.find((a) => a.object.name === 'down')).toMatchObject({ status: 'skipped' });
    expect(report.actions.find((a) => a.object.name === 'down')?.reason).toMatch(/^outage-guard/);
    expect(unschedulable(harness, 'down')).toBe(false);
  });

  it('apply: the blast-radius cap holds', async () => {
    harness = await startBotHarness(bot, {
      objects: [
        node('a', { ready: 'Unknown', readySince: 30 }),
        node('b', { ready: 'Unknown', readySince: 30 }),
        ...['c', 'd', 'e', 'f', 'g'].map((n) => node(n)),
      ],
      now: () => NOW,
      env: { ECO_MODE: 'apply', ECO_MAX_ACTIONS: '1' },
    });
    const report = await harness.run({});
    expect(report.actions.filter((a) => a.status === 'applied')).toHaveLength(1);
    expect(report.actions.filter((a) => a.reason === 'blast-radius')).toHaveLength(1);
  });

  it('a bad option is a 400 naming the field', async () => {
    harness = await start();
    await expect(harness.run({ checks: ['node.nope'] })).rejects.toThrow(/checks/);
    await expect(harness.run({ bogus: 1 })).rejects.toThrow(/bogus|additional/i);
  });
});
