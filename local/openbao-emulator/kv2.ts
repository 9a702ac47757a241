// One KV v2 secrets engine mount, in memory: versioned secrets with soft delete, undelete, destroy,
// check-and-set, per-secret and mount-wide max_versions, custom metadata, subkeys and listing.
// Operations return the `data` of OpenBao's response (the envelope is added by the server) or throw
// BaoError with the status and body OpenBao answers with.
import { BaoError, badRequest, notFound, unsupportedOperation } from './errors.ts';
import { formatDuration, formatTime, parseDuration } from './clock.ts';

export type SecretData = Record<string, unknown>;

interface Version {
  data: SecretData | null;
  created: Date;
  deleted?: Date;
  destroyed: boolean;
}

interface Secret {
  versions: Map<number, Version>;
  currentVersion: number;
  oldestVersion: number;
  created: Date;
  updated: Date;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: number;
  customMetadata: Record<string, string> | null;
}

export interface MountConfig {
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: number;
}

/** OpenBao keeps 10 versions when neither the mount nor the secret sets max_versions. */
const DEFAULT_MAX_VERSIONS = 10;

export interface VersionMetadata {
  created_time: string;
  custom_metadata: Record<string, string> | null;
  deletion_time: string;
  destroyed: boolean;
  version: number;
}

function validPath(path: string): string {
  if (path === '' || path.endsWith('/')) throw unsupportedOperation();
  return path;
}

function versionsParam(body: Record<string, unknown>): number[] {
  const raw = body['versions'];
  const list = Array.isArray(raw)
    ? raw
    : typeof raw === 'string'
      ? raw.split(',')
      : raw === undefined
        ? []
        : [raw];
  if (list.length === 0) throw badRequest('no version number provided');
  return list.map((v) => {
    const n = typeof v === 'number' ? v : Number(String(v).trim());
    if (!Number.isInteger(n))
      throw badRequest(`error converting input ${String(v)} for field "versions": invalid version number`);
    return n;
  });
}

