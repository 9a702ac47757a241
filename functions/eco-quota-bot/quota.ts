// ResourceQuota use as the kubernetes-mixin judges it (alerts/resource_alerts.libsonnet):
//   KubeQuotaAlmostFull  used / hard > 0.9 and < 1   (info, for 15 m)
//   KubeQuotaFullyUsed   used / hard == 1            (info, for 15 m)
//   KubeQuotaExceeded    used / hard > 1             (warning, for 15 m)
// The bot reads the quota's status once per run, so the `for: 15m` is the cron's business.
// Raising a quota (opt-in): to the used amount / 0.8 (back to 80 % used), capped at the tier's bound.

export type QuotaState = 'ok' | 'almost-full' | 'full' | 'exceeded';

export interface QuotaLine {
  resource: string;
  used: number;
  hard: number;
  /** used / hard; Infinity when hard is 0 and something is used. */
  ratio: number;
  state: QuotaState;
  usedText: string;
  hardText: string;
}

export const ALMOST_FULL = 0.9;
export const RAISE_TARGET_RATIO = 0.8;

export function quotaState(used: number, hard: number): QuotaState {
  if (hard <= 0) return used > 0 ? 'exceeded' : 'full';
  const ratio = used / hard;
  // Compared with a tolerance: quantities like 0.3 cores add up to 0.30000000000000004.
  if (Math.abs(ratio - 1) < 1e-9) return 'full';
  if (ratio > 1) return 'exceeded';
  if (ratio > ALMOST_FULL) return 'almost-full';
  return 'ok';
}

/** Each resource of a quota's status with its state (resources missing from `used` count as 0). */
export function quotaLines(
  status: { hard?: Record<string, string>; used?: Record<string, string> } | undefined,
  parse: (quantity: string | undefined) => number | undefined,
): QuotaLine[] {
  const lines: QuotaLine[] = [];
  for (const [resource, hardText] of Object.entries(status?.hard ?? {})) {
    const hard = parse(hardText);
    if (hard === undefined) continue;
    const usedText = status?.used?.[resource] ?? '0';
    const used = parse(usedText) ?? 0;
    lines.push({
      resource,
      used,
      hard,
      ratio: hard > 0 ? used / hard : used > 0 ? Number.POSITIVE_INFINITY : 1,
      state: quotaState(used, hard),
      usedText,
      hardText,
    });
  }
  return lines.sort((a, b) => a.resource.localeCompare(b.resource));
}

export const SEVERITY_OF_STATE = {
  'almost-full': 'info',
  full: 'info',
  exceeded: 'warning',
} as const;

/** The most a tier's namespace may get per quota resource, in plain numbers (cores, bytes, counts). */
export type TierBounds = Record<string, number>;

const GI = 2 ** 30;

/** Defaults per seed tier; a setting overrides them. */
export const DEFAULT_TIER_BOUNDS: Readonly<Record<'small' | 'medium' | 'large', TierBounds>> = Object.freeze({
  small: {
    'requests.cpu': 4,
    'limits.cpu': 8,
    'requests.memory': 8 * GI,
    'limits.memory': 16 * GI,
    pods: 50,
  },
  medium: {
    'requests.cpu': 16,
    'limits.cpu': 32,
    'requests.memory': 32 * GI,
    'limits.memory': 64 * GI,
    pods: 200,
  },
  large: {
    'requests.cpu': 64,
    'limits.cpu': 128,
    'requests.memory': 128 * GI,
    'limits.memory': 256 * GI,
    pods: 1000,
  },
});

/**
 * The new hard value for a line at or over 90 %: used / 0.8, rounded up to a clean step (whole
 * cores above 1, 100m below; 256Mi for memory; whole counts), capped at the tier's bound. Undefined
 * when no raise is possible or needed.
 */
export function proposedHard(line: QuotaLine, bound: number | undefined): number | undefined {
  if (line.state === 'ok') return undefined;
  if (bound === undefined) return undefined;
  const wanted = roundUpForResource(line.resource, Math.max(line.used, line.hard) / RAISE_TARGET_RATIO);
  const next = Math.min(wanted, bound);
  return next > line.hard ? next : undefined;
}

function roundUpForResource(resource: string, value: number): number {
  if (/cpu$/.test(resource)) return value > 1 ? Math.ceil(value) : Math.ceil(value * 10) / 10;
  if (/memory$|storage$|ephemeral-storage$/.test(resource))
    return Math.ceil(value / (256 * 2 ** 20)) * 256 * 2 ** 20;
  return Math.ceil(value);
}

/** Formats a plain number back as a quantity for the resource (cores, bytes, count). */
export function formatQuota(resource: string, value: number): string {
  if (/cpu$/.test(resource)) {
    const milli = Math.round(value * 1000);
    return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
  }
  if (/memory$|storage$/.test(resource)) {
    const mi = Math.round(value / 2 ** 20);
    return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
  }
  return String(Math.round(value));
}

/** Namespaces the quota check leaves alone (system ones) unless named. */
export const SYSTEM_NAMESPACE = /^(kube-|openshift-|knative-|istio-|cert-manager$|monitoring$|default$)/;
