// Real-world shapes the network bots must tolerate (BOT-DONE): old objects with selfLink and no
// managedFields, no status, no spec, no labels, empty lists. Every check of every network bot runs
// over them without throwing.
import { describe, expect, it } from 'vitest';
import { CHECKS as network } from '../../../functions/eco-network-bot/checks.ts';
import { CHECKS as ingress } from '../../../functions/eco-ingress-bot/checks.ts';
import { CHECKS as loadbalancer } from '../../../functions/eco-loadbalancer-bot/checks.ts';
import { CHECKS as gateway } from '../../../functions/eco-gateway-bot/checks.ts';
import { CHECKS as dns } from '../../../functions/eco-dns-bot/checks.ts';
import { declaredHosts } from '../../../functions/eco-dns-bot/declared.ts';
import type { KubeObject } from '../../../shared/k8s/types.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const bare = (kind: string, name: string, namespace?: string): KubeObject =>
  ({
    apiVersion: 'v1',
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      // Removed in Kubernetes 1.20; objects stored before still carry it.
      selfLink: `/api/v1/${kind.toLowerCase()}s/${name}`,
    },
  }) as KubeObject;
const odd: KubeObject[] = [
  bare('Pod', 'p', 'a'),
  { ...bare('Pod', 'q', 'a'), spec: { containers: [{ name: 'c', image: 'x', ports: [] }] }, status: {} },
  bare('Service', 's', 'a'),
  { ...bare('Service', 't', 'a'), spec: { type: 'LoadBalancer', selector: {} } },
  {
    ...bare('Service', 'u', 'a'),
    spec: { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] },
  },
  bare('NetworkPolicy', 'n', 'a'),
  {
    ...bare('NetworkPolicy', 'o', 'a'),
    spec: {
      podSelector: { matchExpressions: [{ key: 'k', operator: 'Weird' }] },
      ingress: [{}],
      egress: [{ to: [{}] }],
    },
  },
  bare('Ingress', 'i', 'a'),
  {
    ...bare('Ingress', 'j', 'a'),
    spec: { rules: [{}, { host: 'x.test' }, { http: { paths: [{}] } }], tls: [{}, { hosts: [] }] },
  },
  bare('Endpoints', 's', 'a'),
  { ...bare('Endpoints', 't', 'a'), subsets: [{}] },
  bare('Node', 'n1'),
  bare('Namespace', 'a'),
  {
    ...bare('HTTPRoute', 'r', 'a'),
    spec: { rules: [{}, { backendRefs: [] }] },
    status: { parents: [{ parentRef: { name: 'g' } }] },
  },
];
const snap = {
  objects: new Proxy({} as Record<string, KubeObject[]>, { get: () => odd }),
  missing: new Set(),
  failed: new Set(),
  errors: [],
  findings: [],
  takenAt: NOW,
  tls: new Map(),
};

describe('network bots on odd real-world shapes', () => {
  it.each([
    ['eco-network-bot', network],
    ['eco-ingress-bot', ingress],
    ['eco-loadbalancer-bot', loadbalancer],
    ['eco-gateway-bot', gateway],
  ] as const)('%s: no check throws', (_bot, checks) => {
    const settings = {
      ignoreNamespaces: [],
      renewDays: 30,
      criticalDays: 7,
      pendingAfter: 1,
      price: { hourly: 1, currency: 'USD' },
      statusGraceMs: 1,
    };
    for (const c of checks)
      expect(
        () => [
          ...(c as { run: (s: unknown, t: unknown, n: Date) => Iterable<unknown> }).run(snap, settings, NOW),
        ],
        c.id,
      ).not.toThrow();
  });
  it('eco-dns-bot: declared hosts and checks take the same shapes', () => {
    const hosts = declaredHosts({ ingresses: odd, services: odd, httproutes: odd, gateways: odd });
    const view = {
      hosts,
      answers: new Map(),
      registry: [],
      resources: new Map(),
      servers: [],
      coredns: { service: 'kube-system/kube-dns', found: {}, pods: null, lookup: null },
    };
    for (const c of dns) expect(() => [...c.run(view, { ownerId: 'default' }, NOW)], c.id).not.toThrow();
  });
});
