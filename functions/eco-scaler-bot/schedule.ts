// kube-downscaler's time specs and decisions (hjacobs/kube-downscaler README and scaler.py, with the
// maintained forks' behaviour where the original was silent):
// - a spec is `always`, `never`, or a comma-separated list of
//   recurring ranges `Mon-Fri 07:30-20:30 Europe/Berlin` (day range inclusive, may wrap: `Fri-Mon`;
//   end time exclusive, `24:00` allowed; a time range may cross midnight) or
//   absolute ranges `2026-12-24T00:00:00+01:00-2026-12-27T00:00:00+01:00`;
// - downtime takes precedence over uptime: with a downtime spec, it is uptime unless the downtime
//   matches; otherwise it is uptime when the uptime spec matches;
// - on scale-down the old count is saved in `downscaler/original-replicas` and restored at uptime;
//   `downscaler/downtime-replicas` (default 0); 15 minutes grace for new objects; `exclude` and
//   `exclude-until`; `force-uptime`; CronJobs are suspended instead of scaled.

export const ANNOTATION = Object.freeze({
  uptime: 'downscaler/uptime',
  downtime: 'downscaler/downtime',
  originalReplicas: 'downscaler/original-replicas',
  downtimeReplicas: 'downscaler/downtime-replicas',
  forceUptime: 'downscaler/force-uptime',
});

export const GRACE_PERIOD_MS = 15 * 60 * 1000;

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

type Recurring = {
  kind: 'recurring';
  dayFrom: number;
  dayTo: number;
  from: number;
  to: number;
  timeZone: string;
};
type Absolute = { kind: 'absolute'; from: number; to: number };
export type TimeRange = Recurring | Absolute;
export type TimeSpec = { kind: 'always' } | { kind: 'never' } | { kind: 'ranges'; ranges: TimeRange[] };

export class TimeSpecError extends Error {
  override name = 'TimeSpecError';
}

const RECURRING = /^([A-Za-z]{3})-([A-Za-z]{3}) (\d{2}):(\d{2})-(\d{2}):(\d{2}) ([A-Za-z0-9_+\-/]+)$/;
const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2})?(?:Z|[+-]\\d{2}:\\d{2})';
const ABSOLUTE = new RegExp(`^(${ISO})-(${ISO})$`);

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Parses a spec; throws TimeSpecError naming the bad part. */
export function parseTimeSpec(text: string): TimeSpec {
  const spec = text.trim();
  if (spec.toLowerCase() === 'always') return { kind: 'always' };
  if (spec.toLowerCase() === 'never') return { kind: 'never' };
  const ranges: TimeRange[] = [];
  for (const part of spec.split(',').map((p) => p.trim())) {
    const recurring = RECURRING.exec(part);
    if (recurring) {
      const [, d1, d2, h1, m1, h2, m2, zone] = recurring as unknown as string[];
      const dayFrom = DAYS.findIndex((d) => d.toLowerCase() === d1!.toLowerCase());
      const dayTo = DAYS.findIndex((d) => d.toLowerCase() === d2!.toLowerCase());
      if (dayFrom < 0 || dayTo < 0) throw new TimeSpecError(`"${part}": days are Mon..Sun`);
      const from = Number(h1) * 60 + Number(m1);
      const to = Number(h2) * 60 + Number(m2);
      if (Number(m1) > 59 || Number(m2) > 59 || from > 24 * 60 || to > 24 * 60) {
        throw new TimeSpecError(`"${part}": times are HH:MM from 00:00 to 24:00`);
      }
      if (!validTimeZone(zone!)) throw new TimeSpecError(`"${part}": unknown time zone "${zone}"`);
      ranges.push({ kind: 'recurring', dayFrom, dayTo, from, to, timeZone: zone! });
      continue;
    }
    const absolute = ABSOLUTE.exec(part);
    if (absolute) {
      const from = Date.parse(absolute[1]!);
      const to = Date.parse(absolute[2]!);
      if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
        throw new TimeSpecError(`"${part}": an absolute range needs two ISO 8601 times, the second later`);
      }
      ranges.push({ kind: 'absolute', from, to });
      continue;
    }
    throw new TimeSpecError(
      `"${part}" is neither "Mon-Fri 07:30-20:30 Europe/Berlin" nor "2026-12-24T00:00:00+00:00-2026-12-27T00:00:00+00:00"`,
    );
  }
  return { kind: 'ranges', ranges };
}

