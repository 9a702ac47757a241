// eco-upgrade-bot: Popeye POP-405 (old Kubernetes) applied to the control plane and platform
// components, the Kubernetes version skew policy, removed APIs, and system-upgrade-controller's order.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import bot, { componentsOf } from '../../functions/eco-upgrade-bot/handler.ts';
import { CATALOGUE, parseCatalogue } from '../../functions/eco-upgrade-bot/catalogue.ts';
import {
  CHECKS,
  parseVersion,
  supportOf,
  upgradePlan,
  type UpgradeSnap,
  type Version,
} from '../../functions/eco-upgrade-bot/checks.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-12-05T06:17:00Z');
const v = (text: string): Version => parseVersion(text) as Version;

const node = (name: string, kubelet: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { nodeInfo: { kubeletVersion: kubelet }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const deploy = (ns: string, name: string, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
  },
});

function snap(over: Partial<UpgradeSnap> = {}): UpgradeSnap {
  return {
    cluster: 'c',
    server: v('v1.35.2'),
    nodes: [],
    components: [],
    removedNext: [],
    catalogue: CATALOGUE,
    ...over,
  };
}
function run(id: string, s: UpgradeSnap) {
  const c = CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(id);
  return [...c.run(s, { eolWarningDays: 90 }, NOW)];
}

describe('eco-upgrade-bot checks', () => {
  it.each([
    ['v1.31.4', 'critical'],
    ['v1.35.0', 'warning'], // ends 2027-02-28: within 90 days
    ['v1.36.1', undefined],
    ['v1.27.3', 'critical'], // older than every listed line
  ])('upgrade.control-plane-eol (Popeye POP-405): %s', (version, severity) => {
    const out = run('upgrade.control-plane-eol', snap({ server: v(version) }));
    expect(out[0]?.severity).toBe(severity);
  });

  it.each([
    ['v1.35.0', undefined],
    ['v1.33.5', undefined],
    ['v1.32.9', 'warning'], // at the limit: blocks the next control plane upgrade
    ['v1.31.0', 'critical'], // beyond the skew policy
    ['v1.36.0', 'critical'], // newer than the control plane
  ])('upgrade.kubelet-skew (version skew policy, 3 minors): kubelet %s vs 1.35', (kubelet, severity) => {
    const out = run('upgrade.kubelet-skew', snap({ nodes: [node('n1', kubelet)] }));
    expect(out[0]?.severity).toBe(severity);
  });

  it.each([
    ['registry.k8s.io/coredns/coredns:v1.11.3', 'critical'],
    ['registry.k8s.io/coredns/coredns:v1.12.1', 'warning'],
    ['registry.k8s.io/metrics-server/metrics-server:v0.8.0', undefined],
    ['quay.io/jetstack/cert-manager-controller:v1.18.2', 'critical'],
    ['ghcr.io/openfaas/gateway:0.27.12', undefined],
    ['docker.io/library/nginx:1.27.0', 'none'],
  ])('upgrade.component-eol (POP-405 for components): %s', (image, severity) => {
    const comps = componentsOf(deploy('x', 'c', image), CATALOGUE);
    if (severity === 'none') return expect(comps).toEqual([]);
    const out = run('upgrade.component-eol', snap({ components: comps }));
    expect(out[0]?.severity).toBe(severity);
  });

  it('upgrade.removed-api-next-minor (deprecation guide): counts objects on an API the next minor removes', () => {
    const out = run(
      'upgrade.removed-api-next-minor',
      snap({
        server: v('v1.31.0'),
        removedNext: [
          {
            apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
            kind: 'FlowSchema',
            removedIn: '1.32',
            replacement: 'flowcontrol.apiserver.k8s.io/v1',
            objects: ['exempt', 'probes'],
          },
        ],
      }),
    );
    expect(out).toHaveLength(1);
    expect(out[0]?.evidence).toMatchObject({ count: 2, replacement: 'flowcontrol.apiserver.k8s.io/v1' });
  });

  it('plans kubelets at the skew limit first, then APIs, the control plane, nodes one by one, then components (system-upgrade-controller order)', () => {
    const s = snap({
      server: v('v1.34.1'),
      nodes: [node('a', 'v1.34.1'), node('b', 'v1.31.2')],
      components: componentsOf(
        deploy('kube-system', 'coredns', 'registry.k8s.io/coredns/coredns:v1.11.3'),
        CATALOGUE,
      ),
      removedNext: [
        { apiVersion: 'x/v1beta1', kind: 'Thing', removedIn: '1.35', replacement: 'x/v1', objects: ['t'] },
      ],
    });
    expect(upgradePlan(s).map((p) => `${p.what}:${p.target}:${p.to}`)).toEqual([
      'kubelet:b:1.34',
      'apis:x/v1beta1/Thing:x/v1',
      'control-plane:c:1.35',
      'kubelet:a:1.35',
      'kubelet:b:1.35',
      'component:CoreDNS (kube-system/coredns):1.13',
    ]);
  });

  it('support of a line: ended, ending, supported', () => {
    expect(supportOf(CATALOGUE.kubernetes, v('1.36.0'), NOW, 90).state).toBe('supported');
    expect(supportOf(CATALOGUE.kubernetes, v('1.34.0'), NOW, 90).state).toBe('ended');
    expect(supportOf(CATALOGUE.kubernetes, v('9.1.0'), NOW, 90).state).toBe('unknown');
  });

  it('rejects a malformed catalogue naming the field', () => {
    expect(() => parseCatalogue({ kubernetes: [{ minor: '1.35', eol: 'soon' }] })).toThrow(/kubernetes\[0\]/);
    expect(() => parseCatalogue([])).toThrow();
  });
});

