// eco-efficiency-bot through the emulator with its own RBAC token: OpenCost efficiency
// (usage/request; no request but usage = 100 %), over-allocated < 50 % and under-allocated > 200 %
// (Popeye 503-506) with the money at stake, and nodes under cluster-autoscaler's 50 % requested.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-efficiency-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-12-04T12:00:00Z');
const created = '2026-06-01T00:00:00Z';
const CPU = 0.031611;
const RAM = 0.004237;
const node = (name: string, cpu: string, memory: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, uid: `uid-${name}`, creationTimestamp: created },
  status: { capacity: { cpu, memory, pods: '110' }, allocatable: { cpu, memory, pods: '110' } },
});
const pod = (name: string, nodeName: string, requests: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', uid: `uid-${name}`, creationTimestamp: created },
  spec: { nodeName, containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests } }] },
  status: { phase: 'Running' },
});
const metrics = (name: string, cpu: string, memory: string): KubeObject => ({
  apiVersion: 'metrics.k8s.io/v1beta1',
  kind: 'PodMetrics',
  metadata: { name, namespace: 'shop', creationTimestamp: created },
  timestamp: NOW.toISOString(),
  window: '30s',
  containers: [{ name: 'app', usage: { cpu, memory } }],
});

const objects = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'shop', uid: 'uid-shop', creationTimestamp: created },
  },
  node('busy', '2', '4Gi'),
  node('empty', '4', '16Gi'),
  pod('fat', 'busy', { cpu: '1', memory: '1Gi' }),
  metrics('fat', '100m', '200Mi'), // 10 % CPU, ~20 % memory: over-allocated
  pod('thin', 'busy', { cpu: '100m', memory: '128Mi' }),
  metrics('thin', '250m', '300Mi'), // 250 % CPU, 234 % memory: under-allocated
  pod('fine', 'busy', { cpu: '200m', memory: '256Mi' }),
  metrics('fine', '150m', '200Mi'),
  pod('unrequested', 'busy', {}),
  metrics('unrequested', '50m', '64Mi'), // no request but usage: 100 % (OpenCost)
];

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-efficiency-bot', () => {
  it('finds over- and under-allocated workloads with the money at stake, and leaves efficient ones alone', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const by = (check: string): string[] =>
      report.findings.filter((f) => f.check === check).map((f) => f.object.name);
    expect(by('efficiency.over-allocated')).toEqual(['fat']);
    expect(by('efficiency.under-allocated')).toEqual(['thin']);
    const fat = report.findings.find((f) => f.object.name === 'fat');
    const wasted = (0.9 * CPU + ((1024 - 200) / 1024) * RAM) * 730;
    expect(fat?.impact).toEqual({ monthlyCost: Math.round(wasted * 100) / 100, currency: 'USD' });
    expect(fat?.evidence).toMatchObject({
      cpu: { efficiency: 0.1 },
      thresholds: { overAllocatedBelow: 0.5, underAllocatedAbove: 2 },
    });
    // Cost-weighted total: (0.1 × CPU cost + memory eff × RAM cost) / (CPU cost + RAM cost).
    const memEff = 200 / 1024;
    expect(fat?.evidence?.['totalEfficiency']).toBeCloseTo((0.1 * CPU + memEff * RAM) / (CPU + RAM), 4);
    const rows = report.data?.['workloads'] as Array<{ name: string; cpu: number }>;
    expect(rows.find((r) => r.name === 'unrequested')?.cpu).toBe(1);
  });

  it('reports a node under 50 % requested with what its idle share costs', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    const nodes = report.findings.filter((f) => f.check === 'efficiency.node-underused');
    expect(nodes.map((f) => f.object.name)).toEqual(['empty']);
    expect(nodes[0]?.impact?.monthlyCost).toBeCloseTo((4 * CPU + 16 * RAM) * 730, 1);
  });

  it('says it judged on a single sample when Prometheus is not configured', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    expect(report.findings.some((f) => f.check === 'eco-efficiency-bot.unconfigured')).toBe(true);
    expect(report.findings.find((f) => f.object.name === 'fat')?.evidence?.['usageSource']).toBe(
      'a single metrics.k8s.io sample',
    );
  });
});
