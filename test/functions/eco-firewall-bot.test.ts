// eco-firewall-bot end to end against the Kubernetes API emulator with a token limited to its RBAC:
// Kyverno add-network-policy / add-networkpolicy-dns (default deny + DNS egress), annotation
// allow-lists with metadata endpoints cut out, over-broad policies, and what it will not touch
// (protected, excluded, namespaces its owners already isolate, foreign policies of its names).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-firewall-bot/handler.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';
import type { KubeObject } from '../../shared/index.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const ns = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, annotations },
});
const np = (
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  labels: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, labels },
  spec,
});
const objects: KubeObject[] = [
  ns('open'),
  ns('owned'),
  ns('declared', {
    'eco.bsw-arch.org/allow-ingress-from': 'ingress-nginx',
    'eco.bsw-arch.org/allow-egress-to': '0.0.0.0/0@443, payments@5432, not a peer',
  }),
  ns('excluded', { 'eco.bsw-arch.org/exclude': 'true' }),
  ns('foreign'),
  np('owned', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
  np('owned', 'egress-anywhere', {
    podSelector: { matchLabels: { app: 'x' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
  }),
  np('foreign', 'eco-default-deny', {
    podSelector: { matchLabels: { app: 'only-this' } },
    policyTypes: ['Ingress'],
  }),
];

describe('reconciling namespaces', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness(bot, {
      objects,
      now: () => NOW,
      env: { ECO_MODE: 'apply', ECO_MAX_ACTIONS: '50' },
    });
  });
  afterAll(() => h.close());

  it('adds default deny and DNS egress where nothing isolates the pods, and renders the allow-lists', async () => {
    const report = await h.run({});
    expect(report.errors ?? []).toEqual([]);
    const applied = (report.actions ?? [])
      .filter((a) => a.status === 'applied')
      .map((a) => `${a.object.namespace}/${a.object.name}`)
      .sort();
    expect(applied).toEqual([
      'declared/eco-allow-dns',
      'declared/eco-allow-egress',
      'declared/eco-allow-ingress',
      'declared/eco-default-deny',
      'default/eco-allow-dns',
      'default/eco-default-deny',
      'foreign/eco-allow-dns', // its eco-default-deny is someone else's: left alone
      'open/eco-allow-dns',
      'open/eco-default-deny',
    ]);
    const egress = h.emulator.store.get('networkpolicies', 'eco-allow-egress', 'declared') as unknown as {
      spec: { egress: { to: { ipBlock?: unknown }[] }[] };
    };
    expect(egress.spec.egress[0]?.to[0]?.ipBlock).toEqual({
      cidr: '0.0.0.0/0',
      except: ['169.254.169.254/32'],
    });
    expect(report.findings.find((f) => f.check === 'firewall.allow-list-invalid')?.message).toContain(
      '"not a peer"',
    );
    expect(
      report.findings
        .filter((f) => f.check === 'firewall.default-deny-missing')
        .map((f) => f.object.name)
        .sort(),
    ).toEqual(expect.arrayContaining(['declared', 'excluded', 'foreign', 'open']));
  });

  it('does not touch excluded or protected namespaces, nor namespaces their owners isolate, nor foreign policies', async () => {
    const report = await h.run({});
    const touched = (report.actions ?? []).filter((a) => a.status === 'applied');
    expect(touched).toEqual([]); // the first run already converged
    const skipped = (report.actions ?? [])
      .filter((a) => a.status === 'skipped')
      .map((a) => a.object.namespace);
    expect(skipped).toEqual(expect.arrayContaining(['excluded', 'kube-system']));
    expect(
      h.emulator.store
        .list('networkpolicies', 'owned')
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['deny', 'egress-anywhere']);
    const foreign = report.findings.find((f) => f.check === 'firewall.foreign-policy');
    expect(foreign?.object).toMatchObject({ namespace: 'foreign', name: 'eco-default-deny' });
    expect(
      (
        h.emulator.store.get('networkpolicies', 'eco-default-deny', 'foreign') as unknown as {
          spec: { podSelector: unknown };
        }
      ).spec.podSelector,
    ).toEqual({ matchLabels: { app: 'only-this' } });
  });

  it('flags over-broad policies: the whole internet and the metadata endpoint', async () => {
    const report = await h.run({ checks: ['firewall.over-broad'], reconcile: false });
    const kinds = report.findings
      .filter((f) => f.object.name === 'egress-anywhere')
      .map((f) => (f.evidence as { kind: string }).kind)
      .sort();
    expect(kinds).toEqual(['metadata-reachable', 'open-cidr']);
    expect(
      report.findings.find((f) => (f.evidence as { kind: string }).kind === 'metadata-reachable')?.severity,
    ).toBe('critical');
    // The bot's own egress policy cuts the metadata endpoint out: only open-cidr there.
    const own = report.findings
      .filter((f) => f.object.name === 'eco-allow-egress')
      .map((f) => (f.evidence as { kind: string }).kind);
    expect(own).toEqual(['open-cidr']);
  });

  it('puts its own policy back when someone changed it', async () => {
    const p = h.emulator.store.get('networkpolicies', 'eco-default-deny', 'open') as KubeObject;
    h.emulator.store.put({ ...p, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    const report = await h.run({ namespace: 'open' });
    expect((report.actions ?? []).map((a) => `${a.verb} ${a.object.name} ${a.status}`)).toEqual([
      'update eco-default-deny applied',
    ]);
  });
});

describe('in dry-run (the default)', () => {
  it('plans the policies and writes nothing', async () => {
    const h = await startBotHarness(bot, { objects: [ns('open')], now: () => NOW });
    try {
      const report = await h.run({ namespace: 'open' });
      expect((report.actions ?? []).map((a) => a.status)).toEqual(['planned', 'planned']);
      expect(h.emulator.store.list('networkpolicies', 'open')).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
