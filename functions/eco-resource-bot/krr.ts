// KRR's `simple` strategy (robusta-dev/krr: strategies/simple.py, core/runner.py, models/config.py,
// models/severity.py), as pure functions over the per-pod numbers Prometheus answers:
// - CPU request = the largest of the pods' p95 of rate(container_cpu_usage_seconds_total) over the
//   history (14 days at a 75 s step); no CPU limit.
// - Memory request = limit = the largest working set of any pod × 1.15; with OOMKill data,
//   max(that, the memory limit at the last OOMKill × 1.25).
// - No answer under 100 data points (summed over the pods); floors 10m / 100Mi; CPU rounded up to
//   1m and memory up to 1Mi; "?" for a resource an HPA scales on unless allowed.

export const MIB = 2 ** 20;

export interface KrrSettings {
  /** History window in seconds (KRR: 336 h). */
  historySeconds: number;
  /** Query step in seconds (KRR: 1.25 min). */
  stepSeconds: number;
  /** 0..1 (KRR simple: 0.95). */
  cpuPercentile: number;
  /** Added to the peak working set (KRR: 15 %). */
  memoryBufferRatio: number;
  /** Added to the limit at the last OOMKill (KRR: 25 %). */
  oomBufferRatio: number;
  /** Fewer data points than this: no recommendation (KRR: 100). */
  pointsRequired: number;
  /** Floors (KRR: 10m, 100Mi). */
  cpuMinCores: number;
  memoryMinBytes: number;
  /** Recommend a resource an HPA scales on (KRR --allow-hpa). */
  allowHpa: boolean;
  /** Raise memory after an OOMKill (KRR --use_oomkill_data). */
  useOomKillData: boolean;
}

export const KRR_SIMPLE: Readonly<KrrSettings> = Object.freeze({
  historySeconds: 336 * 3600,
  stepSeconds: 75,
  cpuPercentile: 0.95,
  memoryBufferRatio: 0.15,
  oomBufferRatio: 0.25,
  pointsRequired: 100,
  cpuMinCores: 0.01,
  memoryMinBytes: 100 * MIB,
  allowHpa: false,
  useOomKillData: true,
});

/** What Prometheus said about one container of one pod. */
export interface PodContainerUsage {
  pod: string;
  /** p95 (the setting's percentile) of the CPU rate over the window, in cores. */
  cpuPercentile?: number;
  /** Number of rate points in the window. */
  cpuPoints?: number;
  /** Largest working set in the window, in bytes. */
  memoryMax?: number;
  memoryPoints?: number;
}

export type Recommended =
  | { kind: 'value'; value: number }
  /** KRR prints "?": the resource is scaled by an HPA. */
  | { kind: 'hpa' }
  /** Not enough data (or none). */
  | { kind: 'none'; reason: string }
  /** Deliberately unset (KRR leaves the CPU limit unset). */
  | { kind: 'unset' };

export interface ContainerRecommendation {
  cpuRequest: Recommended;
  cpuLimit: Recommended;
  memoryRequest: Recommended;
  memoryLimit: Recommended;
  /** How each figure was reached, for the finding's evidence. */
  explanation: {
    cpu?: { percentile: number; maxPod: string; rawCores: number; points: number; pods: number };
    memory?: {
      maxPod: string;
      peakBytes: number;
      bufferRatio: number;
      rawBytes: number;
      points: number;
      pods: number;
      oomKill?: { limitBytes: number; bufferRatio: number; bytes: number };
    };
  };
}

export interface RecommendInput {
  usage: readonly PodContainerUsage[];
  /** HPA targets of the workload: resources it scales on. */
  hpaScalesOn?: { cpu: boolean; memory: boolean };
  /** The container's memory limit at its last OOMKill, in bytes (from lastState). */
  lastOomKillLimitBytes?: number;
}

/** KRR's _round_value: CPU up to 1m, memory up to 1Mi, never below the floors. */
export function roundCpu(cores: number, settings: Pick<KrrSettings, 'cpuMinCores'> = KRR_SIMPLE): number {
  const rounded = Math.ceil(cores * 1000) / 1000;
  return Math.max(rounded, settings.cpuMinCores);
}

export function roundMemory(
  bytes: number,
  settings: Pick<KrrSettings, 'memoryMinBytes'> = KRR_SIMPLE,
): number {
  const rounded = Math.ceil(bytes / MIB) * MIB;
  return Math.max(rounded, settings.memoryMinBytes);
}

function sumPoints(usage: readonly PodContainerUsage[], key: 'cpuPoints' | 'memoryPoints'): number {
  return usage.reduce((total, item) => total + (item[key] ?? 0), 0);
}

/** The largest value of `key` across pods, with the pod that had it. */
function maxOver(
  usage: readonly PodContainerUsage[],
  key: 'cpuPercentile' | 'memoryMax',
): { pod: string; value: number } | undefined {
  let best: { pod: string; value: number } | undefined;
  for (const item of usage) {
    const value = item[key];
    if (value === undefined || !Number.isFinite(value)) continue;
    if (!best || value > best.value) best = { pod: item.pod, value };
  }
  return best;
}

