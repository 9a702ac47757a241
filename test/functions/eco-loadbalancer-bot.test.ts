import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-loadbalancer-bot/handler.ts';
import { CHECKS, type Snap } from '../../functions/eco-loadbalancer-bot/checks.ts';
import { loadBalancerPrice } from '../../functions/eco-loadbalancer-bot/price.ts';
import { createPriceBook, PRICE_BOOK_CONFIGMAP_KEY } from '../../shared/cost/index.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { ns, pod, snapshotOf, svc } from './network/objects.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
// The price book with nothing configured: OpenCost's defaults.
const settings = { pendingAfter: 15 * 60_000, price: loadBalancerPrice(createPriceBook()) };
const ago = (minutes: number): string => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const node = (name: string, o: { ready?: boolean; exclude?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name,
    labels: o.exclude ? { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {},
  },
  status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'Unknown' : 'True' }] },
});
const endpoints = (
  namespace: string,
  name: string,
  nodes: string[],
  notReady: string[] = [],
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace },
  subsets:
    nodes.length + notReady.length === 0
      ? []
      : [
          {
            ...(nodes.length
              ? { addresses: nodes.map((n, i) => ({ ip: `10.244.0.${i + 1}`, nodeName: n })) }
              : {}),
            ...(notReady.length
              ? { notReadyAddresses: notReady.map((n, i) => ({ ip: `10.244.1.${i + 1}`, nodeName: n })) }
              : {}),
            ports: [{ port: 8080, protocol: 'TCP' }],
          },
        ],
});

function snap(
  services: KubeObject[],
  eps: KubeObject[] = [],
  nodes: KubeObject[] = [node('a'), node('b'), node('c')],
): Snap {
  return snapshotOf({ services, endpoints: eps, nodes }) as unknown as Snap;
}
function run(id: string, s: Snap) {
  const c = CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(id);
  return [...c.run(s, settings, NOW)];
}
const lb = (name: string, o: Parameters<typeof svc>[2] = {}): KubeObject =>
  svc('web', name, { type: 'LoadBalancer', selector: { app: name }, created: ago(60 * 24), ...o });

describe('loadbalancer.pending (anchors: LoadBalancer Services pending an address)', () => {
  it.each([
    ['no address for 3 hours', ago(180), undefined, 1],
    ['no address for 5 minutes (under the 15-minute threshold)', ago(5), undefined, 0],
    ['an address', ago(180), [{ ip: '203.0.113.7' }], 0],
    ['a hostname address (AWS-style)', ago(180), [{ hostname: 'a1.elb.example' }], 0],
  ])('%s', (_t, created, address, count) => {
    const results = run(
      'loadbalancer.pending',
      snap([lb('web', { created, ...(address ? { lb: address } : {}) })]),
    );
    expect(results).toHaveLength(count);
  });
  it('says how long it has waited', () => {
    const [r] = run('loadbalancer.pending', snap([lb('web', { created: ago(180) })]));
    expect(r?.message).toContain('for 3 hours');
    expect(r?.evidence).toEqual({ pendingMinutes: 180, thresholdMinutes: 15 });
  });
});

describe('loadbalancer.cost (Popeye 1103, OpenCost price)', () => {
  it("prices each provisioned LoadBalancer at OpenCost's $0.025/h × 730 h", () => {
    expect(settings.price).toEqual({ monthly: 18.25, hourly: 0.025, currency: 'USD' });
    const results = run(
      'loadbalancer.cost',
      snap([lb('paid', { lb: [{ ip: '203.0.113.7' }] }), lb('pending'), svc('web', 'plain')]),
    );
    expect(results.map((r) => [(r.object as KubeObject).metadata.name, r.impact])).toEqual([
      ['paid', { monthlyCost: 18.25, currency: 'USD' }],
    ]);
  });
});

describe('endpoints (Popeye 1105 no endpoints, 1109 single endpoint)', () => {
  it.each([
    ['no ready endpoint (only not-ready ones)', [], ['a'], ['loadbalancer.no-endpoints']],
    ['one ready endpoint', ['a'], [], ['loadbalancer.single-endpoint']],
    ['two ready endpoints', ['a', 'b'], [], []],
  ])('%s', (_t, ready, notReady, expected) => {
    const s = snap([lb('web')], [endpoints('web', 'web', ready, notReady)]);
    expect(
      ['loadbalancer.no-endpoints', 'loadbalancer.single-endpoint'].filter((id) => run(id, s).length > 0),
    ).toEqual(expected);
  });
});

