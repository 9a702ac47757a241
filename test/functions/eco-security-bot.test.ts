// eco-security-bot end to end against the Kubernetes API emulator with a token limited to its RBAC:
// the demo cluster's planted security rows (Polaris / PSS anchors), the score, the namespace labels,
// and the safe fixes that stay off by default and go through the rails when on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-security-bot/handler.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';
import type { KubeObject } from '../../shared/index.ts';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('on the demo cluster', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness(bot, { demo: true, now: () => NOW });
  });
  afterAll(() => h.close());

  it('finds the planted privileged and host-access pods (PSS baseline), with evidence and a fix', async () => {
    const report = await h.run({});
    expect(report.errors ?? []).toEqual([]);
    const privileged = report.findings.find(
      (f) => f.check === 'security.privileged' && f.object.name === 'net-tools',
    );
    expect(privileged).toMatchObject({
      severity: 'critical',
      object: { apiVersion: 'v1', kind: 'Pod', namespace: 'legacy', name: 'net-tools' },
    });
    expect(privileged?.evidence).toMatchObject({
      pssCheck: 'privileged',
      level: 'baseline',
      podMeets: 'privileged',
    });
    expect(privileged?.fix).toContain('privileged: false');
    const capabilities = report.findings.find(
      (f) =>
        f.check === 'security.capabilities' &&
        f.object.name === 'net-tools' &&
        (f.evidence as { pssCheck: string }).pssCheck === 'capabilities',
    );
    expect((capabilities?.evidence as { violations: { value: unknown }[] }).violations[0]?.value).toEqual([
      'NET_ADMIN',
      'SYS_ADMIN',
    ]);
    const host = report.findings.filter(
      (f) => f.check === 'security.host-access' && f.object.name === 'node-debugger',
    );
    expect(host.map((f) => (f.evidence as { pssCheck: string }).pssCheck).sort()).toEqual([
      'host-namespaces',
      'host-path',
    ]);
    expect(
      report.findings.some((f) => f.check === 'security.run-as-root' && f.object.name === 'node-debugger'),
    ).toBe(true);
    // Pods a controller manages are judged through their workload, never one finding per pod.
    expect(
      report.findings.filter(
        (f) => f.object.kind === 'Pod' && /-[a-z0-9]{9,10}-[a-z0-9]{5}$/.test(f.object.name),
      ),
    ).toEqual([]);
  });

  it('reports the Polaris score per namespace and for the cluster', async () => {
    const report = await h.run({});
    const data = report.data as {
      score: number;
      namespaces: Record<string, { score: number; level: string }>;
    };
    expect(data.score).toBeGreaterThan(0);
    expect(data.score).toBeLessThan(100);
    expect(data.namespaces['legacy']?.level).toBe('privileged');
    expect(report.summary).toMatch(/Polaris score \d+/);
  });

  it('narrows to one namespace and to chosen checks; rejects unknown checks', async () => {
    const report = await h.run({ namespace: 'legacy', checks: ['security.privileged'] });
    expect(new Set(report.findings.map((f) => f.check))).toEqual(new Set(['security.privileged']));
    expect(report.findings.every((f) => f.object.namespace === 'legacy')).toBe(true);
    await expect(h.run({ checks: ['security.nope'] })).rejects.toThrow(/checks/);
  });

  it('at the baseline level reports no restricted-only checks', async () => {
    const report = await h.run({ level: 'baseline' });
    expect(
      report.findings.some(
        (f) =>
          f.check === 'security.privilege-escalation' || f.check === 'security.read-only-root-filesystem',
      ),
    ).toBe(false);
    expect(report.findings.some((f) => f.check === 'security.privileged')).toBe(true);
  });

  it('changes nothing by default', async () => {
    const report = await h.run({});
    expect(report.actions ?? []).toEqual([]);
  });
});

describe('namespace labels and safe fixes', () => {
  const ns = (
    name: string,
    labels: Record<string, string> = {},
    annotations: Record<string, string> = {},
  ): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels, annotations },
  });
  const deployment = (
    namespace: string,
    name: string,
    containers: unknown[],
    extra: Record<string, unknown> = {},
  ): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, uid: `uid-${name}`, ...extra },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  });
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness(bot, {
      now: () => NOW,
      env: { ECO_SECURITY_SAFE_FIXES: 'true', ECO_MODE: 'apply' },
      objects: [
        ns('strict', { 'pod-security.kubernetes.io/enforce': 'restricted' }),
        ns('open'),
        ns('kept', {}, { 'eco.bsw-arch.org/exclude': 'true' }),
        deployment('strict', 'web', [{ name: 'web', image: 'nginx' }]),
        deployment('open', 'api', [{ name: 'api', image: 'api' }]),
        deployment('open', 'vpn', [
          {
            name: 'vpn',
            image: 'vpn',
            securityContext: { capabilities: { add: ['NET_ADMIN'] }, seccompProfile: { type: 'Unconfined' } },
          },
        ]),
        deployment('kept', 'legacy', [{ name: 'legacy', image: 'legacy' }]),
      ],
    });
  });
  afterAll(() => h.close());

  it('flags an enforce label stricter than the pods meet, and an unlabelled namespace', async () => {
    const report = await h.run({ checks: ['security.namespace-label'] });
    const strict = report.findings.find((f) => f.object.name === 'strict');
    expect(strict?.message).toContain('will be rejected when recreated');
    expect(strict?.evidence).toMatchObject({ mode: 'enforce', label: 'restricted', podsMeet: 'baseline' });
    // A run narrowed to other checks applies no fix, even with ECO_SECURITY_SAFE_FIXES on.
    expect(report.actions ?? []).toEqual([]);
    expect(report.findings.find((f) => f.object.name === 'open')?.severity).toBe('info');
  });

  it('applies the safe fixes through the rails, not to what needs otherwise or is excluded', async () => {
    const report = await h.run({});
    const patched = (report.actions ?? []).filter((a) => a.verb === 'patch');
    const by = new Map(patched.map((a) => [`${a.object.namespace}/${a.object.name}`, a.status]));
    expect(by.get('strict/web')).toBe('applied');
    expect(by.get('open/api')).toBe('applied');
    expect(by.has('open/vpn')).toBe(false); // adds a capability and sets its own seccomp profile
    expect(by.get('kept/legacy')).toBe('skipped'); // excluded by annotation on its namespace
    const web = h.emulator.store.get('deployments', 'web', 'strict') as unknown as {
      spec: {
        template: { spec: { containers: { securityContext?: unknown }[]; securityContext?: unknown } };
      };
    };
    expect(web.spec.template.spec.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
    });
    expect(web.spec.template.spec.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(h.emulator.store.get('deployments', 'web', 'strict')?.spec).toMatchObject({
      template: { spec: { containers: [{ image: 'nginx' }] } },
    });
  });
});
