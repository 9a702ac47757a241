// Where backups live in the object store. One folder per backup:
//   <prefix><name>/archive.tar.gz   the archive (sealed when it holds Secrets)
//   <prefix><name>/manifest.json    the manifest, written last: a backup without one is incomplete
import type { ObjectStore } from '../objectstore/types.ts';
import { listAll } from '../objectstore/list-all.ts';
import { setting } from '../settings/spec.ts';

export const DEFAULT_BACKUP_PREFIX = 'backups/';

/** A backup as a finding's or an action's object. */
export const BACKUP_KIND = Object.freeze({ apiVersion: 'eco.bsw-arch.org/v1', kind: 'Backup' } as const);

/** ECO_BACKUP_PREFIX, read by eco-backup-bot (writes there) and eco-restore-bot (reads there). */
export const BACKUP_PREFIX_SETTING = setting.string({
  env: 'ECO_BACKUP_PREFIX',
  default: DEFAULT_BACKUP_PREFIX,
  pattern: /^([a-z0-9][-a-z0-9._]*\/)*$/,
  meaning: 'key prefix of the backups in the store (one folder per backup under it)',
});
export const ARCHIVE_FILE = 'archive.tar.gz';
export const MANIFEST_FILE = 'manifest.json';

export interface BackupKeys {
  archive: string;
  manifest: string;
}

export function backupKeys(prefix: string, name: string): BackupKeys {
  return { archive: `${prefix}${name}/${ARCHIVE_FILE}`, manifest: `${prefix}${name}/${MANIFEST_FILE}` };
}

/** `<base>-YYYYMMDDhhmmss` (UTC): sortable, and a valid label value for the name. */
export function backupName(base: string, time: Date): string {
  const stamp = time.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${base}-${stamp}`;
}

export interface StoredBackup {
  name: string;
  /** Both the archive and the manifest are there. */
  complete: boolean;
  archiveSize: number | undefined;
  /** The newest write of its files. */
  lastModified: Date;
}

/** The backups under `prefix`, by name, from one listing. */
export async function listBackups(
  store: ObjectStore,
  prefix: string,
  signal?: AbortSignal,
): Promise<StoredBackup[]> {
  const byName = new Map<string, { archive?: number; manifest: boolean; lastModified: Date }>();
  for await (const object of listAll(store, prefix, signal === undefined ? {} : { signal })) {
    const rest = object.key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) continue;
    const name = rest.slice(0, slash);
    const file = rest.slice(slash + 1);
    const entry = byName.get(name) ?? { manifest: false, lastModified: object.lastModified };
    if (object.lastModified > entry.lastModified) entry.lastModified = object.lastModified;
    if (file === ARCHIVE_FILE) entry.archive = object.size;
    if (file === MANIFEST_FILE) entry.manifest = true;
    byName.set(name, entry);
  }
  return [...byName.entries()].map(([name, entry]) => ({
    name,
    complete: entry.archive !== undefined && entry.manifest,
    archiveSize: entry.archive,
    lastModified: entry.lastModified,
  }));
}
