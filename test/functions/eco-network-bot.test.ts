import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-network-bot/handler.ts';
import {
  peerNamespaceMissing,
  podUncovered,
  policyNoPods,
  serviceNoPods,
  targetPortNotExposed,
  type Snap,
} from '../../functions/eco-network-bot/checks.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { slimPod } from '../../shared/net/index.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { ns, pod, policy, snapshotOf, svc } from './network/objects.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const settings = { ignoreNamespaces: ['kube-system'] };

function snap(
  o: Partial<Record<keyof Snap['objects'], KubeObject[]>>,
  failed: (keyof Snap['objects'])[] = [],
): Snap {
  return snapshotOf(
    {
      namespaces: o.namespaces ?? [ns('web'), ns('kube-system')],
      pods: o.pods ?? [],
      services: o.services ?? [],
      networkpolicies: o.networkpolicies ?? [],
    },
    { failed },
  ) as unknown as Snap;
}
const names = (results: Iterable<{ object: unknown; discriminator?: string }>): string[] =>
  [...results].map((r) => {
    const o = r.object as KubeObject;
    return `${o.metadata.namespace}/${o.metadata.name}${r.discriminator ? `#${r.discriminator}` : ''}`;
  });

const web = pod('web', 'web-1', { labels: { app: 'web' }, ports: [{ containerPort: 8080, name: 'http' }] });
const db = pod('web', 'db-1', { labels: { app: 'db' } });

describe('network.pod-uncovered (Popeye 1204/1205, kube-score pod-networkpolicy)', () => {
  const denyAll = policy('web', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const ingressOnly = policy('web', 'web-in', { podSelector: { matchLabels: { app: 'web' } } });
  const egressRules = policy('web', 'db-out', {
    podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] },
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
  });
  it.each([
    ['no policy: both directions open (1205)', [], ['web/db-1', 'web/web-1']],
    ['podSelector {} with both policyTypes covers every pod (kube-score #293)', [denyAll], []],
    [
      'policyTypes defaulted to Ingress only: egress still open (1204)',
      [ingressOnly],
      ['web/db-1', 'web/web-1'],
    ],
    [
      'egress rules default policyTypes to Ingress+Egress (matchExpressions In)',
      [egressRules],
      ['web/web-1'],
    ],
  ])('%s', (_t, policies, expected) => {
    const got = names(podUncovered.run(snap({ pods: [web, db], networkpolicies: policies }), settings, NOW));
    expect(got.sort()).toEqual(expected);
  });
  it('names the open direction and leaves host-network, finished and ignored-namespace pods alone', () => {
    const results = [
      ...podUncovered.run(
        snap({
          pods: [
            web,
            pod('web', 'node-agent', { hostNetwork: true }),
            pod('web', 'job-1', { phase: 'Succeeded' }),
            pod('kube-system', 'coredns-1'),
          ],
          networkpolicies: [ingressOnly],
        }),
        settings,
        NOW,
      ),
    ];
    expect(results.map((r) => r.message)).toEqual([
      'pod web/web-1 is selected by no NetworkPolicy for egress: all such traffic is allowed',
    ]);
    expect(results[0]?.evidence).toMatchObject({ ingressCovered: true, egressCovered: false });
  });
});

describe('network.policy-no-pods (Popeye 1200/1202/1208, kube-score networkpolicy-targets-pod)', () => {
  it('reports a selector matching no live pod, not a namespace-wide {} baseline', () => {
    const policies = [
      policy('web', 'stale', { podSelector: { matchLabels: { app: 'gone' } } }),
      policy('web', 'finished-only', { podSelector: { matchLabels: { app: 'job' } } }),
      policy('web', 'fine', { podSelector: { matchLabels: { app: 'web' } } }),
      policy('web', 'baseline', { podSelector: {} }),
    ];
    const pods = [web, pod('web', 'job-1', { labels: { app: 'job' }, phase: 'Succeeded' })];
    expect(names(policyNoPods.run(snap({ pods, networkpolicies: policies }), settings, NOW))).toEqual([
      'web/stale',
      'web/finished-only',
    ]);
  });
});

describe('network.service-no-pods (Popeye 1100, kube-score service-targets-pod)', () => {
  it('reports selectors matching nothing; skips ExternalName and selector-less Services', () => {
    const services = [
      svc('web', 'web', { selector: { app: 'web' } }),
      svc('web', 'reports', { selector: { app: 'reports' } }),
      svc('web', 'other-ns', { selector: { app: 'db', tier: 'x' } }),
      svc('web', 'external', { type: 'ExternalName' }),
      svc('web', 'manual-endpoints'),
    ];
    expect(names(serviceNoPods.run(snap({ pods: [web, db], services }), settings, NOW))).toEqual([
      'web/reports',
      'web/other-ns',
    ]);
  });
});

