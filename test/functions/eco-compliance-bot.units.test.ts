// eco-compliance-bot's pure logic: image references, the FAGAM checks (registries, annotations,
// storage, Terraform/Vault), tiers, image budget, non-root, Wolfi, the score and PolicyReports.
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../functions/eco-compliance-bot/image-ref.ts';
import {
  cloudKeysOf,
  cloudProvisionerOf,
  cloudRegistryOf,
  hashicorpImage,
  hashicorpKind,
  hashicorpUsage,
} from '../../functions/eco-compliance-bot/fagam.ts';
import {
  CONTROLS,
  complianceScore,
  overImageBudget,
  runsAsNonRoot,
  tierOf,
  wolfiVerdict,
} from '../../functions/eco-compliance-bot/controls.ts';
import { buildPolicyReports } from '../../functions/eco-compliance-bot/policy-report.ts';

describe('parseImageRef', () => {
  it.each([
    ['nginx', { registry: 'docker.io', repository: 'library/nginx' }],
    ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['grafana/grafana:11.3.0', { registry: 'docker.io', repository: 'grafana/grafana', tag: '11.3.0' }],
    [
      'localhost:5000/app@sha256:abc',
      { registry: 'localhost:5000', repository: 'app', digest: 'sha256:abc' },
    ],
    ['GCR.io/ml-public/scorer:1.4.0', { registry: 'gcr.io', repository: 'ml-public/scorer', tag: '1.4.0' }],
    ['registry.eco.local:443/a/b:1', { registry: 'registry.eco.local:443', repository: 'a/b', tag: '1' }],
  ])('%s', (image, ref) => expect(parseImageRef(image)).toEqual(ref));
});

describe('FAGAM: registries', () => {
  it.each([
    ['gcr.io/ml-public/scorer:1.4.0', 'google'],
    ['eu.gcr.io/p/x', 'google'],
    ['k8s.gcr.io/pause:3.2', 'google'],
    ['europe-west1-docker.pkg.dev/p/r/img:1', 'google'],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/ingest:3.2.0', 'amazon'],
    ['public.ecr.aws/nginx/nginx:1', 'amazon'],
    ['ecoanalytics.azurecr.io/dashboards', 'microsoft'],
    ['mcr.microsoft.com/dotnet/runtime:8.0', 'microsoft'],
  ])('%s is %s', (image, provider) => expect(cloudRegistryOf(image)?.provider).toBe(provider));

  it.each([
    'registry.k8s.io/etcd:3.6.5-0',
    'quay.io/prometheus/prometheus:v3.1.0',
    'docker.io/library/redis:7.4',
    'cgr.dev/chainguard/static',
    'notgcr.io/x',
    'gcr.io.evil.example/x',
  ])('%s is not a cloud registry', (image) => expect(cloudRegistryOf(image)).toBeUndefined());
});

describe('FAGAM: annotations, labels and storage', () => {
  it('finds cloud annotation and label keys, and cloud ingress classes', () => {
    const hits = cloudKeysOf({
      annotations: {
        'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
        'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
        'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x',
        'cloud.google.com/neg': '{"ingress":true}',
        'kubernetes.io/ingress.class': 'gce',
        'prometheus.io/scrape': 'true',
      },
      labels: { 'azure.workload.identity/use': 'true', app: 'x' },
    });
    expect(hits.map((h) => [h.provider, h.where])).toEqual([
      ['microsoft', 'annotation'],
      ['amazon', 'annotation'],
      ['amazon', 'annotation'],
      ['google', 'annotation'],
      ['google', 'annotation'],
      ['microsoft', 'label'],
    ]);
    expect(cloudKeysOf({ annotations: { 'kubernetes.io/ingress.class': 'nginx' } })).toEqual([]);
  });

  it.each([
    ['ebs.csi.aws.com', 'amazon'],
    ['kubernetes.io/gce-pd', 'google'],
    ['disk.csi.azure.com', 'microsoft'],
    ['rancher.io/local-path', undefined],
    ['driver.longhorn.io', undefined],
  ])('provisioner %s -> %s', (p, provider) => expect(cloudProvisionerOf(p)).toBe(provider));
});

describe('FAGAM: Terraform and Vault', () => {
  it.each([
    ['hashicorp/terraform:1.9', 'terraform'],
    ['docker.io/hashicorp/vault:1.17', 'vault'],
    ['vault:1.13.3', 'vault'],
    ['hashicorp/vault-k8s:1.4', 'vault'],
  ])('image %s is %s', (image, tool) => expect(hashicorpImage(image)?.tool).toBe(tool));

  it.each([
    'ghcr.io/opentofu/opentofu:1.8',
    'quay.io/openbao/openbao:2.1',
    'openbao/openbao',
    'example.com/vaultwarden/server',
  ])('image %s is fine', (image) => expect(hashicorpImage(image)).toBeUndefined());

  it('finds the Vault Agent injector, Vault and Terraform Cloud env names, and HashiCorp operator kinds', () => {
    const hits = hashicorpUsage({ 'vault.hashicorp.com/agent-inject': 'true' }, [
      'VAULT_ADDR',
      'BAO_ADDR',
      'TFE_TOKEN',
    ]);
    expect(hits.map((h) => `${h.tool}:${h.via}:${h.detail}`)).toEqual([
      'vault:annotation:vault.hashicorp.com/agent-inject',
      'vault:env:VAULT_ADDR',
      'terraform:env:TFE_TOKEN',
    ]);
    expect(hashicorpKind('secrets.hashicorp.com/v1beta1')?.replacement).toBe('OpenBao');
    expect(hashicorpKind('app.terraform.io/v1alpha2')?.replacement).toBe('OpenTofu');
    expect(hashicorpKind('external-secrets.io/v1')).toBeUndefined();
  });
});

