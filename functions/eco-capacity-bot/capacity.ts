// Capacity planning as pure functions:
// - headroom = allocatable − requests per node and cluster (Popeye's and the mixin's view);
// - "N more pods of size X fit": per node the smallest of free CPU / X.cpu, free memory / X.memory
//   and free pod slots, summed over schedulable nodes;
// - days until requests reach allocatable, from a least-squares line through (time, requested);
// - kubernetes-mixin KubeCPUOvercommit / KubeMemoryOvercommit: requests > allocatable minus the
//   largest node (the cluster cannot lose a node);
// - Popeye 602/603 (one HPA at maxReplicas exceeds the cluster) and 604/605 (all HPAs at max together).

export interface NodeCapacity {
  name: string;
  allocatable: { cpu: number; memory: number; pods: number };
  requested: { cpu: number; memory: number; pods: number };
  schedulable: boolean;
}

export interface Headroom {
  cpu: number;
  memory: number;
  pods: number;
}

export function headroom(node: NodeCapacity): Headroom {
  return {
    cpu: Math.max(0, node.allocatable.cpu - node.requested.cpu),
    memory: Math.max(0, node.allocatable.memory - node.requested.memory),
    pods: Math.max(0, node.allocatable.pods - node.requested.pods),
  };
}

export function clusterHeadroom(
  nodes: readonly NodeCapacity[],
): Headroom & { allocatable: Headroom; requested: Headroom } {
  const allocatable = { cpu: 0, memory: 0, pods: 0 };
  const requested = { cpu: 0, memory: 0, pods: 0 };
  const free = { cpu: 0, memory: 0, pods: 0 };
  for (const node of nodes) {
    if (!node.schedulable) continue;
    const room = headroom(node);
    for (const key of ['cpu', 'memory', 'pods'] as const) {
      allocatable[key] += node.allocatable[key];
      requested[key] += node.requested[key];
      free[key] += room[key];
    }
  }
  return { ...free, allocatable, requested };
}

/** How many more pods of this size fit, node by node (a pod cannot span nodes). */
export function podsThatFit(nodes: readonly NodeCapacity[], size: { cpu: number; memory: number }): number {
  let total = 0;
  for (const node of nodes) {
    if (!node.schedulable) continue;
    const room = headroom(node);
    const byCpu = size.cpu > 0 ? Math.floor(room.cpu / size.cpu + 1e-9) : Number.POSITIVE_INFINITY;
    const byMemory =
      size.memory > 0 ? Math.floor(room.memory / size.memory + 1e-9) : Number.POSITIVE_INFINITY;
    total += Math.min(byCpu, byMemory, room.pods);
  }
  return total;
}

export interface Trend {
  /** Units per day. */
  slopePerDay: number;
  /** Value of the line at the last sample's time. */
  current: number;
  points: number;
}

/** Least-squares line through (Unix seconds, value) points. Undefined with fewer than 2 distinct times. */
export function linearTrend(points: ReadonlyArray<readonly [number, number]>): Trend | undefined {
  if (points.length < 2) return undefined;
  const n = points.length;
  // Centre the times: Unix seconds squared lose precision.
  const t0 = points[0]![0];
  let sumX = 0;
  let sumY = 0;
  for (const [t, y] of points) {
    sumX += t - t0;
    sumY += y;
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  let sxx = 0;
  let sxy = 0;
  for (const [t, y] of points) {
    const dx = t - t0 - meanX;
    sxx += dx * dx;
    sxy += dx * (y - meanY);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx; // per second
  const lastX = points[n - 1]![0] - t0;
  return { slopePerDay: slope * 86_400, current: meanY + slope * (lastX - meanX), points: n };
}

/** Days until `current` grows to `limit` at the trend's rate; undefined when not growing. */
export function daysUntil(trend: Trend, limit: number): number | undefined {
  if (trend.slopePerDay <= 0) return undefined;
  return Math.max(0, (limit - trend.current) / trend.slopePerDay);
}

/** The mixin's overcommit rule for one resource: requests > allocatable − the largest node's allocatable. */
export function overcommitted(
  nodes: readonly NodeCapacity[],
  resource: 'cpu' | 'memory',
): {
  overcommitted: boolean;
  requested: number;
  tolerable: number;
} {
  const schedulable = nodes.filter((node) => node.schedulable);
  const total = schedulable.reduce((sum, node) => sum + node.allocatable[resource], 0);
  const largest = schedulable.reduce((max, node) => Math.max(max, node.allocatable[resource]), 0);
  const requested = schedulable.reduce((sum, node) => sum + node.requested[resource], 0);
  // A single node cluster cannot survive losing its node; the mixin's rule only applies to > 1 node.
  const tolerable = schedulable.length > 1 ? total - largest : total;
  return { overcommitted: requested > tolerable, requested, tolerable };
}

export interface HpaDemand {
  namespace: string;
  name: string;
  maxReplicas: number;
  currentReplicas: number;
  /** Requests of one pod of the target. */
  podRequests: { cpu: number; memory: number };
}

/**
 * Popeye 602/603: the extra requests of one HPA scaling from its current replicas to max, compared
 * with the cluster's free capacity; 604/605: all HPAs at max together.
 */
export function hpaBurst(
  hpa: HpaDemand,
  free: { cpu: number; memory: number },
): {
  extraCpu: number;
  extraMemory: number;
  cpuExceeds: boolean;
  memoryExceeds: boolean;
} {
  const extra = Math.max(0, hpa.maxReplicas - hpa.currentReplicas);
  const extraCpu = extra * hpa.podRequests.cpu;
  const extraMemory = extra * hpa.podRequests.memory;
  return { extraCpu, extraMemory, cpuExceeds: extraCpu > free.cpu, memoryExceeds: extraMemory > free.memory };
}

export function allHpasBurst(
  hpas: readonly HpaDemand[],
  free: { cpu: number; memory: number },
): ReturnType<typeof hpaBurst> {
  let extraCpu = 0;
  let extraMemory = 0;
  for (const hpa of hpas) {
    const one = hpaBurst(hpa, free);
    extraCpu += one.extraCpu;
    extraMemory += one.extraMemory;
  }
  return { extraCpu, extraMemory, cpuExceeds: extraCpu > free.cpu, memoryExceeds: extraMemory > free.memory };
}
