// eco-cost-bot's OpenCost rules: max(request, usage) × hours × the node's prices, idle = node cost
// − charged, idle shared weighted / even / none, aggregation keys, monthly projection, budgets, CSV.
import { describe, expect, it } from 'vitest';
import { allocate, budgetStatus, IDLE, toCsv, UNALLOCATED } from '../../functions/eco-cost-bot/allocation.ts';
import type { ContainerAllocation, IdleSharing } from '../../functions/eco-cost-bot/allocation.ts';
import { createPriceBook } from '../../shared/cost/index.ts';

const GiB = 2 ** 30;
const CPU = 0.031611;
const RAM = 0.004237;
const book = createPriceBook();
const node = {
  node: { name: 'n1', cpuCores: 4, memoryBytes: 16 * GiB },
  cpuCores: 4,
  memoryBytes: 16 * GiB,
  gpus: 0,
};
const base = { node: 'n1', gpuRequest: 0, labels: {} };
const containers: ContainerAllocation[] = [
  // Usage below the CPU request, above the memory request: charged 1 core and 3 GiB.
  {
    ...base,
    namespace: 'shop',
    pod: 'web-1',
    container: 'app',
    workload: 'Deployment/web',
    labels: { team: 'red' },
    cpuRequestCores: 1,
    memoryRequestBytes: 2 * GiB,
    cpuUsageCores: 0.5,
    memoryUsageBytes: 3 * GiB,
  },
  // No CPU request but usage: the usage is charged.
  {
    ...base,
    namespace: 'batch',
    pod: 'job-1',
    container: 'run',
    workload: 'Job/job',
    cpuRequestCores: 0,
    memoryRequestBytes: 1 * GiB,
    cpuUsageCores: 0.25,
    memoryUsageBytes: 0,
  },
  // Pending: not on a node, not charged.
  {
    ...base,
    node: undefined as unknown as string,
    namespace: 'shop',
    pod: 'web-2',
    container: 'app',
    workload: 'Deployment/web',
    cpuRequestCores: 1,
    memoryRequestBytes: 2 * GiB,
  },
];
const H = 24;
const a = { cpu: 1 * H * CPU, ram: 3 * H * RAM };
const b = { cpu: 0.25 * H * CPU, ram: 1 * H * RAM };
const nodeCpu = 4 * H * CPU;
const nodeRam = 16 * H * RAM;
const idleCpu = nodeCpu - a.cpu - b.cpu;
const idleRam = nodeRam - a.ram - b.ram;

function run(idle: IdleSharing, aggregateBy: Parameters<typeof allocate>[0]['aggregateBy'] = 'namespace') {
  return allocate({
    windowHours: H,
    nodes: [node],
    containers: containers.filter((c) => c.node !== undefined),
    book,
    aggregateBy,
    idle,
  });
}

describe('OpenCost allocation', () => {
  it('charges max(request, usage) per resource at the node price, and leaves the rest idle (__none__ sharing)', () => {
    const result = run('none');
    const byName = Object.fromEntries(result.rows.map((row) => [row.name, row]));
    expect(byName['shop']?.cpuCoreHours).toBeCloseTo(24, 12);
    expect(byName['shop']?.ramGiBHours).toBeCloseTo(72, 12);
    expect(byName['shop']?.cpuCost).toBeCloseTo(a.cpu, 12);
    expect(byName['shop']?.ramCost).toBeCloseTo(a.ram, 12);
    expect(byName['batch']?.totalCost).toBeCloseTo(b.cpu + b.ram, 12);
    expect(byName[IDLE]?.cpuCost).toBeCloseTo(idleCpu, 12);
    expect(byName[IDLE]?.ramCost).toBeCloseTo(idleRam, 12);
    expect(result.totals.cluster).toBeCloseTo(nodeCpu + nodeRam, 12);
    expect(result.totals.idle).toBeCloseTo(idleCpu + idleRam, 12);
    // Projected to 730 hours.
    expect(byName['shop']?.monthlyCost).toBeCloseTo(((a.cpu + a.ram) * 730) / 24, 9);
    expect(result.totals.monthly).toBeCloseTo(((nodeCpu + nodeRam) * 730) / 24, 9);
  });

  it('shares idle by each row’s share of the cost per resource (__weighted__)', () => {
    const result = run('weighted');
    const shop = result.rows.find((row) => row.name === 'shop');
    const want = (a.cpu / (a.cpu + b.cpu)) * idleCpu + (a.ram / (a.ram + b.ram)) * idleRam;
    expect(shop?.sharedIdleCost).toBeCloseTo(want, 12);
    expect(result.rows.some((row) => row.name === IDLE)).toBe(false);
    expect(result.rows.reduce((t, r) => t + r.totalCost, 0)).toBeCloseTo(nodeCpu + nodeRam, 12);
  });

  it('shares idle evenly between rows (__even__)', () => {
    const result = run('even');
    for (const row of result.rows) expect(row.sharedIdleCost).toBeCloseTo((idleCpu + idleRam) / 2, 12);
    expect(result.rows.reduce((t, r) => t + r.totalCost, 0)).toBeCloseTo(nodeCpu + nodeRam, 12);
  });

  it.each([
    ['workload', ['batch/Job/job', 'shop/Deployment/web', IDLE]],
    ['pod', ['batch/job-1', 'shop/web-1', IDLE]],
    ['label:team', [IDLE, 'red', UNALLOCATED]],
  ] as const)('aggregates by %s', (by, names) => {
    expect(
      run('none', by)
        .rows.map((row) => row.name)
        .sort(),
    ).toEqual([...names].sort());
  });

  it('prices by the node the container runs on (an instance type split by the CPU:RAM rule)', () => {
    const typed = createPriceBook({ instanceTypes: { big: { hourly: 1 } } });
    const bigNode = {
      ...node,
      node: { ...node.node, labels: { 'node.kubernetes.io/instance-type': 'big' } },
    };
    const result = allocate({
      windowHours: 1,
      nodes: [bigNode],
      containers: [containers[0] as ContainerAllocation],
      book: typed,
      aggregateBy: 'namespace',
      idle: 'weighted',
    });
    // A single row with idle shared in carries the whole node's price for the hour.
    expect(result.rows[0]?.totalCost).toBeCloseTo(1, 12);
  });
});

describe('budgets', () => {
  it.each([
    [undefined, 100, undefined],
    ['abc', 100, undefined],
    ['0', 100, undefined],
    ['500', 100, { budget: 500, burnRate: 0.2, state: 'ok' }],
    ['$120', 100, { budget: 120, state: 'warning' }],
    ['100', 150, { burnRate: 1.5, state: 'over' }],
  ])('budget %s with %d projected', (annotation, projected, want) => {
    const status = budgetStatus(annotation, projected);
    if (want === undefined) expect(status).toBeUndefined();
    else expect(status).toMatchObject(want);
  });
});

describe('CSV', () => {
  it('writes a header and one line per row, money to cents, names quoted when needed', () => {
    const result = run('none');
    result.rows[0]!.name = 'a,"b"';
    const csv = toCsv(result).trim().split('\n');
    expect(csv[0]).toBe(
      'name,cpuCoreHours,ramGiBHours,gpuHours,cpuCost,ramCost,gpuCost,sharedIdleCost,totalCost,monthlyCost,currency',
    );
    expect(csv).toHaveLength(1 + result.rows.length);
    expect(csv[1]?.startsWith('"a,""b""",')).toBe(true);
    expect(csv[1]?.endsWith(',USD')).toBe(true);
  });
});