/** Weekday (0 = Mon) and minute of the day of `now` in a time zone. */
function localTime(now: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return { day: DAYS.indexOf(get('weekday')), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

function dayInRange(day: number, from: number, to: number): boolean {
  return from <= to ? day >= from && day <= to : day >= from || day <= to;
}

function matchesRange(range: TimeRange, now: Date): boolean {
  if (range.kind === 'absolute') return now.getTime() >= range.from && now.getTime() < range.to;
  const { day, minute } = localTime(now, range.timeZone);
  if (range.from <= range.to)
    return dayInRange(day, range.dayFrom, range.dayTo) && minute >= range.from && minute < range.to;
  // Crosses midnight: the evening belongs to a listed day, the early morning to the day after one.
  if (minute >= range.from) return dayInRange(day, range.dayFrom, range.dayTo);
  if (minute < range.to) return dayInRange((day + 6) % 7, range.dayFrom, range.dayTo);
  return false;
}

export function matchesTimeSpec(spec: TimeSpec, now: Date): boolean {
  if (spec.kind === 'always') return true;
  if (spec.kind === 'never') return false;
  return spec.ranges.some((range) => matchesRange(range, now));
}

export interface ScheduleInput {
  kind: 'Deployment' | 'StatefulSet' | 'CronJob';
  annotations: Readonly<Record<string, string>>;
  creationTimestamp?: string;
  /** Deployments/StatefulSets. */
  replicas?: number;
  /** CronJobs. */
  suspended?: boolean;
  /** Namespace annotations: the schedule when the object has none. */
  namespaceAnnotations?: Readonly<Record<string, string>>;
  /** The bot's defaults (settings), used when neither object nor namespace has a spec. */
  defaultUptime?: string;
  defaultDowntime?: string;
  defaultDowntimeReplicas?: number;
}

export type ScheduleDecision =
  | { action: 'none'; reason: string; uptime?: boolean }
  | { action: 'scale-down'; replicas: number; originalReplicas: number; reason: string }
  | { action: 'scale-up'; replicas: number; reason: string }
  | { action: 'suspend'; reason: string }
  | { action: 'resume'; reason: string };

/** Which spec applies, first match wins: object, then namespace, then the bot's defaults. */
function specFor(input: ScheduleInput, key: 'uptime' | 'downtime'): string | undefined {
  const annotation = ANNOTATION[key];
  return (
    input.annotations[annotation] ??
    input.namespaceAnnotations?.[annotation] ??
    (key === 'uptime' ? input.defaultUptime : input.defaultDowntime)
  );
}

export function isUptime(input: ScheduleInput, now: Date): { uptime: boolean; why: string } {
  if (
    input.annotations[ANNOTATION.forceUptime] === 'true' ||
    input.namespaceAnnotations?.[ANNOTATION.forceUptime] === 'true'
  ) {
    return { uptime: true, why: `${ANNOTATION.forceUptime} is true` };
  }
  const downtime = specFor(input, 'downtime');
  if (downtime !== undefined && downtime.trim().toLowerCase() !== 'never') {
    const inDowntime = matchesTimeSpec(parseTimeSpec(downtime), now);
    return {
      uptime: !inDowntime,
      why: `downtime "${downtime}" ${inDowntime ? 'matches' : 'does not match'}`,
    };
  }
  const uptime = specFor(input, 'uptime');
  if (uptime === undefined) return { uptime: true, why: 'no uptime or downtime spec' };
  const inUptime = matchesTimeSpec(parseTimeSpec(uptime), now);
  return { uptime: inUptime, why: `uptime "${uptime}" ${inUptime ? 'matches' : 'does not match'}` };
}

/** What kube-downscaler would do with this object now. Throws TimeSpecError on a bad spec. */
export function decide(input: ScheduleInput, now: Date): ScheduleDecision {
  const { uptime, why } = isUptime(input, now);
  const original = input.annotations[ANNOTATION.originalReplicas];
  const created = input.creationTimestamp ? Date.parse(input.creationTimestamp) : Number.NaN;
  const inGrace = !Number.isNaN(created) && now.getTime() - created < GRACE_PERIOD_MS;

  if (input.kind === 'CronJob') {
    if (uptime) {
      // Only resume what the bot suspended (it marks that with original-replicas).
      if (input.suspended && original !== undefined) return { action: 'resume', reason: `uptime: ${why}` };
      return { action: 'none', reason: `uptime: ${why}`, uptime };
    }
    if (input.suspended) return { action: 'none', reason: 'already suspended', uptime };
    if (inGrace) return { action: 'none', reason: 'created less than 15 minutes ago (grace period)', uptime };
    return { action: 'suspend', reason: `downtime: ${why}` };
  }

  const replicas = input.replicas ?? 1;
  const rawTarget =
    input.annotations[ANNOTATION.downtimeReplicas] ??
    input.namespaceAnnotations?.[ANNOTATION.downtimeReplicas];
  const downtimeReplicas =
    rawTarget !== undefined && /^\d+$/.test(rawTarget.trim())
      ? Number(rawTarget)
      : (input.defaultDowntimeReplicas ?? 0);
  if (uptime) {
    if (original === undefined) return { action: 'none', reason: `uptime: ${why}`, uptime };
    const restore = Number(original);
    if (!Number.isInteger(restore) || restore < 0)
      return {
        action: 'none',
        reason: `${ANNOTATION.originalReplicas} "${original}" is not a count`,
        uptime,
      };
    if (restore === replicas) return { action: 'none', reason: 'already at the original replicas', uptime };
    return {
      action: 'scale-up',
      replicas: restore,
      reason: `uptime: ${why}; restoring ${ANNOTATION.originalReplicas}=${restore}`,
    };
  }
  if (replicas <= downtimeReplicas)
    return { action: 'none', reason: `downtime: already at ${replicas} replicas`, uptime };
  if (inGrace) return { action: 'none', reason: 'created less than 15 minutes ago (grace period)', uptime };
  return {
    action: 'scale-down',
    replicas: downtimeReplicas,
    originalReplicas: replicas,
    reason: `downtime: ${why}`,
  };
}

/** Robusta's HPA suggestion: raise maxReplicas by 20 %, at least by one. */
export function raisedMaxReplicas(maxReplicas: number, increase = 0.2): number {
  return Math.max(maxReplicas + 1, Math.ceil(maxReplicas * (1 + increase)));
}

export interface HpaLike {
  spec?: {
    maxReplicas?: number;
    minReplicas?: number;
    scaleTargetRef?: { kind?: string; name?: string; apiVersion?: string };
  };
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

/** An HPA at maxReplicas whose ScalingLimited condition is True (it wants more than max). */
export function atMaxAndLimited(hpa: HpaLike): boolean {
  const max = hpa.spec?.maxReplicas;
  const current = hpa.status?.currentReplicas;
  if (max === undefined || current === undefined || current < max) return false;
  return (hpa.status?.conditions ?? []).some((c) => c.type === 'ScalingLimited' && c.status === 'True');
}
