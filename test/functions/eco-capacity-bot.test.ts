// eco-capacity-bot through the emulator with its own RBAC token: headroom and "N more pods fit",
// the kubernetes-mixin overcommit rule (requests > allocatable − largest node), and Popeye
// POP-602/603 (one HPA at max) and 604/605 (all HPAs at max together). The request trend against
// the real Prometheus is tested in eco-optimize-capacity.prometheus.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-capacity-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-12-04T12:00:00Z');
const created = '2026-06-01T00:00:00Z';
const node = (name: string, cpu: string, memory: string, unschedulable = false): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, uid: `uid-${name}`, creationTimestamp: created },
  spec: unschedulable ? { unschedulable: true } : {},
  status: { allocatable: { cpu, memory, pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod = (name: string, nodeName: string, cpu: string, memory: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, creationTimestamp: created },
  spec: {
    nodeName,
    containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu, memory } } }],
  },
  status: { phase: 'Running' },
});
const deployment = (name: string, cpu: string, memory: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', uid: `uid-d-${name}`, creationTimestamp: created },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu, memory } } },
        ],
      },
    },
  },
});
const hpa = (name: string, max: number, current: number): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name, namespace: 'shop', uid: `uid-h-${name}`, creationTimestamp: created },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    minReplicas: 1,
    maxReplicas: max,
  },
  status: { currentReplicas: current, desiredReplicas: current },
});

const objects = [
  node('a', '4', '16Gi'),
  node('b', '4', '16Gi'),
  node('cordoned', '8', '32Gi', true),
  pod('web-1', 'a', '2', '4Gi'),
  pod('web-2', 'b', '2', '4Gi'),
  pod('big', 'a', '1', '2Gi'),
  deployment('web', '2', '4Gi'),
  deployment('api', '250m', '256Mi'),
  hpa('web', 4, 2), // +2 × 2 cores = 4 > 3 free: POP-602
  hpa('api', 6, 2), // +4 × 250m = 1 core: fits alone
];

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-capacity-bot', () => {
  it('computes headroom over schedulable nodes and how many pods of a size fit', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({ podCpu: '500m', podMemory: '1Gi' });
    expect(report.errors).toEqual([]);
    // a: 1 core / 10Gi free → 2 pods; b: 2 cores / 12Gi free → 4 pods; the cordoned node does not count.
    expect(report.data?.['fits']).toEqual({ size: { cpu: '500m', memory: '1Gi' }, count: 6 });
    expect(report.data?.['cluster']).toMatchObject({ cpu: 3, memory: 22 * 2 ** 30 });
  });

  it('applies the mixin overcommit rule: 5 cores requested do not fit in 8 minus the largest node (4)', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    const over = report.findings.filter((f) => f.check.endsWith('-overcommit'));
    expect(over.map((f) => f.check)).toEqual(['capacity.cpu-overcommit']);
    expect(over[0]?.evidence).toMatchObject({ requested: 5, tolerable: 4, anchor: 'KubeCPUOvercommit' });
    expect(over[0]?.object).toMatchObject({ kind: 'Node', name: 'a' }); // the largest schedulable node (first of equals)
  });

  it('compares each HPA at max, and all together, with the free capacity (Popeye 602-605)', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    expect(report.findings.filter((f) => f.check === 'capacity.hpa-burst').map((f) => f.object.name)).toEqual(
      ['web'],
    );
    const all = report.findings.find((f) => f.check === 'capacity.hpa-all-burst');
    expect(all?.evidence).toMatchObject({ extraCpu: 5, cpuExceeds: true });
  });

  it('refuses a malformed pod size with the field named', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    await expect(harness.run({ podCpu: 'lots' })).rejects.toThrow(/podCpu/);
  });
});
