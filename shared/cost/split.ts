// OpenCost's rule for a node whose only known price is its total per hour
// (pkg/costmodel/costmodel.go): take any GPU price off the total first, then split the rest between
// CPU and RAM so one vCPU costs `ratio` times one GiB, where ratio = default CPU price / default RAM
// price (10 when that cannot be computed):
//   ramPrice = (nodePrice − gpus × gpuPrice) / (vCPUs × ratio + RAM GiB);  cpuPrice = ramPrice × ratio

export interface NodeTotal {
  /** The node's whole price per hour. */
  hourly: number;
  cpuCores: number;
  memoryGiB: number;
  gpus: number;
}

export interface SplitPrices {
  cpuCoreHour: number;
  ramGiBHour: number;
  gpuHour: number;
}

/** OpenCost's fallback ratio when the defaults cannot give one. */
export const FALLBACK_CPU_RAM_RATIO = 10;

export function cpuRamRatio(defaultCpuCoreHour: number, defaultRamGiBHour: number): number {
  const ratio = defaultCpuCoreHour / defaultRamGiBHour;
  return Number.isFinite(ratio) && ratio > 0 ? ratio : FALLBACK_CPU_RAM_RATIO;
}

/**
 * Splits a node's total hourly price into per-vCPU and per-GiB prices. The GPU price is the book's
 * (taken off first, never more than the total); undefined when the node has neither CPU nor memory.
 */
export function splitNodePrice(node: NodeTotal, ratio: number, gpuHour: number): SplitPrices | undefined {
  const weight = node.cpuCores * ratio + node.memoryGiB;
  if (!(weight > 0)) return undefined;
  const gpuCost = Math.min(node.hourly, Math.max(0, node.gpus) * gpuHour);
  const ramGiBHour = (node.hourly - gpuCost) / weight;
  return { cpuCoreHour: ramGiBHour * ratio, ramGiBHour, gpuHour };
}
