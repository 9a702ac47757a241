// Pure usage arithmetic: metrics.k8s.io usage against node allocatable and container limits.
import { parseQuantity } from '../../shared/index.ts';
import type { KubeObject } from '../../shared/index.ts';

export type Basis = 'limit' | 'request';

export interface NodeUsage {
  node: string;
  cpuCores: number;
  memoryBytes: number;
  cpuAllocatable?: number;
  memoryAllocatable?: number;
  cpuPercent?: number;
  memoryPercent?: number;
}

export interface PodUsage {
  namespace: string;
  pod: string;
  cpuCores: number;
  memoryBytes: number;
  /** Usage as a percent of the containers' limits (or requests where a container has no limit). */
  cpuPercent?: number;
  memoryPercent?: number;
  cpuBasis?: Basis;
  memoryBasis?: Basis;
  /** The summed limit/request the percent is taken against (cores, bytes). */
  cpuOf?: number;
  memoryOf?: number;
}

interface Resources {
  limits?: Record<string, string>;
  requests?: Record<string, string>;
}
interface Container {
  name: string;
  resources?: Resources;
}
export interface NodeMetrics extends KubeObject {
  usage?: { cpu?: string; memory?: string };
}
export interface PodMetrics extends KubeObject {
  containers?: { name: string; usage?: { cpu?: string; memory?: string } }[];
}

/** Per container, the limit or else the request of one resource (what usage is compared with). */
export interface ContainerBasis {
  cpu?: { value: number; basis: Basis };
  memory?: { value: number; basis: Basis };
}

/** What of a pod's spec the usage is compared with; kept small so a 10k-pod map stays cheap. */
export function podBasis(pod: KubeObject): Map<string, ContainerBasis> {
  const containers = ((pod.spec as { containers?: Container[] } | undefined)?.containers ??
    []) as Container[];
  const out = new Map<string, ContainerBasis>();
  for (const container of containers) {
    const basis: ContainerBasis = {};
    for (const resource of ['cpu', 'memory'] as const) {
      const limit = parseQuantity(container.resources?.limits?.[resource]);
      const request = parseQuantity(container.resources?.requests?.[resource]);
      if (limit !== undefined && limit > 0) basis[resource] = { value: limit, basis: 'limit' };
      else if (request !== undefined && request > 0) basis[resource] = { value: request, basis: 'request' };
    }
    out.set(container.name, basis);
  }
  return out;
}

export function nodeUsage(metrics: NodeMetrics, node: KubeObject | undefined): NodeUsage {
  const cpuCores = parseQuantity(metrics.usage?.cpu) ?? 0;
  const memoryBytes = parseQuantity(metrics.usage?.memory) ?? 0;
  const allocatable = (node?.status as { allocatable?: Record<string, string> } | undefined)?.allocatable;
  const cpuAllocatable = parseQuantity(allocatable?.cpu);
  const memoryAllocatable = parseQuantity(allocatable?.memory);
  const out: NodeUsage = { node: metrics.metadata.name, cpuCores, memoryBytes };
  if (cpuAllocatable !== undefined && cpuAllocatable > 0) {
    out.cpuAllocatable = cpuAllocatable;
    out.cpuPercent = round((cpuCores / cpuAllocatable) * 100);
  }
  if (memoryAllocatable !== undefined && memoryAllocatable > 0) {
    out.memoryAllocatable = memoryAllocatable;
    out.memoryPercent = round((memoryBytes / memoryAllocatable) * 100);
  }
  return out;
}

/**
 * A pod's usage against the containers that have a limit (or request): containers without either
 * add to the absolute usage but not to the percent, which would otherwise be meaningless.
 */
export function podUsage(metrics: PodMetrics, basis: Map<string, ContainerBasis> | undefined): PodUsage {
  const out: PodUsage = {
    namespace: metrics.metadata.namespace ?? '',
    pod: metrics.metadata.name,
    cpuCores: 0,
    memoryBytes: 0,
  };
  const sums = {
    cpu: { used: 0, of: 0, request: false, any: false },
    memory: { used: 0, of: 0, request: false, any: false },
  };
  for (const container of metrics.containers ?? []) {
    const cpu = parseQuantity(container.usage?.cpu) ?? 0;
    const memory = parseQuantity(container.usage?.memory) ?? 0;
    out.cpuCores += cpu;
    out.memoryBytes += memory;
    const b = basis?.get(container.name);
    for (const [resource, used] of [
      ['cpu', cpu],
      ['memory', memory],
    ] as const) {
      const of = b?.[resource];
      if (!of) continue;
      const sum = sums[resource];
      sum.used += used;
      sum.of += of.value;
      sum.any = true;
      if (of.basis === 'request') sum.request = true;
    }
  }
  out.cpuCores = round(out.cpuCores, 6);
  if (sums.cpu.any && sums.cpu.of > 0) {
    out.cpuPercent = round((sums.cpu.used / sums.cpu.of) * 100);
    out.cpuBasis = sums.cpu.request ? 'request' : 'limit';
    out.cpuOf = round(sums.cpu.of, 6);
  }
  if (sums.memory.any && sums.memory.of > 0) {
    out.memoryPercent = round((sums.memory.used / sums.memory.of) * 100);
    out.memoryBasis = sums.memory.request ? 'request' : 'limit';
    out.memoryOf = sums.memory.of;
  }
  return out;
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
