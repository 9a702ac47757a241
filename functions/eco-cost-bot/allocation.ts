// OpenCost's cost allocation as pure functions (pkg/costmodel/allocation_helpers.go, the idle and
// sharing rules of core/pkg/opencost/allocation.go):
// - a container is charged max(average usage, request) core-hours and GiB-hours (and its GPU
//   requests) at the prices of the node it runs on;
// - a node's cost is its capacity at those prices; what no container is charged is `__idle__`;
// - idle is shown as its own row (`none`), or shared by each row's share of the allocated cost per
//   resource (`weighted`), or evenly (`even`);
// - rows aggregate by namespace, controller (workload), pod or a label (`__unallocated__` when the
//   label is missing); the window's cost is projected to 730 hours a month.

import { GIB, HOURS_PER_MONTH } from '../../shared/cost/index.ts';
import type { PriceBook, PricedNode } from '../../shared/cost/index.ts';

export const IDLE = '__idle__';
export const UNALLOCATED = '__unallocated__';

export type IdleSharing = 'none' | 'weighted' | 'even';
export type AggregateBy = 'namespace' | 'workload' | 'pod' | `label:${string}`;

export interface ContainerAllocation {
  namespace: string;
  pod: string;
  container: string;
  /** The node it runs on; unscheduled containers are not charged. */
  node?: string;
  /** `Kind/name` of the controller (Deployment, StatefulSet, ...), or the pod for a bare pod. */
  workload: string;
  labels: Readonly<Record<string, string>>;
  cpuRequestCores: number;
  memoryRequestBytes: number;
  gpuRequest: number;
  /** Average over the window; undefined without usage data (then the request is charged). */
  cpuUsageCores?: number;
  memoryUsageBytes?: number;
  /** Hours it ran in the window (default: the whole window). */
  hours?: number;
}

export interface NodeCapacity {
  node: PricedNode;
  cpuCores: number;
  memoryBytes: number;
  gpus: number;
}

export interface AllocationRow {
  name: string;
  cpuCoreHours: number;
  ramGiBHours: number;
  gpuHours: number;
  cpuCost: number;
  ramCost: number;
  gpuCost: number;
  /** Idle shared into this row (0 with `none`). */
  sharedIdleCost: number;
  totalCost: number;
  /** totalCost projected to 730 hours. */
  monthlyCost: number;
}

export interface AllocationResult {
  windowHours: number;
  currency: string;
  rows: AllocationRow[];
  totals: { allocated: number; idle: number; cluster: number; monthly: number };
}

export interface AllocationInput {
  windowHours: number;
  nodes: readonly NodeCapacity[];
  containers: readonly ContainerAllocation[];
  book: PriceBook;
  aggregateBy: AggregateBy;
  idle: IdleSharing;
}

function keyOf(container: ContainerAllocation, by: AggregateBy): string {
  switch (by) {
    case 'namespace':
      return container.namespace;
    case 'workload':
      return `${container.namespace}/${container.workload}`;
    case 'pod':
      return `${container.namespace}/${container.pod}`;
    default: {
      const label = by.slice('label:'.length);
      return container.labels[label] ?? UNALLOCATED;
    }
  }
}

function emptyRow(name: string): AllocationRow {
  return {
    name,
    cpuCoreHours: 0,
    ramGiBHours: 0,
    gpuHours: 0,
    cpuCost: 0,
    ramCost: 0,
    gpuCost: 0,
    sharedIdleCost: 0,
    totalCost: 0,
    monthlyCost: 0,
  };
}