let harness: BotHarness | undefined;
let server: Server | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const objects: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
  node('cp-1', 'v1.35.0'),
  node('worker-1', 'v1.32.9'),
  deploy('kube-system', 'coredns', 'registry.k8s.io/coredns/coredns:v1.11.3'),
  deploy('kube-system', 'metrics-server', 'registry.k8s.io/metrics-server/metrics-server:v0.8.0'),
];

async function serve(status: number, body: unknown): Promise<string> {
  server = createServer((_, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}/catalogue.json`;
}

describe('eco-upgrade-bot (RBAC enforced, emulator serves v1.35.0)', () => {
  it('reads /version, kubelets and components with its own token and returns findings and a plan', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.name}`).sort()).toEqual([
      'upgrade.component-eol coredns',
      'upgrade.control-plane-eol cluster',
      'upgrade.kubelet-skew worker-1',
    ]);
    const plan = (report.data?.['plan'] as { what: string; target: string }[]).map(
      (p) => `${p.what}:${p.target}`,
    );
    expect(plan[0]).toBe('kubelet:worker-1');
    expect(plan).toContain('control-plane:cluster');
  });

  it('uses a catalogue from ECO_UPGRADE_CATALOGUE_URL, and falls back to the shipped one with an error when it fails', async () => {
    const url = await serve(200, {
      asOf: '2027-01-01',
      kubernetes: [{ minor: '1.35', eol: '2030-01-01' }],
      components: [],
    });
    harness = await startBotHarness(bot, {
      objects,
      now: () => NOW,
      env: { ECO_UPGRADE_CATALOGUE_URL: url },
    });
    const fresh = await harness.run({});
    expect(fresh.data?.['catalogueAsOf']).toBe('2027-01-01');
    expect(fresh.findings.map((f) => f.check)).not.toContain('upgrade.control-plane-eol');
    await harness.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const broken = await serve(503, {});
    harness = await startBotHarness(bot, {
      objects,
      now: () => NOW,
      env: { ECO_UPGRADE_CATALOGUE_URL: broken },
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([expect.objectContaining({ code: 'catalogue-http-503' })]);
    expect(report.data?.['catalogueAsOf']).toBe(CATALOGUE.asOf);
  });

  it('rejects an unknown check id', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    await expect(harness.run({ checks: ['upgrade.nope'] })).rejects.toThrow(/checks/);
  });
});
