// One mapping's sync decision, as External Secrets Operator makes it: read OpenBao, build the
// Secret's data, and create or update only when it differs. The returned manifest carries secret
// values and goes only to the Kubernetes API; everything else in a plan (keys, versions, reasons)
// is safe to report.
import type { SyncMapping } from './mapping.ts';
import { ANNOTATIONS } from './mapping.ts';

export const MANAGED_BY_LABEL = { 'app.kubernetes.io/managed-by': 'eco-secrets-bot' } as const;

/** What OpenBao answered for the mapping's path (the client's KvReadResult, narrowed to what is needed). */
export type SourceRead =
  | { status: 'ok'; data: Record<string, unknown>; version: number }
  | { status: 'deleted' | 'destroyed'; version: number }
  | { status: 'missing' };

export interface ExistingSecret {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  type?: string;
  data?: Record<string, string>;
}

export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    resourceVersion?: string;
  };
  type: string;
  data: Record<string, string>;
}

export type SyncAction = 'create' | 'update' | 'none' | 'skip';

export interface SyncPlan {
  action: SyncAction;
  /** Safe to report: no values. */
  reason: string;
  /** Target keys whose value changes, is added or removed (names only). */
  changedKeys: string[];
  /** OpenBao keys the mapping asks for that the secret lacks. */
  missingKeys: string[];
  sourceVersion?: number;
  /** The Secret to write (create/update only). Holds values: never report or log it. */
  manifest?: SecretManifest;
}

/** Secret data values are strings; nested values are written as JSON, as ESO does. */
function asString(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function selectKeys(
  data: Record<string, unknown>,
  keys: Record<string, string> | undefined,
): { values: Record<string, string>; missing: string[] } {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  const pairs = keys ? Object.entries(keys) : Object.keys(data).map((k) => [k, k] as [string, string]);
  for (const [target, source] of pairs) {
    if (data[source] === undefined || data[source] === null) missing.push(source);
    else values[target] = asString(data[source]);
  }
  return { values, missing };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Whether the bot may write this Secret: it made it, or the Secret itself asks (annotations). */
export function ownsSecret(existing: ExistingSecret): boolean {
  return (
    existing.metadata.labels?.['app.kubernetes.io/managed-by'] ===
      MANAGED_BY_LABEL['app.kubernetes.io/managed-by'] ||
    existing.metadata.annotations?.[ANNOTATIONS.path] !== undefined
  );
}

export function planSync(
  mapping: SyncMapping,
  existing: ExistingSecret | undefined,
  source: SourceRead,
  now: Date,
): SyncPlan {
  const base = { changedKeys: [] as string[], missingKeys: [] as string[] };
  if (existing && !ownsSecret(existing))
    return {
      ...base,
      action: 'skip',
      reason: `Secret ${mapping.namespace}/${mapping.target} exists and is not managed by eco-secrets-bot`,
    };
  if (source.status === 'missing')
    return { ...base, action: 'skip', reason: `nothing at ${mapping.path} in OpenBao` };
  if (source.status !== 'ok')
    // ESO keeps the last synced Secret when the source goes away (deletionPolicy Retain); so does the bot.
    return {
      ...base,
      action: 'skip',
      reason: `version ${source.version} of ${mapping.path} is ${source.status} in OpenBao; the Secret is kept`,
      sourceVersion: source.version,
    };
  const { values, missing } = selectKeys(source.data, mapping.keys);
  if (mapping.keys && missing.length)
    return {
      ...base,
      action: 'skip',
      reason: `${mapping.path} has no key(s) ${missing.join(', ')}`,
      missingKeys: missing,
      sourceVersion: source.version,
    };
  const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, b64(v)]));
  const old = existing?.data ?? {};
  const changedKeys = [...new Set([...Object.keys(data), ...Object.keys(old)])]
    .filter((k) => data[k] !== old[k])
    .sort();
  const typeChanged = existing !== undefined && (existing.type ?? 'Opaque') !== mapping.type;
  if (existing && changedKeys.length === 0 && !typeChanged)
    return { ...base, action: 'none', reason: 'in sync', sourceVersion: source.version };
  const annotations: Record<string, string> = {
    ...(existing?.metadata.annotations ?? {}),
    [ANNOTATIONS.syncedVersion]: String(source.version),
    [ANNOTATIONS.syncedAt]: now.toISOString(),
    [ANNOTATIONS.syncedPath]: mapping.path,
  };
  const manifest: SecretManifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: mapping.target,
      namespace: mapping.namespace,
      labels: {
        ...(existing?.metadata.labels ?? {}),
        ...(existing && !existing.metadata.labels?.['app.kubernetes.io/managed-by'] ? {} : MANAGED_BY_LABEL),
      },
      annotations,
      ...(existing?.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
    },
    type: existing?.type ?? mapping.type,
    data,
  };
  return {
    action: existing ? 'update' : 'create',
    reason: existing
      ? `OpenBao version ${source.version} differs in ${changedKeys.length} key(s)`
      : `create from OpenBao version ${source.version}`,
    changedKeys,
    missingKeys: [],
    sourceVersion: source.version,
    manifest,
  };
}

/**
 * Whether a mapping needs a data read this run: never synced, OpenBao has another version than the
 * one synced, or the refresh interval has passed since the last sync.
 */
export function isDue(
  mapping: SyncMapping,
  existing: ExistingSecret | undefined,
  currentVersion: number | undefined,
  now: Date,
): boolean {
  const a = existing?.metadata.annotations ?? {};
  const syncedVersion = Number(a[ANNOTATIONS.syncedVersion]);
  const syncedAt = Date.parse(a[ANNOTATIONS.syncedAt] ?? '');
  if (!existing || !Number.isFinite(syncedVersion) || Number.isNaN(syncedAt)) return true;
  const wanted = mapping.version ?? currentVersion;
  if (wanted !== undefined && wanted !== syncedVersion) return true;
  if (a[ANNOTATIONS.syncedPath] !== mapping.path) return true;
  return mapping.refreshMs > 0 && now.getTime() - syncedAt >= mapping.refreshMs;
}
