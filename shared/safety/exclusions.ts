import { ConfigError } from '../errors/config-error.ts';
// The fleet's one exclusion vocabulary (ARCHITECTURE.md section 6), as pure functions.
//
// Two different things live in these annotations:
// - Opt-out ("exclude"): `eco.bsw-arch.org/exclude: "true"`, `eco.bsw-arch.org/exclude-until: <RFC3339>`,
//   legacy `downscaler/exclude` and `downscaler/exclude-until`. Honoured on the object or its namespace.
// - Lifetime ("ttl"): `eco.bsw-arch.org/ttl`, `eco.bsw-arch.org/expires`, legacy `janitor/ttl`,
//   `janitor/expires`. The owner declared how long the object lives: before that no bot mutates it
//   (it is excluded), after it the cleanup bot deletes it. Lifetime is read on the object only: a
//   namespace's ttl is the namespace's own lifetime, not a statement about its contents.
// Unparsable values fail safe: the object is excluded and the reason names the bad annotation.
import type { Exclusion } from './types.ts';
import type { KubeObject } from '../k8s/types.ts';

export const ANNOTATIONS = Object.freeze({
  exclude: 'eco.bsw-arch.org/exclude',
  excludeUntil: 'eco.bsw-arch.org/exclude-until',
  ttl: 'eco.bsw-arch.org/ttl',
  expires: 'eco.bsw-arch.org/expires',
  janitorTtl: 'janitor/ttl',
  janitorExpires: 'janitor/expires',
  downscalerExclude: 'downscaler/exclude',
  downscalerExcludeUntil: 'downscaler/exclude-until',
});

export const DEFAULT_PROTECTED_NAMESPACES = Object.freeze([
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'eco-bots',
]);

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * kube-janitor's duration syntax: an integer and one unit of s|m|h|d|w, or `forever`.
 * Returns milliseconds, 'forever', or undefined when invalid.
 */
export function parseJanitorDuration(value: string): number | 'forever' | undefined {
  const text = value.trim();
  if (text === 'forever') return 'forever';
  const match = /^(\d+)([smhdw])$/.exec(text);
  if (!match) return undefined;
  const unit = UNIT_MS[match[2] ?? ''];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/**
 * kube-janitor's expiry formats: `YYYY-MM-DDTHH:MM:SSZ`, `YYYY-MM-DDTHH:MM`, `YYYY-MM-DD` (midnight UTC);
 * plus full RFC 3339 with an offset or fraction. Times without a zone are UTC.
 */
export function parseExpiry(value: string): Date | undefined {
  const text = value.trim();
  let iso: string | undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) iso = `${text}T00:00:00Z`;
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text)) iso = `${text}:00Z`;
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text)) iso = `${text}Z`;
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) iso = text;
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** `exclude: "true"`-style flag; anything but true/false (any case) is invalid. */
function parseFlag(value: string): boolean | undefined {
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false' || text === '') return false;
  return undefined;
}

/** Opt-out annotations on one object (object or namespace). */
export function optOut(
  annotations: Readonly<Record<string, string>> | undefined,
  now: Date,
  where: string,
): Exclusion {
  if (!annotations) return { excluded: false };
  for (const key of [ANNOTATIONS.exclude, ANNOTATIONS.downscalerExclude]) {
    const value = annotations[key];
    if (value === undefined) continue;
    const flag = parseFlag(value);
    if (flag === undefined)
      return { excluded: true, reason: `invalid ${key}="${value}" on ${where} (treated as excluded)` };
    if (flag) return { excluded: true, reason: `${key}=true on ${where}` };
  }
  for (const key of [ANNOTATIONS.excludeUntil, ANNOTATIONS.downscalerExcludeUntil]) {
    const value = annotations[key];
    if (value === undefined) continue;
    const until = parseExpiry(value);
    if (!until)
      return { excluded: true, reason: `invalid ${key}="${value}" on ${where} (treated as excluded)` };
    if (until.getTime() > now.getTime()) return { excluded: true, reason: `${key}=${value} on ${where}` };
  }
  return { excluded: false };
}

