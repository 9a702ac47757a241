// eco-resource-bot end to end: the bot with its own RBAC token against the Kubernetes API emulator,
// reading 13 days of history from the real Prometheus (Debian `prometheus` + `promtool`). Its
// recommendations are checked against KRR simple computed here from the samples written (anchor:
// KRR simple: max pod p95 CPU, peak × 1.15 memory, floors, 1m/1Mi rounding, "?" under an HPA);
// excluded workloads are left alone; apply patches requests through the rails; without
// Prometheus it falls back to metrics.k8s.io and says so; a failing Prometheus is a report error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-resource-bot/handler.ts';
import { MIB } from '../../functions/eco-resource-bot/krr.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { freePort } from '../../local/gateway/free-port.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';
import { alignedNow, startPrometheusWith } from '../helpers/prometheus.ts';
import type { PrometheusServer } from '../helpers/prometheus.ts';
import { busyPod, expected, seriesOf, STEP } from './eco-resource-bot.helpers.ts';

const end = alignedNow(STEP);
const NOW = new Date(end * 1000);
const created = new Date((end - 30 * 86_400) * 1000).toISOString();

const ns = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, uid: `uid-ns-${name}`, creationTimestamp: created, annotations },
  status: { phase: 'Active' },
});
const node: KubeObject = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'node-1',
    uid: 'uid-node-1',
    creationTimestamp: created,
    labels: { 'kubernetes.io/hostname': 'node-1' },
  },
  status: {
    capacity: { cpu: '8', memory: '32Gi', pods: '110' },
    allocatable: { cpu: '7800m', memory: '31Gi', pods: '110' },
  },
};

interface AppSpec {
  namespace: string;
  name: string;
  hash: string;
  pods: string[];
  containers: Array<{ name: string; requests?: Record<string, string>; limits?: Record<string, string> }>;
  annotations?: Record<string, string>;
}

function app(spec: AppSpec): KubeObject[] {
  const labels = { app: spec.name };
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      uid: `uid-${spec.name}`,
      creationTimestamp: created,
      labels,
      annotations: spec.annotations ?? {},
      generation: 1,
    },
    spec: {
      replicas: spec.pods.length,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: spec.containers.map((c) => ({
            name: c.name,
            image: `registry.example/${c.name}:1.0`,
            resources: {
              ...(c.requests ? { requests: c.requests } : {}),
              ...(c.limits ? { limits: c.limits } : {}),
            },
          })),
        },
      },
    },
    status: { replicas: spec.pods.length, readyReplicas: spec.pods.length },
  };
  const rsName = `${spec.name}-${spec.hash}`;
  const rs: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: rsName,
      namespace: spec.namespace,
      uid: `uid-${rsName}`,
      creationTimestamp: created,
      labels: { ...labels, 'pod-template-hash': spec.hash },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: spec.name,
          uid: `uid-${spec.name}`,
          controller: true,
        },
      ],
    },
    spec: {
      replicas: spec.pods.length,
      selector: { matchLabels: labels },
      template: (deployment['spec'] as { template: unknown }).template,
    },
    status: { replicas: spec.pods.length },
  };
  const pods: KubeObject[] = spec.pods.map((pod) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod,
      namespace: spec.namespace,
      uid: `uid-${pod}`,
      creationTimestamp: created,
      labels: { ...labels, 'pod-template-hash': spec.hash },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: `uid-${rsName}`, controller: true },
      ],
    },
    spec: {
      nodeName: 'node-1',
      containers: (deployment['spec'] as { template: { spec: { containers: unknown[] } } }).template.spec
        .containers,
    },
    status: {
      phase: 'Running',
      containerStatuses: spec.containers.map((c) => ({ name: c.name, ready: true, restartCount: 0 })),
    },
  }));
  return [deployment, rs, ...pods];
}

const web = app({
  namespace: 'shop',
  name: 'web',
  hash: '7d9f6b8c4d',
  pods: ['web-7d9f6b8c4d-abcde', 'web-7d9f6b8c4d-fghij'],
  containers: [{ name: 'app', requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } }],
});
const api = app({
  namespace: 'shop',
  name: 'api',
  hash: '5c8d7f9b6a',
  pods: ['api-5c8d7f9b6a-klmno'],
  containers: [{ name: 'api', requests: { cpu: '500m', memory: '256Mi' } }],
});
const grafana = app({
  namespace: 'shop',
  name: 'grafana',
  hash: '6b7c8d9e5f',
  pods: ['grafana-6b7c8d9e5f-pqrst'],
  containers: [{ name: 'grafana', requests: { cpu: '2', memory: '4Gi' } }],
  annotations: { 'eco.bsw-arch.org/exclude': 'true' },
});
const hpa: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'api', namespace: 'shop', uid: 'uid-hpa-api', creationTimestamp: created },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ],
  },
  status: { currentReplicas: 1, desiredReplicas: 1 },
};
const objects = [ns('shop'), node, ...web, ...api, ...grafana, hpa];

