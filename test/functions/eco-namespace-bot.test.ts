// eco-namespace-bot: the baseline (seed eco-namespace-setup.yaml, Kyverno add-ns-quota /
// add-network-policy), empty namespaces (k8s-cleaner empty_namespaces) and TTLs (kube-janitor), and
// the reconcile that only creates what is missing, through the rails, with the bot's own RBAC.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-namespace-bot/handler.ts';
import { defaultDenyOf, tenantQuotaHard, scaleQuantity } from '../../shared/tenant/index.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const daysAgo = (d: number): string => new Date(NOW.getTime() - d * 86_400_000).toISOString();

const ns = (
  name: string,
  age: number,
  labels: Record<string, string> = {},
  annotations?: Record<string, string>,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name,
    creationTimestamp: daysAgo(age),
    labels: { 'kubernetes.io/metadata.name': name, ...labels },
    ...(annotations ? { annotations } : {}),
  },
  status: { phase: 'Active' },
});
const quota = (namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'compute', namespace, creationTimestamp: daysAgo(10) },
  spec: { hard: { 'requests.cpu': '4' } },
});
const limits = (namespace: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'LimitRange',
  metadata: { name: 'defaults', namespace, creationTimestamp: daysAgo(10) },
  spec: { limits: [{ type: 'Container', default: { cpu: '500m' } }] },
});
const policy = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, creationTimestamp: daysAgo(10) },
  spec,
});
const deny = (namespace: string): KubeObject =>
  policy(namespace, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const pod = (namespace: string, name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, creationTimestamp: daysAgo(1) },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
  status: { phase: 'Running' },
});

describe('tenant templates (seed resource_tiers)', () => {
  it('sizes the quota from the seed tier scaleQuantity the pod count', () => {
    expect(scaleQuantity('100m', 10)).toBe('1');
    expect(scaleQuantity('128Mi', 10)).toBe('1280Mi');
    expect(scaleQuantity('512Mi', 50)).toBe('25Gi');
    expect(tenantQuotaHard('small')).toMatchObject({
      'requests.cpu': '1',
      'limits.cpu': '2',
      'requests.memory': '1280Mi',
    });
    expect(tenantQuotaHard('large')).toMatchObject({
      'requests.cpu': '25',
      'limits.memory': '50Gi',
      pods: '100',
    });
  });

  it.each([
    [
      'deny both (Kyverno add-network-policy)',
      [{ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }],
      { ingress: true, egress: true },
    ],
    ['ingress only (no policyTypes, no egress)', [{ podSelector: {} }], { ingress: true, egress: false }],
    [
      'DNS egress rule keeps the default deny',
      [
        {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 53 }] }],
        },
      ],
      { ingress: false, egress: true },
    ],
    [
      'an empty rule allows all',
      [{ podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }],
      { ingress: false, egress: false },
    ],
    [
      'a policy for some pods is not a default',
      [{ podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Ingress'] }],
      { ingress: false, egress: false },
    ],
  ])('default deny: %s', (_n, specs, want) => {
    expect(defaultDenyOf(specs.map((s, i) => policy('x', `p${i}`, s)))).toEqual(want);
  });
});

const cluster = (): KubeObject[] => [
  ns('default', 400),
  ns('kube-system', 400),
  ns('eco-bots', 30, { owner: 'platform' }),
  ns('shop', 200, { 'eco.bsw-arch.org/owner': 'team-shop' }),
  quota('shop'),
  limits('shop'),
  deny('shop'),
  pod('shop', 'web'),
  ns('bare', 100, { 'eco.bsw-arch.org/tier': 'medium' }),
  pod('bare', 'api'),
  ns('half', 50, { owner: 'team-half' }),
  quota('half'),
  pod('half', 'x'),
  ns('ghost', 30, { owner: 'team-ghost' }),
  quota('ghost'),
  limits('ghost'),
  deny('ghost'),
  ns('fresh', 2, { owner: 'team-new' }),
  quota('fresh'),
  limits('fresh'),
  deny('fresh'),
  ns('pr-7', 9, { owner: 'team-shop' }, { 'janitor/ttl': '7d' }),
  quota('pr-7'),
  limits('pr-7'),
  deny('pr-7'),
  pod('pr-7', 'preview'),
  ns('pr-8', 3, { owner: 'team-shop' }, { 'eco.bsw-arch.org/ttl': '7d' }),
  quota('pr-8'),
  limits('pr-8'),
  deny('pr-8'),
  pod('pr-8', 'preview'),
  ns('held', 60, { 'eco.bsw-arch.org/tier': 'large' }, { 'eco.bsw-arch.org/exclude': 'true' }),
  pod('held', 'p'),
];

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
const start = async (env: Record<string, string> = {}) =>
  (harness = await startBotHarness(bot, { objects: cluster(), now: () => NOW, env }));