export function recommend(
  input: RecommendInput,
  settings: KrrSettings = KRR_SIMPLE,
): ContainerRecommendation {
  const explanation: ContainerRecommendation['explanation'] = {};
  const hpa = input.hpaScalesOn ?? { cpu: false, memory: false };

  let cpuRequest: Recommended;
  const cpuPoints = sumPoints(input.usage, 'cpuPoints');
  const cpuMax = maxOver(input.usage, 'cpuPercentile');
  if (hpa.cpu && !settings.allowHpa) cpuRequest = { kind: 'hpa' };
  else if (!cpuMax) cpuRequest = { kind: 'none', reason: 'No data' };
  else if (cpuPoints < settings.pointsRequired) {
    cpuRequest = {
      kind: 'none',
      reason: `Not enough data (${cpuPoints} of ${settings.pointsRequired} points)`,
    };
  } else {
    cpuRequest = { kind: 'value', value: roundCpu(cpuMax.value, settings) };
  }
  if (cpuMax) {
    explanation.cpu = {
      percentile: settings.cpuPercentile,
      maxPod: cpuMax.pod,
      rawCores: cpuMax.value,
      points: cpuPoints,
      pods: input.usage.length,
    };
  }

  let memory: Recommended;
  const memoryPoints = sumPoints(input.usage, 'memoryPoints');
  const memoryMax = maxOver(input.usage, 'memoryMax');
  if (hpa.memory && !settings.allowHpa) memory = { kind: 'hpa' };
  else if (!memoryMax) memory = { kind: 'none', reason: 'No data' };
  else if (memoryPoints < settings.pointsRequired) {
    memory = {
      kind: 'none',
      reason: `Not enough data (${memoryPoints} of ${settings.pointsRequired} points)`,
    };
  } else {
    let raw = memoryMax.value * (1 + settings.memoryBufferRatio);
    let oomKill: { limitBytes: number; bufferRatio: number; bytes: number } | undefined;
    if (
      settings.useOomKillData &&
      input.lastOomKillLimitBytes !== undefined &&
      input.lastOomKillLimitBytes > 0
    ) {
      const bytes = input.lastOomKillLimitBytes * (1 + settings.oomBufferRatio);
      oomKill = { limitBytes: input.lastOomKillLimitBytes, bufferRatio: settings.oomBufferRatio, bytes };
      raw = Math.max(raw, bytes);
    }
    memory = { kind: 'value', value: roundMemory(raw, settings) };
    explanation.memory = {
      maxPod: memoryMax.pod,
      peakBytes: memoryMax.value,
      bufferRatio: settings.memoryBufferRatio,
      rawBytes: raw,
      points: memoryPoints,
      pods: input.usage.length,
      ...(oomKill ? { oomKill } : {}),
    };
  }
  if (memoryMax && !explanation.memory) {
    explanation.memory = {
      maxPod: memoryMax.pod,
      peakBytes: memoryMax.value,
      bufferRatio: settings.memoryBufferRatio,
      rawBytes: memoryMax.value * (1 + settings.memoryBufferRatio),
      points: memoryPoints,
      pods: input.usage.length,
    };
  }

  return { cpuRequest, cpuLimit: { kind: 'unset' }, memoryRequest: memory, memoryLimit: memory, explanation };
}

/** KRR's severity levels (models/severity.py). */
export type KrrSeverity = 'GOOD' | 'OK' | 'WARNING' | 'CRITICAL';

const ORDER: Record<KrrSeverity, number> = { GOOD: 0, OK: 1, WARNING: 2, CRITICAL: 3 };

export function worst(...levels: KrrSeverity[]): KrrSeverity {
  return levels.reduce<KrrSeverity>((a, b) => (ORDER[b] > ORDER[a] ? b : a), 'GOOD');
}

/**
 * By the gap between the current and the recommended value: CPU ≥ 0.5 core CRITICAL, ≥ 0.25
 * WARNING, ≥ 0.1 OK; memory ≥ 500Mi CRITICAL, ≥ 250Mi WARNING, ≥ 100Mi OK; otherwise GOOD. One side
 * unset and the other set is WARNING; both unset is GOOD. No recommendation (no data, HPA) is GOOD.
 */
export function severityOf(
  resource: 'cpu' | 'memory',
  current: number | undefined,
  recommended: Recommended,
): KrrSeverity {
  if (recommended.kind === 'none' || recommended.kind === 'hpa') return 'GOOD';
  const target = recommended.kind === 'value' ? recommended.value : undefined;
  if (current === undefined && target === undefined) return 'GOOD';
  if (current === undefined || target === undefined) return 'WARNING';
  // CPU compared in whole millicores, so 0.35 − 0.25 is 100m and not 0.0999… cores.
  const gap = resource === 'cpu' ? Math.round(Math.abs(current - target) * 1000) : Math.abs(current - target);
  const [critical, warning, ok] = resource === 'cpu' ? [500, 250, 100] : [500 * MIB, 250 * MIB, 100 * MIB];
  if (gap >= critical) return 'CRITICAL';
  if (gap >= warning) return 'WARNING';
  if (gap >= ok) return 'OK';
  return 'GOOD';
}

/** Kubernetes quantity strings for a recommendation: `123m`, `512Mi`. */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

export function formatMemory(bytes: number): string {
  const mib = Math.round(bytes / MIB);
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

export function describeRecommended(value: Recommended, format: (n: number) => string): string {
  switch (value.kind) {
    case 'value':
      return format(value.value);
    case 'hpa':
      return '?';
    case 'unset':
      return 'unset';
    case 'none':
      return value.reason;
  }
}