describe('loadbalancer.nodeport (Popeye 1104, kube-score service-type)', () => {
  it('reports NodePort Services with their node ports, not ClusterIP ones', () => {
    const s = snap([
      svc('web', 'np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
      svc('web', 'cip'),
    ]);
    const results = run('loadbalancer.nodeport', s);
    expect(results.map((r) => r.evidence)).toEqual([{ nodePorts: [30080] }]);
  });
});

describe('loadbalancer.traffic-policy-local (Popeye 1107/1108)', () => {
  it.each([
    ['NodePort, Local, pods on 1 of 3 nodes: dropped connections', 'NodePort', 'Local', ['a'], 'warning'],
    ['LoadBalancer, Local, pods on 2 of 3 nodes', 'LoadBalancer', 'Local', ['a', 'b'], 'info'],
    ['LoadBalancer, Local, pods on every node', 'LoadBalancer', 'Local', ['a', 'b', 'c'], undefined],
    ['LoadBalancer, Cluster', 'LoadBalancer', 'Cluster', ['a'], undefined],
  ] as const)('%s', (_t, type, policy, on, severity) => {
    const s = snap(
      [svc('web', 'web', { type, externalTrafficPolicy: policy, selector: { app: 'web' } })],
      [endpoints('web', 'web', [...on])],
    );
    const results = run('loadbalancer.traffic-policy-local', s);
    expect(results[0]?.severity).toBe(severity);
  });
  it('does not count NotReady nodes or nodes excluded from load balancers', () => {
    const nodes = [node('a'), node('b', { ready: false }), node('c', { exclude: true })];
    const s = snap(
      [svc('web', 'web', { type: 'NodePort', externalTrafficPolicy: 'Local', selector: { app: 'web' } })],
      [endpoints('web', 'web', ['a'])],
      nodes,
    );
    expect(run('loadbalancer.traffic-policy-local', s)).toEqual([]);
  });
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-loadbalancer-bot through the API with its own RBAC', () => {
  it('reads services, endpoints and nodes once and prices with the setting', async () => {
    harness = await startBotHarness(bot, {
      now: () => NOW,
      env: { ECO_PRICE_BOOK: JSON.stringify({ loadBalancerHour: 0.05, currency: 'EUR' }) },
      objects: [
        ns('web'),
        node('a'),
        node('b'),
        pod('web', 'web-1', { labels: { app: 'web' } }),
        lb('web', { lb: [{ ip: '203.0.113.7' }] }),
        endpoints('web', 'web', ['a']),
        lb('stuck', { created: ago(180) }),
      ],
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.name}`).sort()).toEqual([
      'loadbalancer.cost web',
      'loadbalancer.no-endpoints stuck',
      'loadbalancer.pending stuck',
      'loadbalancer.single-endpoint web',
    ]);
    expect(report.findings.find((f) => f.check === 'loadbalancer.cost')?.impact).toEqual({
      monthlyCost: 36.5,
      currency: 'EUR',
    });
    expect(report.data).toEqual({ loadBalancers: 2, monthlyCost: 36.5, currency: 'EUR' });
    expect(harness.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
  });
});

describe('eco-loadbalancer-bot price book from a ConfigMap (shared/cost, get configmaps in its RBAC)', () => {
  it('prices with the ConfigMap the setting names, and reports a missing one as an error', async () => {
    harness = await startBotHarness(bot, {
      now: () => NOW,
      env: { ECO_PRICE_BOOK_CONFIGMAP: 'eco-bots/prices' },
      objects: [
        ns('web'),
        ns('eco-bots'),
        lb('web', { lb: [{ ip: '203.0.113.7' }] }),
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'prices', namespace: 'eco-bots' },
          data: { [PRICE_BOOK_CONFIGMAP_KEY]: JSON.stringify({ loadBalancerHour: 0.1 }) },
        },
      ],
    });
    const report = await harness.run({ checks: ['loadbalancer.cost'] });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => f.impact)).toEqual([{ monthlyCost: 73, currency: 'USD' }]);
    expect(harness.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
    await harness.close();
    harness = await startBotHarness(bot, {
      now: () => NOW,
      env: { ECO_PRICE_BOOK_CONFIGMAP: 'eco-bots/prices' },
      objects: [ns('web'), ns('eco-bots'), lb('web', { lb: [{ ip: '203.0.113.7' }] })],
    });
    const fallback = await harness.run({ checks: ['loadbalancer.cost'] });
    expect(fallback.errors.map((e) => e.code)).toEqual(['price-book-missing']);
    expect(fallback.findings.map((f) => f.impact)).toEqual([{ monthlyCost: 18.25, currency: 'USD' }]);
  });
});