export function allocate(input: AllocationInput): AllocationResult {
  const { book, windowHours } = input;
  const nodes = new Map(input.nodes.map((n) => [n.node.name, n]));
  const rows = new Map<string, AllocationRow>();
  // Per node: what containers were charged, to find the idle remainder.
  const chargedOnNode = new Map<string, { cpu: number; ram: number; gpu: number }>();

  for (const container of input.containers) {
    if (container.node === undefined) continue;
    const capacity = nodes.get(container.node);
    const prices = book.nodePrices(capacity?.node ?? { name: container.node });
    const hours = Math.min(container.hours ?? windowHours, windowHours);
    const cpuCoreHours = Math.max(container.cpuRequestCores, container.cpuUsageCores ?? 0) * hours;
    const ramGiBHours =
      (Math.max(container.memoryRequestBytes, container.memoryUsageBytes ?? 0) / GIB) * hours;
    const gpuHours = container.gpuRequest * hours;
    const row =
      rows.get(keyOf(container, input.aggregateBy)) ?? emptyRow(keyOf(container, input.aggregateBy));
    rows.set(row.name, row);
    row.cpuCoreHours += cpuCoreHours;
    row.ramGiBHours += ramGiBHours;
    row.gpuHours += gpuHours;
    const cpuCost = cpuCoreHours * prices.cpuCoreHour;
    const ramCost = ramGiBHours * prices.ramGiBHour;
    const gpuCost = gpuHours * prices.gpuHour;
    row.cpuCost += cpuCost;
    row.ramCost += ramCost;
    row.gpuCost += gpuCost;
    const charged = chargedOnNode.get(container.node) ?? { cpu: 0, ram: 0, gpu: 0 };
    charged.cpu += cpuCost;
    charged.ram += ramCost;
    charged.gpu += gpuCost;
    chargedOnNode.set(container.node, charged);
  }

  // Idle per node and resource: the node's cost less what was charged on it, never below zero
  // (usage above a node's capacity is not negative idle).
  let idleCpu = 0;
  let idleRam = 0;
  let idleGpu = 0;
  let clusterCost = 0;
  for (const capacity of input.nodes) {
    const prices = book.nodePrices(capacity.node);
    const cpu = capacity.cpuCores * prices.cpuCoreHour * windowHours;
    const ram = (capacity.memoryBytes / GIB) * prices.ramGiBHour * windowHours;
    const gpu = capacity.gpus * prices.gpuHour * windowHours;
    clusterCost += cpu + ram + gpu;
    const charged = chargedOnNode.get(capacity.node.name) ?? { cpu: 0, ram: 0, gpu: 0 };
    idleCpu += Math.max(0, cpu - charged.cpu);
    idleRam += Math.max(0, ram - charged.ram);
    idleGpu += Math.max(0, gpu - charged.gpu);
  }
  const idle = idleCpu + idleRam + idleGpu;

  const list = [...rows.values()];
  const sum = (pick: (row: AllocationRow) => number): number =>
    list.reduce((total, row) => total + pick(row), 0);
  if (input.idle === 'weighted') {
    const [cpuTotal, ramTotal, gpuTotal] = [
      sum((r) => r.cpuCost),
      sum((r) => r.ramCost),
      sum((r) => r.gpuCost),
    ];
    for (const row of list) {
      row.sharedIdleCost =
        (cpuTotal > 0 ? (row.cpuCost / cpuTotal) * idleCpu : 0) +
        (ramTotal > 0 ? (row.ramCost / ramTotal) * idleRam : 0) +
        (gpuTotal > 0 ? (row.gpuCost / gpuTotal) * idleGpu : 0);
    }
  } else if (input.idle === 'even' && list.length > 0) {
    for (const row of list) row.sharedIdleCost = idle / list.length;
  }
  const allocated = sum((r) => r.cpuCost + r.ramCost + r.gpuCost);
  const shared = sum((r) => r.sharedIdleCost);
  if (idle - shared > 1e-12 || input.idle === 'none') {
    const row = emptyRow(IDLE);
    row.cpuCost = input.idle === 'none' ? idleCpu : 0;
    row.ramCost = input.idle === 'none' ? idleRam : 0;
    row.gpuCost = input.idle === 'none' ? idleGpu : 0;
    // Idle nobody could take (e.g. nothing charged for GPUs) stays its own row.
    if (input.idle !== 'none') row.sharedIdleCost = idle - shared;
    list.push(row);
  }
  const scale = windowHours > 0 ? HOURS_PER_MONTH / windowHours : 0;
  for (const row of list) {
    row.totalCost = row.cpuCost + row.ramCost + row.gpuCost + row.sharedIdleCost;
    row.monthlyCost = row.totalCost * scale;
  }
  list.sort((a, b) => b.totalCost - a.totalCost || a.name.localeCompare(b.name));
  return {
    windowHours,
    currency: book.currency,
    rows: list,
    totals: { allocated, idle, cluster: clusterCost, monthly: (allocated + idle) * scale },
  };
}

/** The budget annotation on a namespace: a monthly amount in the book's currency. */
export const BUDGET_ANNOTATION = 'eco.bsw-arch.org/monthly-budget';

export interface BudgetStatus {
  budget: number;
  projected: number;
  /** projected / budget: 1 means the month's budget is spent exactly by month's end. */
  burnRate: number;
  state: 'ok' | 'warning' | 'over';
}

/** Burn rate of a namespace's budget: ≥ 1 over budget, ≥ 0.8 warning. Undefined when no valid budget. */
export function budgetStatus(
  annotation: string | undefined,
  projectedMonthly: number,
): BudgetStatus | undefined {
  if (annotation === undefined) return undefined;
  const budget = Number(annotation.trim().replace(/^[$€£]/, ''));
  if (!Number.isFinite(budget) || budget <= 0) return undefined;
  const burnRate = projectedMonthly / budget;
  return {
    budget,
    projected: projectedMonthly,
    burnRate,
    state: burnRate >= 1 ? 'over' : burnRate >= 0.8 ? 'warning' : 'ok',
  };
}

/** The allocation table as CSV (RFC 4180 quoting), money to cents. */
export function toCsv(result: AllocationResult): string {
  const header = [
    'name',
    'cpuCoreHours',
    'ramGiBHours',
    'gpuHours',
    'cpuCost',
    'ramCost',
    'gpuCost',
    'sharedIdleCost',
    'totalCost',
    'monthlyCost',
    'currency',
  ];
  const quote = (value: string): string => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const lines = [header.join(',')];
  for (const row of result.rows) {
    lines.push(
      [
        quote(row.name),
        row.cpuCoreHours.toFixed(3),
        row.ramGiBHours.toFixed(3),
        row.gpuHours.toFixed(3),
        row.cpuCost.toFixed(2),
        row.ramCost.toFixed(2),
        row.gpuCost.toFixed(2),
        row.sharedIdleCost.toFixed(2),
        row.totalCost.toFixed(2),
        row.monthlyCost.toFixed(2),
        result.currency,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
