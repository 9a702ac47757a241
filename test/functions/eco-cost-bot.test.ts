// eco-cost-bot through the emulator with its own RBAC token: OpenCost's allocation
// (max(request, usage) × hours × price, idle = node cost − charged), the 730-hour projection,
// namespace budgets with burn rate, CSV output, and a price book from ECO_PRICE_BOOK.
import { afterEach, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-cost-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness } from '../helpers/k8s-harness.ts';
import type { BotHarness } from '../helpers/k8s-harness.ts';

const NOW = new Date('2026-12-04T12:00:00Z');
const created = '2026-06-01T00:00:00Z';
const CPU = 0.031611;
const RAM = 0.004237;
const ns = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, uid: `uid-${name}`, creationTimestamp: created, annotations },
  status: { phase: 'Active' },
});
const node: KubeObject = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'n1',
    uid: 'uid-n1',
    creationTimestamp: created,
    labels: { 'node.kubernetes.io/instance-type': 'm5.xlarge' },
  },
  status: {
    capacity: { cpu: '4', memory: '16Gi', pods: '110' },
    allocatable: { cpu: '3900m', memory: '15Gi', pods: '110' },
  },
};
const pod = (
  namespace: string,
  name: string,
  requests: Record<string, string>,
  labels: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: created, labels },
  spec: {
    nodeName: 'n1',
    containers: [{ name: 'app', image: 'registry.example/app:1', resources: { requests } }],
  },
  status: { phase: 'Running' },
});
const metrics = (namespace: string, name: string, cpu: string, memory: string): KubeObject => ({
  apiVersion: 'metrics.k8s.io/v1beta1',
  kind: 'PodMetrics',
  metadata: { name, namespace, creationTimestamp: created },
  timestamp: NOW.toISOString(),
  window: '30s',
  containers: [{ name: 'app', usage: { cpu, memory } }],
});

const objects = [
  ns('shop', { 'eco.bsw-arch.org/monthly-budget': '20' }),
  ns('batch', { 'eco.bsw-arch.org/monthly-budget': '1000' }),
  node,
  // Requests 1 core / 1Gi; uses 0.5 core / 2Gi: charged 1 core, 2Gi.
  pod('shop', 'web', { cpu: '1', memory: '1Gi' }, { team: 'red' }),
  metrics('shop', 'web', '500m', '2Gi'),
  // No request, uses 250m / 512Mi: charged its usage.
  pod('batch', 'job', {}),
  metrics('batch', 'job', '250m', '512Mi'),
];
const shopHourly = 1 * CPU + 2 * RAM;
const batchHourly = 0.25 * CPU + 0.5 * RAM;
const nodeHourly = 4 * CPU + 16 * RAM;

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-cost-bot', () => {
  it('allocates max(request, usage) at the node price, keeps idle apart, projects 730 hours', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const rows = Object.fromEntries(
      (report.data?.['allocation'] as Array<{ name: string; monthlyCost: number; totalCost: number }>).map(
        (r) => [r.name, r],
      ),
    );
    expect(rows['shop']?.totalCost).toBeCloseTo(shopHourly * 24, 2);
    expect(rows['shop']?.monthlyCost).toBeCloseTo(shopHourly * 730, 2);
    expect(rows['batch']?.monthlyCost).toBeCloseTo(batchHourly * 730, 2);
    expect(rows['__idle__']?.monthlyCost).toBeCloseTo((nodeHourly - shopHourly - batchHourly) * 730, 2);
    expect(report.data?.['totals']).toMatchObject({ monthly: Math.round(nodeHourly * 730 * 100) / 100 });
    expect(report.data?.['usageSource']).toBe('metrics.k8s.io');
  });

  it('flags a namespace over its monthly budget with the burn rate, not one within it', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    const over = report.findings.filter((f) => f.check === 'cost.over-budget');
    expect(over.map((f) => f.object.name)).toEqual(['shop']);
    expect(over[0]?.evidence).toMatchObject({
      budget: 20,
      burnRate: Number(((shopHourly * 730) / 20).toFixed(3)),
    });
    expect(over[0]?.impact).toEqual({
      monthlyCost: Math.round((shopHourly * 730 - 20) * 100) / 100,
      currency: 'USD',
    });
  });

  it('reports the idle share of a node with its monthly cost', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({});
    const idle = report.findings.find((f) => f.check === 'cost.node-idle');
    expect(idle?.impact?.monthlyCost).toBeCloseTo((nodeHourly - shopHourly - batchHourly) * 730, 1);
  });

  it('aggregates by label and shares idle by weight when asked; serves CSV', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    const report = await harness.run({ aggregate: 'label:team', idle: 'weighted', format: 'csv' });
    const names = (report.data?.['allocation'] as Array<{ name: string }>).map((r) => r.name).sort();
    expect(names).toEqual(['__unallocated__', 'red']);
    const total = (report.data?.['allocation'] as Array<{ totalCost: number }>).reduce(
      (t, r) => t + r.totalCost,
      0,
    );
    expect(total).toBeCloseTo(nodeHourly * 24, 1);
  });

  it('prices by the instance type from ECO_PRICE_BOOK (a total split by the CPU:RAM rule) in its currency', async () => {
    harness = await startBotHarness(bot, {
      objects,
      now: () => NOW,
      env: {
        ECO_PRICE_BOOK: JSON.stringify({ currency: 'EUR', instanceTypes: { 'm5.xlarge': { hourly: 0.2 } } }),
      },
    });
    const report = await harness.run({});
    expect(report.data?.['currency']).toBe('EUR');
    expect((report.data?.['totals'] as { monthly: number }).monthly).toBeCloseTo(0.2 * 730, 1);
  });

  it('refuses a bad aggregation with the field named', async () => {
    harness = await startBotHarness(bot, { objects, now: () => NOW });
    await expect(harness.run({ aggregate: 'team' })).rejects.toThrow(/aggregate/);
  });
});
