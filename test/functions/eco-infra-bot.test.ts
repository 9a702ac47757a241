// eco-infra-bot: the deprecation guide's table (Popeye 403, kube-score stable-version), the declared
// version read from last-applied-configuration and managedFields (Pluto's method), platforms from
// CRD groups, and the inventory from a run against the emulator with the bot's own RBAC.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-infra-bot/handler.ts';
import { declaredVersions } from '../../functions/eco-infra-bot/checks.ts';
import { deprecationOf, removedBy } from '../../shared/deprecations/index.ts';
import { platformsOf } from '../../functions/eco-infra-bot/inventory.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

describe('deprecated API migration guide table', () => {
  it.each([
    ['extensions/v1beta1', 'Ingress', '1.22', true],
    ['networking.k8s.io/v1beta1', 'Ingress', '1.22', true],
    ['batch/v1beta1', 'CronJob', '1.25', true],
    ['policy/v1beta1', 'PodDisruptionBudget', '1.25', true],
    ['autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.26', true],
    ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', '1.32', true],
    ['v1', 'Endpoints', '(deprecated 1.33, no removal date)', false],
  ])('%s %s removed in %s', (apiVersion, kind, removedIn, removed) => {
    expect(deprecationOf(apiVersion, kind)).toMatchObject({ removedIn, removed });
  });
  it('knows current versions are fine and removal depends on the server minor', () => {
    expect(deprecationOf('apps/v1', 'Deployment')).toBeUndefined();
    const d = deprecationOf('flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema');
    expect(d && removedBy(d, 31)).toBe(false);
    expect(d && removedBy(d, 32)).toBe(true);
  });
});

const cronjob = (
  name: string,
  annotations?: Record<string, string>,
  managedFields?: unknown[],
): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: {
    name,
    namespace: 'ops',
    creationTimestamp: '2024-01-01T00:00:00Z',
    ...(annotations ? { annotations } : {}),
    ...(managedFields ? { managedFields } : {}),
  } as KubeObject['metadata'],
  spec: {
    schedule: '0 * * * *',
    jobTemplate: { spec: { template: { spec: { containers: [], restartPolicy: 'Never' } } } },
  },
});
const applied = (apiVersion: string): Record<string, string> => ({
  'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion, kind: 'CronJob' }),
});

describe('declared versions', () => {
  it('reads last-applied-configuration and managedFields, ignores unparsable annotations', () => {
    expect(
      declaredVersions(
        cronjob('a', applied('batch/v1beta1'), [
          { manager: 'helm', operation: 'Update', apiVersion: 'batch/v1beta1' },
          { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'batch/v1' },
        ]),
      ),
    ).toEqual([
      { apiVersion: 'batch/v1beta1', source: 'last-applied-configuration' },
      { apiVersion: 'batch/v1', source: 'managedFields', manager: 'kube-controller-manager' },
    ]);
    expect(
      declaredVersions(cronjob('b', { 'kubectl.kubernetes.io/last-applied-configuration': '{oops' })),
    ).toEqual([]);
  });
});

const crd = (group: string, plural: string): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    names: { plural, kind: plural, singular: plural, listKind: `${plural}List` },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
});

describe('platforms from CRD groups', () => {
  it('groups Knative Serving and Eventing, OpenFaaS, cert-manager (acme too), Gateway API; others apart', () => {
    const { installed, other } = platformsOf([
      crd('serving.knative.dev', 'services'),
      crd('eventing.knative.dev', 'brokers'),
      crd('openfaas.com', 'functions'),
      crd('acme.cert-manager.io', 'orders'),
      crd('cert-manager.io', 'certificates'),
      crd('gateway.networking.k8s.io', 'httproutes'),
      crd('monitoring.coreos.com', 'prometheusrules'),
      crd('aquasecurity.github.io', 'vulnerabilityreports'),
      crd('example.com', 'widgets'),
    ]);
    expect(installed.map((p) => p.name)).toEqual([
      'cert-manager',
      'Gateway API',
      'Knative',
      'OpenFaaS',
      'Prometheus operator',
      'trivy-operator',
    ]);
    expect(installed.find((p) => p.name === 'Knative')?.groups).toEqual([
      'eventing.knative.dev',
      'serving.knative.dev',
    ]);
    expect(other).toEqual(['example.com']);
  });
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-infra-bot against the emulator (RBAC enforced)', () => {
  it('reports the inventory in data and objects last applied on removed APIs', async () => {
    harness = await startBotHarness(bot, {
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ops' } },
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '' } },
          status: {
            conditions: [{ type: 'Ready', status: 'True' }],
            nodeInfo: {
              kubeletVersion: 'v1.35.0',
              architecture: 'arm64',
              operatingSystem: 'linux',
              osImage: 'Wolfi',
            },
          },
        },
        cronjob('old', applied('batch/v1beta1')),
        cronjob('new', applied('batch/v1')),
        crd('serving.knative.dev', 'services'),
        crd('openfaas.com', 'functions'),
      ],
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.namespace}/${f.object.name}`)).toEqual([
      'infra.removed-api ops/old',
    ]);
    expect(report.findings[0]?.evidence).toMatchObject({
      declaredApiVersion: 'batch/v1beta1',
      removedIn: '1.25',
      replacement: 'batch/v1',
    });
    expect(report.data).toMatchObject({
      version: 'v1.35.0',
      architectures: ['arm64'],
      nodes: [{ name: 'n1', kubelet: 'v1.35.0', arch: 'arm64', roles: ['control-plane'], ready: true }],
      workloads: { CronJob: 2, Deployment: 0, Pod: 0 },
    });
    const names = (report.data?.['platforms'] as { name: string }[]).map((p) => p.name);
    expect(names).toEqual(['Knative', 'OpenFaaS', 'snapshot controller']);
    expect(harness.emulator.requests.every((r) => r.status === 200)).toBe(true);
  });
});