const plans = [
  busyPod('shop', 'web-7d9f6b8c4d-abcde', 'app', 11, 1, 300 * MIB),
  busyPod('shop', 'web-7d9f6b8c4d-fghij', 'app', 12, 1.4, 350 * MIB),
  // A pod of an older ReplicaSet of the same Deployment: its history counts (KRR reads the
  // workload's pods over the window, not only today's).
  { ...busyPod('shop', 'web-55f6d7c8b9-zzzzz', 'app', 13, 2, 500 * MIB), history: 2 * 86_400 },
  busyPod('shop', 'api-5c8d7f9b6a-klmno', 'api', 14, 0.5, 150 * MIB),
  busyPod('shop', 'grafana-6b7c8d9e5f-pqrst', 'grafana', 15, 0.1, 100 * MIB),
];

let prometheus: PrometheusServer;
let harness: BotHarness;

beforeAll(async () => {
  prometheus = await startPrometheusWith(plans.flatMap((plan) => seriesOf(plan, end)));
  // The old ReplicaSet still exists (revisionHistoryLimit keeps it), scaled to 0.
  const oldRs: KubeObject = {
    ...(web[1] as KubeObject),
    metadata: { ...(web[1] as KubeObject).metadata, name: 'web-55f6d7c8b9', uid: 'uid-web-old' },
    spec: { replicas: 0 },
  };
  harness = await startBotHarness(bot, {
    objects: [...objects, oldRs],
    now: () => NOW,
    env: { PROMETHEUS_URL: prometheus.url },
  });
}, 180_000);

afterAll(async () => {
  await harness?.close();
  await prometheus?.stop();
});

describe('eco-resource-bot on Prometheus history', () => {
  it("recommends KRR simple for every container, as computed from the samples, across the workload's pods", async () => {
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const finding = report.findings.find((f) => f.object.name === 'web');
    expect(finding?.check).toBe('resource.right-size');
    // The old ReplicaSet's pod is part of the workload; the grafana pod is not.
    const want = expected(plans.filter((p) => p.pod.startsWith('web-')));
    const fmtCpu = (cores: number): string => `${Math.round(cores * 1000)}m`;
    const fmtMem = (bytes: number): string => `${bytes / MIB}Mi`;
    expect(finding?.evidence?.['recommended']).toEqual({
      cpuRequest: fmtCpu(want.cpu!),
      cpuLimit: 'unset',
      memoryRequest: fmtMem(want.memory!),
      memoryLimit: fmtMem(want.memory!),
    });
    expect(finding?.evidence?.['pods']).toEqual([
      'web-55f6d7c8b9-zzzzz',
      'web-7d9f6b8c4d-abcde',
      'web-7d9f6b8c4d-fghij',
    ]);
    expect(finding?.evidence).toMatchObject({
      source: 'prometheus',
      windowHours: 336,
      stepSeconds: 75,
      cpuPercentile: 0.95,
      memoryBuffer: 0.15,
    });
    expect((finding?.evidence?.['queries'] as { cpuPercentile: string }).cpuPercentile).toContain(
      'quantile_over_time(0.95,',
    );
    // 1 core and 1Gi requested on 2 replicas; the savings are priced with OpenCost's defaults.
    const perMonth = (cores: number, bytes: number): number =>
      (cores * 0.031611 + (bytes / 2 ** 30) * 0.004237) * 730;
    const savings = 2 * (perMonth(1, 2 ** 30) - perMonth(want.cpu!, want.memory!));
    expect(finding?.impact).toEqual({ monthlyCost: Math.round(savings * 100) / 100, currency: 'USD' });
    expect(finding?.severity).toBe('warning'); // KRR CRITICAL: 1 core → well under 0.5
  });

  it('prints "?" for the resource an HPA scales on and still recommends the other', async () => {
    const report = await harness.run({});
    const finding = report.findings.find((f) => f.object.name === 'api');
    const want = expected(plans.filter((p) => p.pod.startsWith('api-')));
    expect(finding?.evidence?.['recommended']).toMatchObject({
      cpuRequest: '?',
      memoryRequest: `${want.memory! / MIB}Mi`,
    });
  });

  it('leaves an excluded workload alone: no finding, no action', async () => {
    const report = await harness.run({}, { env: { ECO_RESOURCE_APPLY: 'true', ECO_MODE: 'apply' } });
    expect(report.findings.filter((f) => f.object.name === 'grafana')).toEqual([]);
    expect(report.actions.filter((a) => a.object.name === 'grafana')).toEqual([]);
    expect(report.data?.['excluded']).toEqual(['shop/Deployment/grafana']);
  });

  it('will not patch past the blast-radius cap (ECO_MAX_ACTIONS), and changes nothing then', async () => {
    const before = JSON.stringify(
      harness.emulator.store.get({ group: 'apps', plural: 'deployments' }, 'web', 'shop'),
    );
    const report = await harness.run(
      {},
      { env: { ECO_RESOURCE_APPLY: 'true', ECO_MODE: 'apply', ECO_MAX_ACTIONS: '0' } },
    );
    expect(report.actions.map((a) => `${a.verb} ${a.object.name} ${a.status} ${a.reason}`)).toEqual([
      'patch web skipped blast-radius',
    ]);
    expect(
      JSON.stringify(harness.emulator.store.get({ group: 'apps', plural: 'deployments' }, 'web', 'shop')),
    ).toBe(before);
  });

  it('plans nothing unless ECO_RESOURCE_APPLY is set; with it, patches requests (dry-run, then apply)', async () => {
    expect((await harness.run({})).actions).toEqual([]);
    const dry = await harness.run({}, { env: { ECO_RESOURCE_APPLY: 'true' } });
    expect(dry.actions.map((a) => `${a.verb} ${a.object.name} ${a.status}`)).toEqual(['patch web planned']);
    const want = expected(plans.filter((p) => p.pod.startsWith('web-')));
    const applied = await harness.run({}, { env: { ECO_RESOURCE_APPLY: 'true', ECO_MODE: 'apply' } });
    expect(applied.actions.map((a) => `${a.verb} ${a.object.name} ${a.status}`)).toEqual([
      'patch web applied',
    ]);
    const stored = harness.emulator.store.get(
      { group: 'apps', plural: 'deployments' },
      'web',
      'shop',
    ) as KubeObject;
    const container = (
      stored['spec'] as { template: { spec: { containers: Array<{ resources: unknown }> } } }
    ).template.spec.containers[0];
    expect(container?.resources).toEqual({
      requests: { cpu: `${Math.round(want.cpu! * 1000)}m`, memory: `${want.memory! / MIB}Mi` },
      limits: { cpu: '2', memory: `${want.memory! / MIB}Mi` },
    });
  });
});

