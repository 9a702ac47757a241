import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-dns-bot/handler.ts';
import { CHECKS, type DnsView } from '../../functions/eco-dns-bot/checks.ts';
import { parseOwnership, registryNames } from '../../functions/eco-dns-bot/ownership.ts';
import { createDnsClient } from '../../functions/eco-dns-bot/resolve.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { startDnsmasq, type Dnsmasq } from './network/dnsmasq.ts';
import { ingress, ns, pod, svc } from './network/objects.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const OWNED = (resource: string, owner = 'default'): string =>
  `heritage=external-dns,external-dns/owner=${owner},external-dns/resource=${resource}`;

let dns: Dnsmasq;
beforeAll(async () => {
  dns = await startDnsmasq({
    local: ['example.test', 'cluster.local'],
    hosts: {
      'shop.example.test': ['203.0.113.10'],
      'pay.example.test': ['203.0.113.99'],
      'lb-1.elb.example.test': ['198.51.100.5'],
      'other-lb.elb.example.test': ['198.51.100.6'],
      'v6.example.test': ['2001:db8::10'],
      'old.example.test': ['203.0.113.50'],
      'kubernetes.default.svc.cluster.local': ['10.96.0.1'],
    },
    cnames: {
      'www.example.test': 'edge.example.test',
      'edge.example.test': 'lb-1.elb.example.test',
      'api.example.test': 'other-lb.elb.example.test',
    },
    txt: {
      'a-shop.example.test': OWNED('ingress/web/shop'),
      'a-old.example.test': OWNED('ingress/legacy/old-portal'),
      'foreign.example.test': OWNED('ingress/x/y', 'other-cluster'),
      'cname-www.example.test': OWNED('service/web/edge'),
      'a-moved.example.test': OWNED('ingress/web/shop'),
    },
  });
}, 20_000);
afterAll(async () => {
  await dns?.stop();
});

describe('node:dns Resolver against dnsmasq', () => {
  it('follows a CNAME chain, tells NXDOMAIN from no data, and reads the TXT registry', async () => {
    const client = createDnsClient([dns.server], 1000);
    expect(await client.lookup('www.example.test')).toEqual({
      status: 'ok',
      addresses: ['198.51.100.5'],
      chain: ['edge.example.test', 'lb-1.elb.example.test'],
    });
    expect(await client.lookup('v6.example.test')).toMatchObject({
      status: 'ok',
      addresses: ['2001:db8::10'],
    });
    expect((await client.lookup('gone.example.test')).status).toBe('nxdomain');
    const txt = await client.txt('a-old.example.test');
    expect(txt.status).toBe('ok');
    expect(txt.status === 'ok' && parseOwnership(txt.records[0] ?? [])).toEqual({
      owner: 'default',
      resource: 'ingress/legacy/old-portal',
    });
  });
  it('reports an unreachable server as an error code, within the timeout', async () => {
    const client = createDnsClient(['127.0.0.1:9'], 300);
    const a = await client.lookup('shop.example.test');
    expect(a.status).toBe('error');
  });
});

describe('external-dns TXT registry format', () => {
  it.each([
    [
      ['heritage=external-dns,external-dns/owner=default,external-dns/resource=ingress/a/b'],
      { owner: 'default', resource: 'ingress/a/b' },
    ],
    [
      ['heritage=external-dns', 'external-dns/owner=c1', 'external-dns/resource=service/a/b'],
      { owner: 'c1', resource: 'service/a/b' },
    ],
    [['"heritage=external-dns,external-dns/owner=c1"'], { owner: 'c1' }],
    [['v=spf1 include:_spf.example.test ~all'], undefined],
    [['heritage=someone-else,external-dns/owner=default'], undefined],
  ])('%j', (chunks, expected) => {
    expect(parseOwnership(chunks)).toEqual(expected);
  });
  it('looks for the old and the new (record-type prefixed) names', () => {
    expect(registryNames('a.test')).toEqual(['a.test', 'a-a.test', 'aaaa-a.test', 'cname-a.test']);
    expect(registryNames('a.test', 'txt.')).toEqual([
      'txt.a.test',
      'txt.a-a.test',
      'txt.aaaa-a.test',
      'txt.cname-a.test',
    ]);
  });
});

