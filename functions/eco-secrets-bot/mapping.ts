// Which OpenBao secrets go into which Kubernetes Secrets, declared the way External Secrets
// Operator users declare an ExternalSecret, without a CRD: either annotations on the target Secret,
// or a list in a ConfigMap labelled `eco.bsw-arch.org/openbao-sync: "true"` (key `mappings`, YAML or
// JSON). Targets are always in the declaring object's namespace (no cross-namespace writes).

export const SYNC_LABEL = 'eco.bsw-arch.org/openbao-sync';
export const MAPPINGS_KEY = 'mappings';
export const ANNOTATIONS = {
  path: 'eco.bsw-arch.org/openbao-path',
  keys: 'eco.bsw-arch.org/openbao-keys',
  refresh: 'eco.bsw-arch.org/openbao-refresh',
  version: 'eco.bsw-arch.org/openbao-version',
  mount: 'eco.bsw-arch.org/openbao-mount',
  /** Written by the bot on the Secrets it syncs. */
  syncedVersion: 'eco.bsw-arch.org/openbao-synced-version',
  syncedAt: 'eco.bsw-arch.org/openbao-synced-at',
  syncedPath: 'eco.bsw-arch.org/openbao-synced-path',
} as const;

/** ESO's default refreshInterval. */
export const DEFAULT_REFRESH_MS = 3_600_000;

export interface SyncMapping {
  namespace: string;
  /** Target Secret name. */
  target: string;
  /** KV v2 path inside the mount. */
  path: string;
  /** KV v2 mount; undefined = the bot's configured mount. */
  mount?: string;
  /** Target key -> OpenBao key; undefined = every key as is. */
  keys?: Record<string, string>;
  /** 0 = sync once, never refresh. */
  refreshMs: number;
  /** Pin a version; undefined = the current one. */
  version?: number;
  type: string;
  /** Where it was declared, for findings: `ConfigMap shop/openbao-sync`, `Secret shop/db (annotations)`. */
  declaredIn: string;
}

export interface ParsedMappings {
  mappings: SyncMapping[];
  errors: string[];
}

/** Go-style durations as ESO accepts them: `1h`, `15m`, `1h30m`, `90s`, `0`. */
export function parseRefresh(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return DEFAULT_REFRESH_MS;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '0') return 0;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  return (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** `a,b` (same names) or `target=source, ...`. */
export function parseKeys(value: unknown): Record<string, string> | undefined | 'invalid' {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) {
    if (!value.every((k) => typeof k === 'string' && k)) return 'invalid';
    return Object.fromEntries((value as string[]).map((k) => [k, k]));
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.every(([, v]) => typeof v === 'string' && v)) return 'invalid';
    return Object.fromEntries(entries as [string, string][]);
  }
  if (typeof value !== 'string') return 'invalid';
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const [target, source = target] = item.split('=').map((s) => s.trim());
    if (!target || !source) return 'invalid';
    out[target] = source;
  }
  return Object.keys(out).length ? out : undefined;
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function build(
  raw: Record<string, unknown>,
  namespace: string,
  declaredIn: string,
  errors: string[],
): SyncMapping | undefined {
  const where = `${declaredIn}: ${typeof raw['target'] === 'string' ? raw['target'] : '?'}`;
  const target = raw['target'];
  if (typeof target !== 'string' || !DNS_SUBDOMAIN.test(target) || target.length > 253) {
    errors.push(`${where}: target must be a Secret name`);
    return undefined;
  }
  const path = typeof raw['path'] === 'string' ? raw['path'].trim().replace(/^\/+|\/+$/g, '') : '';
  if (!path || path.includes('..')) {
    errors.push(`${where}: path must be a KV v2 secret path`);
    return undefined;
  }
  const refreshMs = parseRefresh(raw['refreshInterval']);
  if (refreshMs === undefined) {
    errors.push(`${where}: refreshInterval must be a duration like 1h, 15m or 0`);
    return undefined;
  }
  const keys = parseKeys(raw['keys']);
  if (keys === 'invalid' || (keys && !Object.keys(keys).every((k) => SECRET_KEY.test(k)))) {
    errors.push(`${where}: keys must be a list of names or target=source pairs of valid Secret keys`);
    return undefined;
  }
  let version: number | undefined;
  if (raw['version'] !== undefined && raw['version'] !== '') {
    version = Number(raw['version']);
    if (!Number.isInteger(version) || version < 1) {
      errors.push(`${where}: version must be a positive integer`);
      return undefined;
    }
  }
  const mount =
    typeof raw['mount'] === 'string' && raw['mount'].trim()
      ? raw['mount'].trim().replace(/^\/+|\/+$/g, '')
      : undefined;
  const type = typeof raw['type'] === 'string' && raw['type'] ? raw['type'] : 'Opaque';
  return {
    namespace,
    target,
    path,
    ...(mount ? { mount } : {}),
    ...(keys ? { keys } : {}),
    refreshMs,
    ...(version !== undefined ? { version } : {}),
    type,
    declaredIn,
  };
}

