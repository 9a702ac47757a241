// Maintenance windows and freezes: one vocabulary for the whole fleet, read by the rails. Outside a
// window, or inside a freeze, every disruptive action (evict, cordon, restart, scale, delete of a
// workload, a patch a bot marks disruptive such as an image change) is skipped with the reason;
// reads, findings and non-disruptive writes go on.
//
// Where the policy comes from:
// - the ConfigMap `eco-maintenance` in the fleet's namespace (ECO_FLEET_NAMESPACE, default eco-bots),
//   key `policy` (YAML-free JSON: { "windows": [...], "freezes": [...] }), for the whole cluster;
// - per namespace, annotations: `eco.bsw-arch.org/maintenance-window: "Sat,Sun 02:00-05:00 Europe/Berlin"`
//   (several separated by `;`), `eco.bsw-arch.org/freeze-until: <RFC3339>` with an optional
//   `eco.bsw-arch.org/freeze-reason`. A namespace's windows replace the cluster's for its objects.
// No window anywhere means "any time"; a freeze always wins.

export const MAINTENANCE_CONFIGMAP = 'eco-maintenance';
export const WINDOW_ANNOTATION = 'eco.bsw-arch.org/maintenance-window';
export const FREEZE_UNTIL_ANNOTATION = 'eco.bsw-arch.org/freeze-until';
export const FREEZE_REASON_ANNOTATION = 'eco.bsw-arch.org/freeze-reason';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];

export interface MaintenanceWindow {
  /** Days the window opens on (in its time zone), e.g. ['sat', 'sun']; empty = every day. */
  days: Day[];
  /** Minutes after midnight; `end` <= `start` means the window runs past midnight. */
  start: number;
  end: number;
  timezone: string;
}

export interface Freeze {
  from?: Date;
  until: Date;
  reason: string;
}

export interface MaintenancePolicy {
  windows: MaintenanceWindow[];
  freezes: Freeze[];
}

export const EMPTY_POLICY: MaintenancePolicy = Object.freeze({ windows: [], freezes: [] });

function parseTime(text: string): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (m === null) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h <= 24 && min < 60 && h * 60 + min <= 1440 ? h * 60 + min : undefined;
}

function parseDays(spec: string): Day[] {
  const out = new Set<Day>();
  for (const part of spec
    .toLowerCase()
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const range = part.split('-').map((d) => d.slice(0, 3));
    const from = DAYS.indexOf(range[0] as Day);
    const to = range.length > 1 ? DAYS.indexOf(range[1] as Day) : from;
    if (from < 0 || to < 0) throw new Error(`"${part}" is not a day or day range (Mon-Fri, Sat,Sun)`);
    for (let i = from; ; i = (i + 1) % 7) {
      out.add(DAYS[i] as Day);
      if (i === to) break;
    }
  }
  return [...out];
}

function checkZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new Error(`"${zone}" is not a time zone`);
  }
  return zone;
}

/** `Sat,Sun 02:00-05:00 Europe/Berlin`, `Mon-Fri 22:00-04:00 UTC`, `02:00-04:00` (every day, UTC). */
export function parseWindow(text: string): MaintenanceWindow {
  const parts = text.trim().split(/\s+/);
  const timeIndex = parts.findIndex((p) => /^\d{1,2}:\d{2}-\d{1,2}:\d{2}$/.test(p));
  if (timeIndex < 0) throw new Error(`"${text}" has no HH:MM-HH:MM time range`);
  const [startText = '', endText = ''] = (parts[timeIndex] ?? '').split('-');
  const start = parseTime(startText);
  const end = parseTime(endText);
  if (start === undefined || end === undefined)
    throw new Error(`"${parts[timeIndex] ?? ''}" is not a time range`);
  const days = timeIndex > 0 ? parseDays(parts.slice(0, timeIndex).join(',')) : [];
  const timezone = checkZone(parts[timeIndex + 1] ?? 'UTC');
  return { days, start, end, timezone };
}

interface RawWindow {
  days?: string | string[];
  start?: string;
  end?: string;
  timezone?: string;
}
interface RawFreeze {
  from?: string;
  until?: string;
  reason?: string;
}