describe('CoreDNS checks (table)', () => {
  const base: DnsView = {
    hosts: [],
    answers: new Map(),
    registry: [],
    resources: new Map(),
    servers: [],
    coredns: { service: 'kube-system/kube-dns', found: { clusterIP: '10.96.0.10' }, pods: [], lookup: null },
  };
  const run = (coredns: Partial<DnsView['coredns']>) =>
    CHECKS.flatMap((c) =>
      [...c.run({ ...base, coredns: { ...base.coredns, ...coredns } }, { ownerId: 'default' }, NOW)].map(
        (r) => `${c.id}:${r.severity ?? c.severity}`,
      ),
    );
  it.each([
    ['Service missing', { found: undefined, pods: null }, ['dns.coredns-service:critical']],
    ['no pod selected', { pods: [] }, ['dns.coredns-pods:critical']],
    [
      'one of two pods not ready',
      {
        pods: [
          { name: 'a', ready: true },
          { name: 'b', ready: false },
        ],
      },
      ['dns.coredns-pods:warning'],
    ],
    ['all ready', { pods: [{ name: 'a', ready: true }] }, []],
    [
      'lookup answers another IP than the kubernetes Service',
      {
        pods: null,
        lookup: {
          name: 'kubernetes.default.svc.cluster.local',
          server: 's',
          expected: '10.96.0.1',
          answer: { status: 'ok' as const, addresses: ['10.0.0.9'], chain: [] },
        },
      },
      ['dns.cluster-lookup:critical'],
    ],
    [
      'lookup times out',
      {
        pods: null,
        lookup: {
          name: 'kubernetes.default.svc.cluster.local',
          server: 's',
          answer: { status: 'error' as const, code: 'ETIMEOUT', chain: [] },
        },
      },
      ['dns.cluster-lookup:critical'],
    ],
  ])('%s', (_t, coredns, expected) => {
    expect(run(coredns)).toEqual(expected);
  });
});