const listed = (h: BotHarness, plural: string, namespace: string): string[] =>
  (
    h.emulator.store.list({
      group: plural === 'networkpolicies' ? 'networking.k8s.io' : '',
      plural,
    }) as KubeObject[]
  )
    .filter((o) => o.metadata.namespace === namespace)
    .map((o) => o.metadata.name)
    .sort();

describe('eco-namespace-bot against the emulator (RBAC enforced)', () => {
  it('finds missing baselines, empty and expired namespaces; leaves system and conformant ones alone', async () => {
    const h = await start();
    const report = await h.run({});
    expect(report.errors).toEqual([]);
    const got = report.findings.map((f) => `${f.check} ${f.object.name}`).sort();
    expect(got).toEqual([
      'namespace.baseline bare',
      'namespace.baseline eco-bots',
      'namespace.baseline half',
      'namespace.baseline held',
      'namespace.empty eco-bots',
      'namespace.empty ghost',
      'namespace.expired pr-7',
    ]);
    expect(report.findings.find((f) => f.object.name === 'bare')?.evidence).toMatchObject({
      missing: ['ResourceQuota', 'LimitRange', 'NetworkPolicy', 'owner label'],
      tier: 'medium',
    });
    expect(report.findings.find((f) => f.object.name === 'pr-7')?.evidence).toMatchObject({
      annotation: 'janitor/ttl',
      overdueHours: 48,
    });
    expect(report.actions).toEqual([]);
  });

  it('reconcile in dry-run plans only the missing objects and creates nothing', async () => {
    const h = await start();
    const report = await h.run({ reconcile: true });
    const planned = report.actions.map((a) => `${a.status} ${a.object.kind} ${a.object.namespace}`).sort();
    expect(planned).toEqual(
      expect.arrayContaining([
        'planned LimitRange bare',
        'planned NetworkPolicy bare',
        'planned ResourceQuota bare',
        'planned LimitRange half',
        'planned NetworkPolicy half',
      ]),
    );
    // half has a quota already: never replaced; eco-bots is protected; held is excluded.
    expect(planned).not.toContain('planned ResourceQuota half');
    expect(planned.filter((p) => p.endsWith(' eco-bots')).every((p) => p.startsWith('skipped'))).toBe(true);
    expect(planned.filter((p) => p.endsWith(' held')).every((p) => p.startsWith('skipped'))).toBe(true);
    expect(listed(h, 'resourcequotas', 'bare')).toEqual([]);
  });

  it('reconcile in apply creates the missing pieces sized from the tier label, and is idempotent', async () => {
    const h = await start({ ECO_MODE: 'apply', ECO_NAMESPACE_RECONCILE: 'true', ECO_MAX_ACTIONS: '20' });
    const first = await h.run({});
    expect(
      first.actions
        .filter((a) => a.status === 'applied')
        .map((a) => `${a.object.kind} ${a.object.namespace}`)
        .sort(),
    ).toEqual([
      'LimitRange bare',
      'LimitRange half',
      'NetworkPolicy bare',
      'NetworkPolicy half',
      'ResourceQuota bare',
    ]);
    expect(listed(h, 'resourcequotas', 'half')).toEqual(['compute']);
    const created = h.emulator.store.get(
      { group: '', plural: 'resourcequotas' },
      'tenant-quota',
      'bare',
    ) as KubeObject;
    expect((created.spec as { hard: Record<string, string> }).hard['requests.cpu']).toBe('6250m');
    expect(listed(h, 'limitranges', 'held')).toEqual([]);
    expect(listed(h, 'limitranges', 'eco-bots')).toEqual([]);
    const second = await h.run({});
    expect(second.actions.filter((a) => a.status === 'applied')).toEqual([]);
    expect(
      second.findings
        .filter((f) => f.check === 'namespace.baseline')
        .map((f) => f.object.name)
        .sort(),
    ).toEqual(['bare', 'eco-bots', 'held']);
  });

  it('narrows to one namespace and rejects a bad one with a 400 naming the field', async () => {
    const h = await start();
    const report = await h.run({ namespace: 'half' });
    expect(report.scoped).toBe(true);
    expect(report.findings.map((f) => f.object.name)).toEqual(['half']);
    await expect(h.run({ namespace: 'Not_A_Label' })).rejects.toThrow(/namespace/);
  });
});