/** The ConfigMap's `policy` JSON; throws an Error naming what is wrong. */
export function parsePolicy(json: string): MaintenancePolicy {
  let raw: { windows?: RawWindow[]; freezes?: RawFreeze[] };
  try {
    raw = JSON.parse(json) as typeof raw;
  } catch (error) {
    throw new Error(`policy is not JSON: ${(error as Error).message}`);
  }
  const windows = (raw.windows ?? []).map((w, i) => {
    const start = parseTime(w.start ?? '');
    const end = parseTime(w.end ?? '');
    if (start === undefined || end === undefined) throw new Error(`windows[${i}]: start/end must be HH:MM`);
    const days = w.days === undefined ? [] : parseDays([w.days].flat().join(','));
    return { days, start, end, timezone: checkZone(w.timezone ?? 'UTC') };
  });
  const freezes = (raw.freezes ?? []).map((f, i) => {
    const until = new Date(f.until ?? '');
    if (Number.isNaN(until.getTime())) throw new Error(`freezes[${i}]: until must be an RFC 3339 time`);
    const from = f.from === undefined ? undefined : new Date(f.from);
    if (from !== undefined && Number.isNaN(from.getTime()))
      throw new Error(`freezes[${i}]: from must be an RFC 3339 time`);
    return { ...(from === undefined ? {} : { from }), until, reason: f.reason ?? 'change freeze' };
  });
  return { windows, freezes };
}

/** A namespace's own windows and freeze, from its annotations (undefined parts: none declared). */
export function namespacePolicy(
  annotations: Readonly<Record<string, string>> | undefined,
): Partial<MaintenancePolicy> {
  const out: Partial<MaintenancePolicy> = {};
  const windows = annotations?.[WINDOW_ANNOTATION];
  if (windows !== undefined && windows.trim() !== '')
    out.windows = windows
      .split(';')
      .filter((w) => w.trim() !== '')
      .map(parseWindow);
  const until = annotations?.[FREEZE_UNTIL_ANNOTATION];
  if (until !== undefined) {
    const date = new Date(until);
    if (Number.isNaN(date.getTime()))
      throw new Error(`${FREEZE_UNTIL_ANNOTATION} "${until}" is not an RFC 3339 time`);
    out.freezes = [{ until: date, reason: annotations?.[FREEZE_REASON_ANNOTATION] ?? 'namespace freeze' }];
  }
  return out;
}

function localParts(now: Date, timezone: string): { day: Day; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: get('weekday').toLowerCase().slice(0, 3) as Day,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

/** Whether `now` falls in the window (a window past midnight belongs to the day it opened on). */
export function inWindow(window: MaintenanceWindow, now: Date): boolean {
  const { day, minutes } = localParts(now, window.timezone);
  const opensOn = (d: Day): boolean => window.days.length === 0 || window.days.includes(d);
  if (window.start < window.end) return opensOn(day) && minutes >= window.start && minutes < window.end;
  // Overnight: the evening part on an opening day, or the morning part the day after one.
  const yesterday = DAYS[(DAYS.indexOf(day) + 6) % 7] as Day;
  return (opensOn(day) && minutes >= window.start) || (opensOn(yesterday) && minutes < window.end);
}

export function formatWindow(window: MaintenanceWindow): string {
  const hhmm = (m: number): string =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const days = window.days.length === 0 ? 'daily' : window.days.join(',');
  return `${days} ${hhmm(window.start)}-${hhmm(window.end)} ${window.timezone}`;
}

/**
 * Why a disruptive action may not run now, or undefined when it may. The namespace's windows replace
 * the cluster's; freezes from both apply.
 */
export function maintenanceBlock(
  cluster: MaintenancePolicy,
  namespace: Partial<MaintenancePolicy>,
  now: Date,
): string | undefined {
  const t = now.getTime();
  for (const freeze of [...cluster.freezes, ...(namespace.freezes ?? [])]) {
    if ((freeze.from === undefined || freeze.from.getTime() <= t) && t < freeze.until.getTime())
      return `freeze: ${freeze.reason} (until ${freeze.until.toISOString()})`;
  }
  const windows = namespace.windows ?? cluster.windows;
  if (windows.length === 0 || windows.some((w) => inWindow(w, now))) return undefined;
  return `outside-maintenance-window: next allowed ${windows.map(formatWindow).join('; ')}`;
}
