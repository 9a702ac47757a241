// OpenCost's efficiency (core/pkg/opencost/allocation.go) and the over/under-allocation verdicts
// (Popeye 503-506 with the thresholds of the anchors' table):
// - CPU efficiency = usage / request; no request but some usage = 100 %; neither = 0.
// - RAM likewise; total = the cost-weighted average (CPU eff × CPU cost + RAM eff × RAM cost) / cost.
// - Over-allocated: usage < 50 % of the request; under-allocated: usage > 200 % of the request.
// - Node bin-packing: requests / allocatable per node; a node under 50 % requested is a
//   scale-down candidate (cluster-autoscaler's 0.5 utilisation threshold).

export const OVER_ALLOCATED_BELOW = 0.5;
export const UNDER_ALLOCATED_ABOVE = 2;
export const NODE_UNDERUSED_BELOW = 0.5;

export function resourceEfficiency(usage: number, request: number): number {
  if (request > 0) return usage / request;
  return usage > 0 ? 1 : 0;
}

export interface WorkloadUsage {
  cpuRequestCores: number;
  cpuUsageCores: number;
  memoryRequestBytes: number;
  memoryUsageBytes: number;
}

export interface Efficiency {
  cpu: number;
  memory: number;
  /** Cost-weighted total. */
  total: number;
  cpuCost: number;
  memoryCost: number;
}

/**
 * Efficiency of a workload over a window, with the costs it is weighted by: each resource's cost is
 * max(request, usage) × price (OpenCost's charge), per hour.
 */
export function efficiency(
  usage: WorkloadUsage,
  prices: { cpuCoreHour: number; ramGiBHour: number },
): Efficiency {
  const cpu = resourceEfficiency(usage.cpuUsageCores, usage.cpuRequestCores);
  const memory = resourceEfficiency(usage.memoryUsageBytes, usage.memoryRequestBytes);
  const cpuCost = Math.max(usage.cpuRequestCores, usage.cpuUsageCores) * prices.cpuCoreHour;
  const memoryCost =
    (Math.max(usage.memoryRequestBytes, usage.memoryUsageBytes) / 2 ** 30) * prices.ramGiBHour;
  const weight = cpuCost + memoryCost;
  const total = weight > 0 ? (cpu * cpuCost + memory * memoryCost) / weight : 0;
  return { cpu, memory, total, cpuCost, memoryCost };
}

export type AllocationVerdict = 'over-allocated' | 'under-allocated' | 'ok' | 'no-request';

export function verdict(usage: number, request: number): AllocationVerdict {
  if (!(request > 0)) return 'no-request';
  const ratio = usage / request;
  if (ratio < OVER_ALLOCATED_BELOW) return 'over-allocated';
  if (ratio > UNDER_ALLOCATED_ABOVE) return 'under-allocated';
  return 'ok';
}

/** Per hour, what requests above usage cost (the money an over-allocated workload wastes). */
export function wastedPerHour(
  usage: WorkloadUsage,
  prices: { cpuCoreHour: number; ramGiBHour: number },
): number {
  const cpu = Math.max(0, usage.cpuRequestCores - usage.cpuUsageCores) * prices.cpuCoreHour;
  const memory =
    (Math.max(0, usage.memoryRequestBytes - usage.memoryUsageBytes) / 2 ** 30) * prices.ramGiBHour;
  return cpu + memory;
}

export interface NodePacking {
  node: string;
  cpuRequested: number;
  cpuAllocatable: number;
  memoryRequested: number;
  memoryAllocatable: number;
  cpuRatio: number;
  memoryRatio: number;
  /** The larger of the two: the node is as full as its fuller resource. */
  packed: number;
  underused: boolean;
}

export function nodePacking(
  node: string,
  requested: { cpu: number; memory: number },
  allocatable: { cpu: number; memory: number },
): NodePacking {
  const cpuRatio = allocatable.cpu > 0 ? requested.cpu / allocatable.cpu : 0;
  const memoryRatio = allocatable.memory > 0 ? requested.memory / allocatable.memory : 0;
  const packed = Math.max(cpuRatio, memoryRatio);
  return {
    node,
    cpuRequested: requested.cpu,
    cpuAllocatable: allocatable.cpu,
    memoryRequested: requested.memory,
    memoryAllocatable: allocatable.memory,
    cpuRatio,
    memoryRatio,
    packed,
    underused: packed < NODE_UNDERUSED_BELOW,
  };
}
