// eco-compliance-bot end to end against the Kubernetes API emulator with a token limited to its RBAC:
// the demo cluster's planted FAGAM rows and their look-alikes, the score, and PolicyReports
// (wgpolicyk8s.io/v1alpha2, Kyverno's format) written through the rails when enabled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-compliance-bot/handler.ts';
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

  it('finds images from Google, AWS and Azure registries and the Azure annotation', async () => {
    const report = await h.run({});
    expect(report.errors ?? []).toEqual([]);
    const registry = report.findings.filter((f) => f.check === 'compliance.fagam-registry');
    const names = registry.map((f) => `${f.object.namespace}/${f.object.name}`).sort();
    expect(names).toEqual(
      expect.arrayContaining(['analytics/dashboards', 'analytics/ingest', 'analytics/ml-scorer']),
    );
    const scorer = registry.find((f) => f.object.name === 'ml-scorer');
    expect(scorer).toMatchObject({
      severity: 'critical',
      object: { apiVersion: 'apps/v1', kind: 'Deployment' },
    });
    expect(scorer?.message).toContain('gcr.io/ml-public/scorer:1.4.0 from Google Container Registry');
    expect(scorer?.evidence).toMatchObject({ control: 'ECO-FAGAM-01' });
    expect(
      report.findings.some(
        (f) => f.check === 'compliance.fagam-annotation' && f.object.name === 'dashboards',
      ),
    ).toBe(true);
    // Look-alike: registry.k8s.io is the community registry, not Google Cloud.
    expect(registry.some((f) => JSON.stringify(f.evidence).includes('registry.k8s.io'))).toBe(false);
  });

  it('holds images to the 50 MB budget with the sizes the nodes report', async () => {
    const report = await h.run({ controls: ['compliance.image-size'] });
    const scorer = report.findings.find((f) => f.object.name === 'ml-scorer');
    expect(scorer?.evidence).toMatchObject({ sizeBytes: 402_118_006, budgetBytes: 50_000_000 });
    expect(new Set(report.findings.map((f) => f.check))).toEqual(new Set(['compliance.image-size']));
  });

  it('scores the controls and writes no PolicyReport unless enabled', async () => {
    const report = await h.run({});
    const data = report.data as { score: number; controls: Record<string, { failed: number }> };
    expect(data.score).toBeGreaterThan(0);
    expect(data.score).toBeLessThan(100);
    expect(data.controls['ECO-FAGAM-01']?.failed).toBeGreaterThanOrEqual(3);
    expect(report.actions ?? []).toEqual([]);
  });
});

describe('PolicyReports through the rails', () => {
  const crd = (plural: string, kind: string, scope: 'Namespaced' | 'Cluster'): KubeObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.wgpolicyk8s.io` },
    spec: {
      group: 'wgpolicyk8s.io',
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: 'v1alpha2',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  });
  const objects: KubeObject[] = [
    crd('policyreports', 'PolicyReport', 'Namespaced'),
    crd('clusterpolicyreports', 'ClusterPolicyReport', 'Cluster'),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'infra', namespace: 'tools', uid: 'u1' },
      spec: {
        template: {
          metadata: { annotations: { 'vault.hashicorp.com/agent-inject': 'true' } },
          spec: {
            containers: [
              {
                name: 'tf',
                image: 'hashicorp/terraform:1.9',
                env: [{ name: 'VAULT_ADDR', value: 'http://vault:8200' }],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'gp3' },
      provisioner: 'ebs.csi.aws.com',
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'local' },
      provisioner: 'rancher.io/local-path',
    },
  ];
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness(bot, {
      objects,
      now: () => NOW,
      env: { ECO_COMPLIANCE_POLICY_REPORTS: 'true', ECO_MODE: 'apply' },
    });
  });
  afterAll(() => h.close());

  it('finds Terraform and Vault and cloud storage, and writes a PolicyReport per namespace and a ClusterPolicyReport', async () => {
    const report = await h.run({});
    const tooling = report.findings.find((f) => f.check === 'compliance.fagam-tooling');
    expect(tooling?.message).toContain('HashiCorp Terraform and HashiCorp Vault');
    expect(tooling?.fix).toContain('OpenBao');
    expect(report.findings.find((f) => f.check === 'compliance.fagam-storage')?.object).toEqual({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      name: 'gp3',
    });
    expect((report.actions ?? []).map((a) => `${a.verb} ${a.object.kind} ${a.status}`).sort()).toEqual([
      'create ClusterPolicyReport applied',
      'create PolicyReport applied',
    ]);
    const stored =
      h.emulator.store.get('policyreports.wgpolicyk8s.io', 'eco-compliance', 'tools') ??
      h.emulator.store.get('policyreports', 'eco-compliance', 'tools');
    expect(stored).toBeDefined();
    const results = (
      stored as unknown as { results: { rule: string; result: string; properties: { control: string } }[] }
    ).results;
    expect(results.find((r) => r.rule === 'fagam-tooling')).toMatchObject({
      result: 'fail',
      properties: { control: 'ECO-FAGAM-04' },
    });
  });

  it('updates the reports on the next run instead of creating them again', async () => {
    const report = await h.run({});
    expect((report.actions ?? []).map((a) => `${a.verb} ${a.status}`)).toEqual([
      'update applied',
      'update applied',
    ]);
  });
});

describe('without the PolicyReport CRDs', () => {
  it('reports the missing API instead of failing', async () => {
    const h = await startBotHarness(bot, {
      objects: [],
      now: () => NOW,
      env: { ECO_COMPLIANCE_POLICY_REPORTS: 'true' },
    });
    try {
      const report = await h.run({});
      expect(report.findings.some((f) => f.check === 'eco-compliance-bot.api-missing')).toBe(true);
      expect(report.errors ?? []).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