describe('tiers, image budget, non-root, Wolfi', () => {
  it.each([
    [{ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '100m', memory: '128Mi' } }, 'small', [], []],
    [
      { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '250m', memory: '200Mi' } },
      'medium',
      [],
      [],
    ],
    [
      { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '0.5', memory: '512Mi' } },
      'large',
      [],
      [],
    ],
    [
      { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } },
      undefined,
      [],
      ['limits.cpu', 'limits.memory'],
    ],
    [{ requests: { cpu: '100m' } }, undefined, ['requests.memory', 'limits.cpu', 'limits.memory'], []],
    [undefined, undefined, ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'], []],
  ])('%j -> %s', (resources, tier, missing, over) => {
    const v = tierOf(resources);
    expect(v.tier).toBe(tier);
    expect(v.missing).toEqual(missing);
    expect(v.overLarge).toEqual(over);
  });

  it('holds images to 50 MB', () => {
    expect(overImageBudget(96_551_219)).toBe(true);
    expect(overImageBudget(28_455_821)).toBe(false);
    expect(overImageBudget(undefined)).toBe(false);
  });

  it.each([
    [undefined, undefined, undefined],
    [{ runAsNonRoot: true }, undefined, true],
    [{ runAsNonRoot: true }, { runAsUser: 0 }, false],
    [{ runAsUser: 0 }, { runAsUser: 10001 }, true],
    [undefined, { runAsNonRoot: false }, false],
    [undefined, { runAsUser: 65532 }, true],
  ])('pod %j, container %j -> %s', (pod, container, expected) =>
    expect(runsAsNonRoot(pod, container)).toBe(expected),
  );

  it.each([
    ['cgr.dev/chainguard/static:latest', [], undefined, 'wolfi'],
    ['registry.eco.local/legacy/app:0.14.2', ['registry.eco.local'], undefined, 'wolfi'],
    ['docker.io/library/postgres:16.4', [], undefined, 'other'],
    ['quay.io/prometheus/prometheus:v3.1.0', [], undefined, 'unknown'],
    ['example.com/app:1', [], 'cgr.dev/chainguard/wolfi-base:latest', 'wolfi'],
  ])('%s -> %s', (image, extra, base, verdict) => {
    expect(wolfiVerdict(image, ['cgr.dev/chainguard', ...extra], base)).toBe(verdict);
  });
});

describe('score and PolicyReports', () => {
  it('weighs failed critical controls double', () => {
    expect(complianceScore({})).toBe(100);
    expect(complianceScore({ fagamRegistry: { passed: 9, failed: 1 } })).toBe(90); // 18 / (18 + 2)
    expect(complianceScore({ imageSize: { passed: 9, failed: 2 } })).toBe(90); // 18 / 20
    expect(complianceScore({ nonRoot: { passed: 0, failed: 3 } })).toBe(0);
  });

  it('writes one PolicyReport per namespace and a ClusterPolicyReport for cluster objects', () => {
    const reports = buildPolicyReports(
      [
        {
          control: CONTROLS.fagamRegistry,
          result: 'fail',
          resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ml-scorer', namespace: 'analytics' },
          message: 'image gcr.io/ml-public/scorer:1.4.0 is from Google Container Registry',
        },
        {
          control: CONTROLS.nonRoot,
          result: 'pass',
          resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ml-scorer', namespace: 'analytics' },
          message: 'runs as non-root',
        },
        {
          control: CONTROLS.fagamStorage,
          result: 'fail',
          resource: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: 'gp3' },
          message: 'provisioned by ebs.csi.aws.com',
        },
      ],
      new Date('2026-03-01T00:00:00Z'),
    );
    expect(reports.map((r) => [r.kind, r.metadata.namespace])).toEqual([
      ['ClusterPolicyReport', undefined],
      ['PolicyReport', 'analytics'],
    ]);
    const ns = reports[1];
    expect(ns?.summary).toEqual({ pass: 1, fail: 1, warn: 0, error: 0, skip: 0 });
    expect(ns?.results[0]).toEqual({
      source: 'eco-compliance-bot',
      policy: 'eco-compliance',
      rule: 'fagam-registry',
      category: 'ECO-FAGAM',
      severity: 'high',
      result: 'fail',
      scored: true,
      message: 'image gcr.io/ml-public/scorer:1.4.0 is from Google Container Registry',
      timestamp: { seconds: 1772323200, nanos: 0 },
      resources: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ml-scorer', namespace: 'analytics' }],
      properties: { control: 'ECO-FAGAM-01' },
    });
  });
});