/**
 * JSON as is; anything else through the `yaml` package, loaded only then (it costs ~9 ms of cold
 * start, which a bot without YAML mappings should not pay).
 */
async function parseDocument(text: string): Promise<unknown> {
  try {
    return JSON.parse(text);
  } catch {
    const { parse } = await import('yaml');
    return parse(text);
  }
}

/** Mappings from a sync ConfigMap. */
export async function mappingsFromConfigMap(cm: {
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
}): Promise<ParsedMappings> {
  const namespace = cm.metadata.namespace ?? 'default';
  const declaredIn = `ConfigMap ${namespace}/${cm.metadata.name}`;
  const out: ParsedMappings = { mappings: [], errors: [] };
  const text = cm.data?.[MAPPINGS_KEY];
  if (text === undefined) {
    out.errors.push(`${declaredIn}: no "${MAPPINGS_KEY}" key`);
    return out;
  }
  let doc: unknown;
  try {
    doc = await parseDocument(text);
  } catch (e) {
    out.errors.push(
      `${declaredIn}: ${MAPPINGS_KEY} is not YAML or JSON: ${(e as Error).message.split('\n')[0]}`,
    );
    return out;
  }
  if (!Array.isArray(doc)) {
    out.errors.push(`${declaredIn}: ${MAPPINGS_KEY} must be a list`);
    return out;
  }
  const seen = new Set<string>();
  for (const item of doc) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      out.errors.push(`${declaredIn}: every mapping must be an object`);
      continue;
    }
    const m = build(item as Record<string, unknown>, namespace, declaredIn, out.errors);
    if (!m) continue;
    if (seen.has(m.target)) {
      out.errors.push(`${declaredIn}: ${m.target}: declared twice`);
      continue;
    }
    seen.add(m.target);
    out.mappings.push(m);
  }
  return out;
}

/** A mapping from annotations on the target Secret itself (undefined when it has none). */
export function mappingFromSecret(secret: {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  type?: string;
}): ParsedMappings | undefined {
  const a = secret.metadata.annotations ?? {};
  if (a[ANNOTATIONS.path] === undefined) return undefined;
  const namespace = secret.metadata.namespace ?? 'default';
  const out: ParsedMappings = { mappings: [], errors: [] };
  const m = build(
    {
      target: secret.metadata.name,
      path: a[ANNOTATIONS.path],
      keys: a[ANNOTATIONS.keys],
      refreshInterval: a[ANNOTATIONS.refresh],
      version: a[ANNOTATIONS.version],
      mount: a[ANNOTATIONS.mount],
      type: secret.type,
    },
    namespace,
    `Secret ${namespace}/${secret.metadata.name} (annotations)`,
    out.errors,
  );
  if (m) out.mappings.push(m);
  return out;
}