export type Lifetime =
  | { kind: 'none' }
  /** The annotation could not be parsed: never delete on it, and exclude the object (fail safe). */
  | { kind: 'invalid'; key: string; value: string }
  | { kind: 'forever'; key: string }
  | { kind: 'deadline'; key: string; value: string; at: Date; expired: boolean };

/**
 * The object's declared lifetime. TTLs count from creationTimestamp (kube-janitor); with several
 * annotations the earliest deadline wins; an invalid value makes the whole lifetime invalid.
 */
export function lifetimeOf(object: KubeObject, now: Date): Lifetime {
  const annotations = object.metadata.annotations;
  if (!annotations) return { kind: 'none' };
  const deadlines: { key: string; value: string; at: Date }[] = [];
  let forever: string | undefined;
  for (const key of [ANNOTATIONS.ttl, ANNOTATIONS.janitorTtl]) {
    const value = annotations[key];
    if (value === undefined) continue;
    const duration = parseJanitorDuration(value);
    if (duration === undefined) return { kind: 'invalid', key, value };
    if (duration === 'forever') {
      forever ??= key;
      continue;
    }
    const created = Date.parse(object.metadata.creationTimestamp ?? '');
    // Without a creation time the age is unknown: do not guess.
    if (Number.isNaN(created)) return { kind: 'invalid', key, value };
    deadlines.push({ key, value, at: new Date(created + duration) });
  }
  for (const key of [ANNOTATIONS.expires, ANNOTATIONS.janitorExpires]) {
    const value = annotations[key];
    if (value === undefined) continue;
    const at = parseExpiry(value);
    if (!at) return { kind: 'invalid', key, value };
    deadlines.push({ key, value, at });
  }
  if (deadlines.length === 0) return forever ? { kind: 'forever', key: forever } : { kind: 'none' };
  const first = deadlines.reduce((a, b) => (b.at.getTime() < a.at.getTime() ? b : a));
  return { ...first, kind: 'deadline', expired: first.at.getTime() <= now.getTime() };
}

/** Parses ECO_PROTECTED_NAMESPACES (comma-separated); unset or blank => the defaults. */
export function protectedNamespaces(value: string | undefined): ReadonlySet<string> {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = names.find((n) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(n));
  if (bad !== undefined)
    throw new ConfigError('ECO_PROTECTED_NAMESPACES', `"${bad}" is not a namespace name (DNS label)`);
  return new Set(names.length > 0 ? names : DEFAULT_PROTECTED_NAMESPACES);
}

export interface ExclusionInput {
  object: KubeObject;
  /** The object's namespace object, when namespaced and readable. */
  namespace?: KubeObject | undefined;
  protectedNamespaces: ReadonlySet<string>;
  now: Date;
}

/** Every exclusion rule, in order: protected namespace, object opt-out, namespace opt-out, lifetime. */
export function exclusionOf(input: ExclusionInput): Exclusion {
  const { object, namespace, now } = input;
  const ns = object.kind === 'Namespace' ? object.metadata.name : object.metadata.namespace;
  if (ns !== undefined && input.protectedNamespaces.has(ns)) {
    return { excluded: true, reason: `protected-namespace: ${ns}` };
  }
  const own = optOut(object.metadata.annotations, now, describe(object));
  if (own.excluded) return own;
  if (namespace && object.kind !== 'Namespace') {
    const inherited = optOut(namespace.metadata.annotations, now, `namespace ${namespace.metadata.name}`);
    if (inherited.excluded) return inherited;
  }
  const life = lifetimeOf(object, now);
  if (life.kind === 'invalid')
    return {
      excluded: true,
      reason: `invalid ${life.key}="${life.value}" on ${describe(object)} (treated as excluded)`,
    };
  if (life.kind === 'forever')
    return { excluded: true, reason: `${life.key}=forever on ${describe(object)}` };
  if (life.kind === 'deadline' && !life.expired) {
    return {
      excluded: true,
      reason: `${life.key}=${life.value} on ${describe(object)}: lives until ${life.at.toISOString()}`,
    };
  }
  return { excluded: false };
}

function describe(object: KubeObject): string {
  const kind = object.kind ?? 'object';
  return object.metadata.namespace
    ? `${kind} ${object.metadata.namespace}/${object.metadata.name}`
    : `${kind} ${object.metadata.name}`;
}
