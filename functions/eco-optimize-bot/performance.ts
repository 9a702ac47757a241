// Performance checks as pure functions:
// - kubernetes-mixin CPUThrottlingHigh (alerts/resource_alerts.libsonnet): throttled CFS periods /
//   all CFS periods > 25 % (over 5 m windows, for 15 m), per container;
// - OOMKilled containers from `lastState.terminated.reason`, with VPA's OOM bump
//   (pkg/recommender/model: memory at OOM × 1.2, and at least + 100 MiB);
// - a CPU limit that causes the throttling: throttled and the container's p95 usage reaches ≥ 80 %
//   of its limit (raising or removing the limit helps; below that the throttling is bursty).

export const THROTTLING_THRESHOLD = 0.25;
export const OOM_BUMP_RATIO = 1.2;
export const OOM_MIN_BUMP_BYTES = 100 * 2 ** 20;
export const LIMIT_BOUND_RATIO = 0.8;

/** The mixin's throttling ratio per container over `window`, batched per namespace. */
export function throttlingQuery(namespace: string, window = '5m'): string {
  const selector = `namespace="${namespace.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}",container!=""`;
  return (
    `sum(increase(container_cpu_cfs_throttled_periods_total{${selector}}[${window}])) by (namespace, pod, container)` +
    ` / sum(increase(container_cpu_cfs_periods_total{${selector}}[${window}])) by (namespace, pod, container)`
  );
}

/** The mixin's `for: 15m`, asked at once: the smallest ratio over the last 15 minutes (at 1 m steps). */
export function sustainedThrottlingQuery(namespace: string, window = '5m', sustained = '15m'): string {
  return `min_over_time((${throttlingQuery(namespace, window)})[${sustained}:1m])`;
}

export function throttled(ratio: number | undefined): boolean {
  return ratio !== undefined && Number.isFinite(ratio) && ratio > THROTTLING_THRESHOLD;
}

/** VPA's memory recommendation after an OOM: max(at-OOM × 1.2, at-OOM + 100 MiB), rounded up to 1 MiB. */
export function oomBump(memoryAtOomBytes: number): number {
  const bumped = Math.max(memoryAtOomBytes * OOM_BUMP_RATIO, memoryAtOomBytes + OOM_MIN_BUMP_BYTES);
  return Math.ceil(bumped / 2 ** 20) * 2 ** 20;
}

export interface ContainerStatusLike {
  name: string;
  restartCount?: number;
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string } };
  state?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string } };
}

/** The OOMKill a container status shows (current or last state), if any. */
export function oomKilled(
  status: ContainerStatusLike,
): { finishedAt?: string; restartCount: number } | undefined {
  for (const terminated of [status.state?.terminated, status.lastState?.terminated]) {
    if (terminated?.reason === 'OOMKilled') {
      return {
        ...(terminated.finishedAt ? { finishedAt: terminated.finishedAt } : {}),
        restartCount: status.restartCount ?? 0,
      };
    }
  }
  return undefined;
}

/** Whether a CPU limit is what throttles: throttled and p95 usage ≥ 80 % of the limit. */
export function limitCausesThrottling(
  ratio: number | undefined,
  p95UsageCores: number | undefined,
  limitCores: number | undefined,
): boolean {
  if (!throttled(ratio) || limitCores === undefined || !(limitCores > 0) || p95UsageCores === undefined)
    return false;
  return p95UsageCores >= LIMIT_BOUND_RATIO * limitCores;
}

/** A CPU limit that would have kept p95 usage at 80 % of it, rounded up to 10m. */
export function suggestedCpuLimit(p95UsageCores: number): number {
  return Math.ceil((p95UsageCores / LIMIT_BOUND_RATIO) * 100) / 100;
}