describe('eco-resource-bot without or with a failing Prometheus', () => {
  it('falls back to one metrics.k8s.io sample per pod and says so in every finding', async () => {
    const metrics: KubeObject[] = web.slice(2).map((pod) => ({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name: pod.metadata.name, namespace: 'shop', creationTimestamp: created },
      timestamp: NOW.toISOString(),
      window: '30s',
      containers: [{ name: 'app', usage: { cpu: '12000000n', memory: '180Mi' } }],
    }));
    const h = await startBotHarness(bot, { objects: [...objects, ...metrics], now: () => NOW });
    try {
      const report = await h.run({});
      expect(report.findings.find((f) => f.check === 'eco-resource-bot.unconfigured')).toMatchObject({
        severity: 'info',
        object: { kind: 'Setting', name: 'PROMETHEUS_URL' },
      });
      const finding = report.findings.find(
        (f) => f.check === 'resource.right-size' && f.object.name === 'web',
      );
      expect(finding?.evidence?.['source']).toMatch(/^metrics\.k8s\.io \(a single sample/);
      expect(finding?.message).toContain('from a single metrics.k8s.io sample');
      // 12m → 12m; 180Mi × 1.15 = 207Mi.
      expect(finding?.evidence?.['recommended']).toMatchObject({ cpuRequest: '12m', memoryRequest: '207Mi' });
      for (const f of report.findings.filter((x) => x.check === 'resource.right-size')) {
        expect(String(f.evidence?.['source'])).toContain('single sample');
      }
    } finally {
      await h.close();
    }
  });

  it('reports an unreachable Prometheus as a report error naming it, and answers', async () => {
    const port = await freePort();
    const report = await harness.run(
      {},
      { env: { PROMETHEUS_URL: `http://127.0.0.1:${port}`, PROMETHEUS_RETRIES: '0' } },
    );
    expect(report.errors.length).toBeGreaterThan(0);
    expect(report.errors[0]?.code).toBe('prometheus-unavailable');
    expect(report.errors[0]?.message).toMatch(
      /Prometheus http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: network error/,
    );
    expect(report.findings.filter((f) => f.check === 'resource.right-size')).toEqual([]);
  });

  it('refuses an unknown option with the field named', async () => {
    await expect(harness.run({ namespaces: ['x'] })).rejects.toThrow(/namespaces/);
  });
});