const kubeDns = (clusterIP: string): KubeObject => ({
  ...svc('kube-system', 'kube-dns', {
    selector: { 'k8s-app': 'kube-dns' },
    ports: [{ port: 53, name: 'dns' }],
  }),
  spec: {
    type: 'ClusterIP',
    clusterIP,
    selector: { 'k8s-app': 'kube-dns' },
    ports: [{ port: 53, protocol: 'UDP', name: 'dns' }],
  },
});
const apiService: KubeObject = {
  ...svc('default', 'kubernetes', { ports: [{ port: 443 }] }),
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ port: 443, protocol: 'TCP' }] },
};

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-dns-bot against dnsmasq, with its own RBAC (external-dns ownership rules)', () => {
  const objects = (): KubeObject[] => [
    ns('web'),
    ns('kube-system'),
    ns('default'),
    ingress('web', 'shop', {
      rules: [{ host: 'shop.example.test', paths: [{ service: 'shop', port: 80 }] }],
      lb: [{ ip: '203.0.113.10' }],
    }),
    ingress('web', 'pay', {
      rules: [{ host: 'pay.example.test', paths: [{ service: 'pay', port: 80 }] }],
      lb: [{ ip: '203.0.113.11' }],
    }),
    ingress('web', 'gone', {
      rules: [{ host: 'gone.example.test', paths: [{ service: 'x', port: 80 }] }],
      lb: [{ ip: '203.0.113.12' }],
    }),
    ingress('web', 'wild', {
      rules: [{ host: '*.apps.example.test', paths: [{ service: 'x', port: 80 }] }],
      lb: [{ ip: '203.0.113.12' }],
    }),
    svc('web', 'edge', {
      type: 'LoadBalancer',
      selector: { app: 'edge' },
      lb: [{ hostname: 'lb-1.elb.example.test' }],
      annotations: { 'external-dns.alpha.kubernetes.io/hostname': 'www.example.test' },
    }),
    svc('web', 'api', {
      type: 'LoadBalancer',
      selector: { app: 'api' },
      lb: [{ hostname: 'lb-2.elb.example.test' }],
      annotations: { 'external-dns.alpha.kubernetes.io/hostname': 'api.example.test' },
    }),
    kubeDns('10.96.0.10'),
    apiService,
    pod('kube-system', 'coredns-1', { labels: { 'k8s-app': 'kube-dns' } }),
    pod('kube-system', 'coredns-2', { labels: { 'k8s-app': 'kube-dns' }, ready: false }),
  ];

  it('finds the wrong, missing and dangling records and leaves the right ones and other owners alone', async () => {
    harness = await startBotHarness(bot, {
      now: () => NOW,
      objects: objects(),
      env: {
        ECO_DNS_SERVERS: dns.server,
        ECO_DNS_CLUSTER_RESOLVER: dns.server,
        ECO_DNS_AUDIT_NAMES: 'old.example.test,foreign.example.test,moved.example.test',
      },
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.kind} ${f.object.name}`).sort()).toEqual([
      'dns.coredns-pods Service kube-dns',
      'dns.orphaned-record DNSRecord moved.example.test',
      'dns.orphaned-record DNSRecord old.example.test',
      'dns.unresolved Ingress gone',
      'dns.wrong-address Ingress pay',
      'dns.wrong-address Service api',
    ]);
    const old = report.findings.find((f) => f.object.name === 'old.example.test');
    expect(old?.message).toContain('ingress/legacy/old-portal, which no longer exists');
    const moved = report.findings.find((f) => f.object.name === 'moved.example.test');
    expect(moved?.message).toContain('no longer declares it');
    const pay = report.findings.find((f) => f.object.name === 'pay');
    expect(pay?.evidence).toMatchObject({ resolved: ['203.0.113.99'], expected: { ips: ['203.0.113.11'] } });
    expect(harness.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('reports a failing DNS server as a report error, never a crash', async () => {
    harness = await startBotHarness(bot, {
      now: () => NOW,
      objects: objects(),
      env: { ECO_DNS_SERVERS: '127.0.0.1:9', ECO_DNS_TIMEOUT_MS: '300', ECO_DNS_CLUSTER_LOOKUP: 'false' },
    });
    const report = await harness.run({ checks: ['dns.unresolved', 'dns.wrong-address'] });
    expect(report.findings).toEqual([]);
    expect(report.errors.map((e) => e.code)).toContain('dns-unavailable');
    // After 8 failures without an answer the rest is skipped, not waited for one by one.
    expect(report.errors.map((e) => e.message).join('\n')).toMatch(/queries not sent/);
  });

  it('with the Gateway API installed, resolves HTTPRoute hostnames against their Gateway address', async () => {
    const crd = (plural: string, kind: string): KubeObject => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.gateway.networking.k8s.io` },
      spec: {
        group: 'gateway.networking.k8s.io',
        names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
            subresources: { status: {} },
          },
        ],
      },
    });
    harness = await startBotHarness(bot, {
      now: () => NOW,
      objects: [
        ns('web'),
        crd('gateways', 'Gateway'),
        crd('httproutes', 'HTTPRoute'),
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'Gateway',
          metadata: { name: 'edge', namespace: 'web' },
          spec: { gatewayClassName: 'x', listeners: [] },
          status: { addresses: [{ type: 'IPAddress', value: '203.0.113.77' }] },
        },
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'shop', namespace: 'web' },
          spec: { parentRefs: [{ name: 'edge' }], hostnames: ['shop.example.test'] },
        },
      ],
      env: { ECO_DNS_SERVERS: dns.server, ECO_DNS_CLUSTER_LOOKUP: 'false' },
    });
    const report = await harness.run({ checks: ['dns.wrong-address'] });
    expect(report.findings.map((f) => `${f.object.kind} ${f.object.name}`)).toEqual(['HTTPRoute shop']);
    expect(report.findings[0]?.evidence).toMatchObject({ expected: { ips: ['203.0.113.77'] } });
  });
});