describe('network.target-port-not-exposed (Popeye 1106, 1101 skip rule)', () => {
  it.each([
    ['numeric targetPort the container declares', 8080, []],
    ['named targetPort the container declares', 'http', []],
    ['numeric targetPort not declared', 9090, ['web/web#:80']],
    ['named targetPort not declared (critical: no endpoints)', 'metrics', ['web/web#:80']],
  ])('%s', (_t, target, expected) => {
    const services = [
      svc('web', 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: target }] }),
    ];
    expect(names(targetPortNotExposed.run(snap({ pods: [web], services }), settings, NOW))).toEqual(expected);
  });
  it('skips pods that declare no ports at all (Popeye 1101) and reports a named miss as critical', () => {
    const skip = [svc('web', 'db', { selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 5433 }] })];
    expect([...targetPortNotExposed.run(snap({ pods: [db], services: skip }), settings, NOW)]).toEqual([]);
    const named = [
      svc('web', 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'metrics' }] }),
    ];
    const [r] = [...targetPortNotExposed.run(snap({ pods: [web], services: named }), settings, NOW)];
    expect(r?.severity).toBe('critical');
    expect(r?.evidence).toMatchObject({ targetPort: 'metrics', containerPorts: ['http:8080'] });
  });
});

describe('network.peer-namespace-missing (Popeye 1201)', () => {
  const p = policy('web', 'allow', {
    podSelector: {},
    ingress: [
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } } }] },
    ],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'nobody' } } }] }],
  });
  it('reports each peer whose namespaceSelector matches no namespace', () => {
    const results = [...peerNamespaceMissing.run(snap({ networkpolicies: [p] }), settings, NOW)];
    expect(results.map((r) => r.discriminator)).toEqual(['ingress[0].from[0]', 'egress[0].to[0]']);
    expect(results[0]?.message).toContain('namespace "ingress-nginx", which does not exist');
  });
  it('judges nothing when the namespaces could not be read', () => {
    expect([
      ...peerNamespaceMissing.run(snap({ networkpolicies: [p] }, ['namespaces']), settings, NOW),
    ]).toEqual([]);
  });
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-network-bot through the API with its own RBAC', () => {
  it('does the whole job with {} and narrows with namespace and checks; a bad option is a 400', async () => {
    harness = await startBotHarness(bot, {
      objects: [
        ns('web'),
        ns('other'),
        web,
        pod('other', 'lonely', { labels: { app: 'lonely' } }),
        svc('web', 'web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] }),
        svc('web', 'ghost', { selector: { app: 'ghost' } }),
        policy('web', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      ],
      now: () => NOW,
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.namespace}/${f.object.name}`).sort()).toEqual([
      'network.pod-uncovered other/lonely',
      'network.service-no-pods web/ghost',
    ]);
    const denied = harness.emulator.requests.filter((r) => r.status === 403);
    expect(denied).toEqual([]);
    const scoped = await harness.run({ namespace: 'web', checks: ['network.service-no-pods'] });
    expect(scoped.findings.map((f) => f.object.name)).toEqual(['ghost']);
    await expect(harness.run({ checks: ['network.nope'] })).rejects.toMatchObject({ status: 400 });
  });
});

describe('eco-network-bot when pods cannot be read', () => {
  it('reports the read error and judges no Service or policy against an empty pod list', async () => {
    harness = await startBotHarness(
      { ...bot, rbac: bot.rbac.map((r) => ({ ...r, resources: r.resources.filter((x) => x !== 'pods') })) },
      {
        objects: [ns('web'), svc('web', 'web', { selector: { app: 'web' } }), web],
        now: () => NOW,
      },
    );
    const report = await harness.run({});
    expect(report.errors.map((e) => e.code)).toEqual(['k8s-forbidden']);
    expect(report.findings).toEqual([]);
  });
});

describe('slimPod (10k-pod clusters: keep only what the checks read)', () => {
  it('keeps labels, node, host network, container ports, phase and readiness; drops the rest', () => {
    const full = {
      ...pod('web', 'web-1', { labels: { app: 'web' }, ports: [{ containerPort: 8080, name: 'http' }] }),
      metadata: {
        name: 'web-1',
        namespace: 'web',
        labels: { app: 'web' },
        managedFields: [{ manager: 'kubectl' }],
        annotations: { big: 'x'.repeat(10_000) },
      },
    } as KubeObject;
    const slim = slimPod(full);
    expect(slim).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'web', labels: { app: 'web' } },
      spec: {
        nodeName: 'node-a',
        containers: [{ name: 'main', ports: [{ containerPort: 8080, name: 'http' }] }],
      },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(JSON.stringify(slim).length).toBeLessThan(400);
  });
});