export class KvV2Mount {
  private readonly secrets = new Map<string, Secret>();
  readonly config: MountConfig = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 };

  constructor(private readonly now: () => Date) {}

  private versionMetadata(s: Secret, n: number, v: Version): VersionMetadata {
    return {
      created_time: formatTime(v.created),
      custom_metadata: s.customMetadata,
      deletion_time: v.deleted ? formatTime(v.deleted) : '',
      destroyed: v.destroyed,
      version: n,
    };
  }

  /** A version is deleted once its deletion time has passed (delete_version_after sets a future one). */
  private isDeleted(v: Version): boolean {
    return v.deleted !== undefined && v.deleted.getTime() <= this.now().getTime();
  }

  /** GET data/<path>?version=N: the secret and its version metadata; 404 bodies as OpenBao sends them. */
  read(path: string, version: number): { data: SecretData | null; metadata: VersionMetadata } {
    const s = this.secrets.get(validPath(path));
    if (!s) throw notFound();
    const n = version === 0 ? s.currentVersion : version;
    const v = s.versions.get(n);
    if (!v) throw notFound();
    const metadata = this.versionMetadata(s, n, v);
    if (v.destroyed || this.isDeleted(v)) {
      // OpenBao answers a deleted or destroyed version with 404 and the usual envelope: data null.
      throw new BaoError(404, [], { data: null, metadata });
    }
    return { data: structuredClone(v.data), metadata };
  }

  /** POST/PUT data/<path> with {data, options: {cas}}: a new version. */
  write(path: string, body: Record<string, unknown>): VersionMetadata {
    validPath(path);
    const data = body['data'];
    if (data === undefined || data === null) throw badRequest('no data provided');
    if (typeof data !== 'object' || Array.isArray(data)) throw badRequest('data must be a JSON object');
    const options = (body['options'] ?? {}) as Record<string, unknown>;
    const existing = this.secrets.get(path);
    const casRequired = this.config.casRequired || (existing?.casRequired ?? false);
    const cas = options['cas'];
    if (cas === undefined && casRequired) throw badRequest('check-and-set parameter required for this call');
    if (cas !== undefined) {
      if (typeof cas !== 'number' || !Number.isInteger(cas) || cas < 0)
        throw badRequest(`error converting input ${String(cas)} for field "cas"`);
      if (cas !== (existing?.currentVersion ?? 0))
        throw badRequest('check-and-set parameter did not match the current version');
    }
    return this.addVersion(path, existing, structuredClone(data as SecretData));
  }

  /** PATCH data/<path> (JSON merge patch onto the current version): a new version. */
  patch(path: string, body: Record<string, unknown>): VersionMetadata {
    validPath(path);
    const existing = this.secrets.get(path);
    const current = existing?.versions.get(existing.currentVersion);
    if (!existing || !current || current.destroyed || this.isDeleted(current)) throw notFound();
    const data = body['data'];
    if (data === undefined || data === null || typeof data !== 'object' || Array.isArray(data))
      throw badRequest('no data provided');
    const options = (body['options'] ?? {}) as Record<string, unknown>;
    const cas = options['cas'];
    if (cas !== undefined && cas !== existing.currentVersion)
      throw badRequest('check-and-set parameter did not match the current version');
    return this.addVersion(path, existing, mergePatch(current.data ?? {}, data as SecretData));
  }

  private addVersion(path: string, existing: Secret | undefined, data: SecretData): VersionMetadata {
    const at = this.now();
    const s: Secret = existing ?? {
      versions: new Map(),
      currentVersion: 0,
      oldestVersion: 0,
      created: at,
      updated: at,
      maxVersions: 0,
      casRequired: false,
      deleteVersionAfter: 0,
      customMetadata: null,
    };
    const n = s.currentVersion + 1;
    const after = s.deleteVersionAfter || this.config.deleteVersionAfter;
    const v: Version =
      after > 0
        ? { data, created: at, destroyed: false, deleted: new Date(at.getTime() + after * 1000) }
        : { data, created: at, destroyed: false };
    s.versions.set(n, v);
    s.currentVersion = n;
    s.updated = at;
    if (s.oldestVersion === 0) s.oldestVersion = n;
    this.secrets.set(path, s);
    this.trim(s);
    // With delete_version_after the response already shows the (future) deletion_time.
    return this.versionMetadata(s, n, v);
  }

  private trim(s: Secret): void {
    const max = s.maxVersions || this.config.maxVersions || DEFAULT_MAX_VERSIONS;
    const keep = [...s.versions.keys()].sort((a, b) => a - b);
    while (keep.length > max) s.versions.delete(keep.shift() as number);
    s.oldestVersion = keep[0] ?? s.oldestVersion;
  }

  /** DELETE data/<path>: soft-delete the current version. Nothing there is still 204. */
  deleteLatest(path: string): void {
    const s = this.secrets.get(validPath(path));
    const v = s?.versions.get(s.currentVersion);
    if (v && !v.destroyed && !this.isDeleted(v)) v.deleted = this.now();
  }

  /** POST delete/<path> {versions}: soft-delete those versions. */
  deleteVersions(path: string, body: Record<string, unknown>): void {
    const versions = versionsParam(body);
    const s = this.secrets.get(validPath(path));
    for (const n of versions) {
      const v = s?.versions.get(n);
      if (v && !v.destroyed && !this.isDeleted(v)) v.deleted = this.now();
    }
  }

  /** POST undelete/<path> {versions}: clear the deletion of versions not destroyed. */
  undelete(path: string, body: Record<string, unknown>): void {
    const versions = versionsParam(body);
    const s = this.secrets.get(validPath(path));
    for (const n of versions) {
      const v = s?.versions.get(n);
      if (v && !v.destroyed) delete v.deleted;
    }
  }

  /** PUT destroy/<path> {versions}: remove the data for good; the version stays listed as destroyed. */
  destroy(path: string, body: Record<string, unknown>): void {
    const versions = versionsParam(body);
    const s = this.secrets.get(validPath(path));
    for (const n of versions) {
      const v = s?.versions.get(n);
      if (v) {
        v.destroyed = true;
        v.data = null;
      }
    }
  }

  /** GET metadata/<path>. */
  metadata(path: string): Record<string, unknown> {
    const s = this.secrets.get(validPath(path));
    if (!s) throw notFound();
    const versions: Record<string, unknown> = {};
    for (const [n, v] of [...s.versions.entries()].sort((a, b) => a[0] - b[0])) {
      versions[String(n)] = {
        created_time: formatTime(v.created),
        deletion_time: v.deleted ? formatTime(v.deleted) : '',
        destroyed: v.destroyed,
      };
    }
    return {
      cas_required: s.casRequired,
      created_time: formatTime(s.created),
      current_version: s.currentVersion,
      custom_metadata: s.customMetadata,
      delete_version_after: formatDuration(s.deleteVersionAfter),
      max_versions: s.maxVersions,
      oldest_version: s.oldestVersion,
      updated_time: formatTime(s.updated),
      versions,
    };
  }

  /** POST metadata/<path>: settings and custom metadata (creates an empty secret entry when missing). */
  writeMetadata(path: string, body: Record<string, unknown>): void {
    validPath(path);
    const at = this.now();
    const s: Secret = this.secrets.get(path) ?? {
      versions: new Map(),
      currentVersion: 0,
      oldestVersion: 0,
      created: at,
      updated: at,
      maxVersions: 0,
      casRequired: false,
      deleteVersionAfter: 0,
      customMetadata: null,
    };
    if (body['max_versions'] !== undefined) {
      const n = body['max_versions'];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
        throw badRequest(`error converting input ${String(n)} for field "max_versions"`);
      s.maxVersions = n;
    }
    if (body['cas_required'] !== undefined) s.casRequired = body['cas_required'] === true;
    if (body['delete_version_after'] !== undefined) {
      const d = parseDuration(body['delete_version_after']);
      if (d === undefined)
        throw badRequest(
          `error converting input ${String(body['delete_version_after'])} for field "delete_version_after"`,
        );
      s.deleteVersionAfter = d;
    }
    if (body['custom_metadata'] !== undefined) {
      const cm = body['custom_metadata'];
      if (cm === null || typeof cm !== 'object' || Array.isArray(cm))
        throw badRequest('custom_metadata must be a map of strings');
      s.customMetadata = Object.fromEntries(Object.entries(cm).map(([k, v]) => [k, String(v)]));
    }
    s.updated = at;
    this.secrets.set(path, s);
    this.trim(s);
  }

  /** DELETE metadata/<path>: every version and the metadata. */
  deleteMetadata(path: string): void {
    this.secrets.delete(validPath(path));
  }

  /** LIST metadata/<prefix>: direct children, folders with a trailing `/`; 404 when none. */
  list(prefix: string): { keys: string[] } {
    const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    const keys = new Set<string>();
    for (const path of this.secrets.keys()) {
      if (!path.startsWith(base)) continue;
      const rest = path.slice(base.length);
      const slash = rest.indexOf('/');
      keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    if (keys.size === 0) throw notFound();
    return { keys: [...keys].sort() };
  }

  /** GET subkeys/<path>?depth=N: the key tree with null leaves. */
  subkeys(path: string, version: number, depth: number): { subkeys: unknown; metadata: VersionMetadata } {
    const r = this.read(path, version);
    return { subkeys: subkeyTree(r.data ?? {}, depth, 1), metadata: r.metadata };
  }

  writeConfig(body: Record<string, unknown>): void {
    if (body['max_versions'] !== undefined) {
      const n = body['max_versions'];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
        throw badRequest(`error converting input ${String(n)} for field "max_versions"`);
      this.config.maxVersions = n;
    }
    if (body['cas_required'] !== undefined) this.config.casRequired = body['cas_required'] === true;
    if (body['delete_version_after'] !== undefined) {
      const d = parseDuration(body['delete_version_after']);
      if (d === undefined)
        throw badRequest(
          `error converting input ${String(body['delete_version_after'])} for field "delete_version_after"`,
        );
      this.config.deleteVersionAfter = d;
    }
  }

  readConfig(): Record<string, unknown> {
    return {
      cas_required: this.config.casRequired,
      delete_version_after: formatDuration(this.config.deleteVersionAfter),
      max_versions: this.config.maxVersions,
    };
  }

  /** Whether a secret exists at the path (decides create vs update for the ACL). */
  exists(path: string): boolean {
    return this.secrets.has(path);
  }
}

function subkeyTree(data: SecretData, depth: number, level: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    const nested = v !== null && typeof v === 'object' && !Array.isArray(v);
    out[k] = nested && (depth === 0 || level < depth) ? subkeyTree(v as SecretData, depth, level + 1) : null;
  }
  return out;
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: SecretData, patch: SecretData): SecretData {
  const out: SecretData = structuredClone(target);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v)) {
      const base = out[k];
      out[k] = mergePatch(
        base !== null && typeof base === 'object' && !Array.isArray(base) ? (base as SecretData) : {},
        v as SecretData,
      );
    } else out[k] = structuredClone(v);
  }
  return out;
}
