import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-monitoring-bot/handler.ts';
import { createMetrics } from '../../shared/metrics/index.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

const node = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { allocatable: { cpu: '4', memory: '8Gi' }, capacity: { cpu: '4', memory: '8Gi' } },
});
const pod = (
  namespace: string,
  name: string,
  resources: Record<string, Record<string, string>>,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: [{ name: 'main', image: 'nginx:1.27', resources }] },
  status: { phase: 'Running' },
});

const objects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  node('node-a'),
  node('node-b'),
  pod('shop', 'web', { limits: { cpu: '500m', memory: '256Mi' } }),
  pod('shop', 'batch', { requests: { cpu: '1', memory: '1Gi' } }),
  pod('shop', 'free', {}),
  pod('shop', 'oom', { limits: { cpu: '1', memory: '100Mi' } }),
];

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function seeded(): Promise<BotHarness> {
  const h = await startBotHarness(bot, { objects });
  h.emulator.setNodeMetrics('node-a', { cpu: '3600000000n', memory: '2Gi' }); // 90 % CPU, 25 % memory
  h.emulator.setNodeMetrics('node-b', { cpu: '1', memory: '7680Mi' }); // 25 % CPU, 93.75 % memory
  h.emulator.setPodMetrics('shop', 'web', [{ name: 'main', cpu: '450m', memory: '100Mi' }]); // 90 % of limit
  h.emulator.setPodMetrics('shop', 'batch', [{ name: 'main', cpu: '900m', memory: '200Mi' }]); // 90 % of request
  h.emulator.setPodMetrics('shop', 'free', [{ name: 'main', cpu: '3', memory: '3Gi' }]); // no basis
  h.emulator.setPodMetrics('shop', 'oom', [{ name: 'main', cpu: '10m', memory: '100Mi' }]); // 100 % of limit
  return h;
}

describe('eco-monitoring-bot (RBAC enforced)', () => {
  it('reports nodes and pods above the thresholds with the right basis and severity', async () => {
    harness = await seeded();
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const got = report.findings
      .map((f) => `${f.check} ${f.object.namespace ?? ''}/${f.object.name} ${f.severity}`)
      .sort();
    expect(got).toEqual([
      'monitoring.node-cpu /node-a warning',
      'monitoring.node-memory /node-b warning',
      'monitoring.pod-cpu shop/batch info',
      'monitoring.pod-cpu shop/web warning',
      'monitoring.pod-memory shop/oom critical',
    ]);
    const webCpu = report.findings.find((f) => f.object.name === 'web');
    expect(webCpu?.evidence).toMatchObject({ percent: 90, basis: 'limit', limitCores: 0.5 });
    expect(report.actions).toEqual([]);
    expect(report.summary).toMatch(
      /^2 nodes and 4 pods measured; 5 above thresholds \(CPU 80%, memory 90%\)$/,
    );
    // Only the bot's own token was used, and only for what it declared.
    expect(new Set(harness.emulator.requests.map((r) => r.user))).toEqual(new Set([harness.user]));
    expect(harness.emulator.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('exposes per-node and per-pod gauges and drops series of pods that went away', async () => {
    harness = await seeded();
    const metrics = createMetrics({ processName: bot.name, defaultMetrics: false });
    await harness.run({}, { metrics });
    let text = await metrics.render();
    expect(text).toContain('eco_node_cpu_usage_percent{node="node-a"} 90');
    expect(text).toContain('eco_node_memory_usage_percent{node="node-b"} 93.75');
    expect(text).toContain('eco_pod_cpu_usage_percent{namespace="shop",pod="web"} 90');
    expect(text).toContain('eco_pod_memory_usage_bytes{namespace="shop",pod="free"} 3221225472');
    expect(text).not.toContain('eco_pod_cpu_usage_percent{namespace="shop",pod="free"}');
    expect(text).toContain('eco_metrics_api_available 1');
    harness.emulator.store.delete({ group: 'metrics.k8s.io', plural: 'pods' }, 'web', 'shop');
    await harness.run({}, { metrics });
    text = await metrics.render();
    expect(text).not.toContain('pod="web"');
  });

  it('reports a node the metrics API does not measure', async () => {
    harness = await seeded();
    harness.emulator.store.put(node('node-c'));
    const report = await harness.run({ pods: false });
    expect(
      report.findings.filter((f) => f.check === 'monitoring.no-metrics').map((f) => f.object.name),
    ).toEqual(['node-c']);
    expect(report.summary).toMatch(/; 1 node without metrics$/);
  });

  it('takes thresholds from the input, then the environment', async () => {
    harness = await seeded();
    const strict = await harness.run({ cpuThresholdPercent: 20, pods: false });
    expect(strict.findings.filter((f) => f.check === 'monitoring.node-cpu')).toHaveLength(2);
    const fromEnv = await harness.run({ pods: false }, { env: { ECO_MONITOR_MEMORY_THRESHOLD: '95' } });
    expect(fromEnv.findings.map((f) => f.check)).toEqual(['monitoring.node-cpu']);
    await expect(harness.run({ cpuThresholdPercent: -1 })).rejects.toThrow();
  });

  it('finds (does not crash) when metrics.k8s.io is not installed', async () => {
    harness = await seeded();
    harness.emulator.faults.add({ path: '/apis/metrics.k8s.io/*', status: 404, times: Infinity });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings).toEqual([
      expect.objectContaining({
        check: 'monitoring.metrics-unavailable',
        severity: 'warning',
        object: {
          apiVersion: 'apiregistration.k8s.io/v1',
          kind: 'APIService',
          name: 'v1beta1.metrics.k8s.io',
        },
      }),
    ]);
    expect(report.summary).toMatch(/not available/);
  });

  it('surfaces a 403 outside its RBAC as a report error, not a crash', async () => {
    harness = await seeded();
    // The same bot with a narrower grant: pods are no longer listable.
    harness.emulator.addToken(harness.token, {
      user: harness.user,
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
        { apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: ['list'] },
      ],
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([
      {
        code: 'k8s-forbidden',
        message: `list pods (limits): pods is forbidden: User "${harness.user}" cannot list resource "pods" in API group "" at the cluster scope`,
      },
    ]);
    // Node findings still come through.
    expect(report.findings.some((f) => f.check === 'monitoring.node-cpu')).toBe(true);
  });
});

describe('eco-monitoring-bot on the demo cluster', () => {
  it('finds what is planted for it', async () => {
    const { PLANTED } = await import('../../local/demo-cluster/index.ts');
    harness = await startBotHarness(bot, { demo: true });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const found = new Set(
      report.findings.map((f) => `${f.check} ${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}`),
    );
    const mine = PLANTED.filter((p) => p.bot === bot.name && p.object && p.expect === 'found');
    expect(mine.length).toBeGreaterThan(0);
    for (const planted of mine) {
      const o = planted.object as { kind: string; namespace?: string; name: string };
      expect(found).toContain(`${planted.check} ${o.kind}/${o.namespace ?? ''}/${o.name}`);
    }
  });
});
