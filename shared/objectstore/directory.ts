// The directory backend: objects are plain files under a root (a mounted volume), so an operator can
// browse a backup volume and untar an archive by hand. Bookkeeping lives under `<root>/.eco/`:
// `meta/<key>.json` holds the sha256, content type and metadata, `tmp/` the files being written,
// `locks/` one short-lived file per key being committed.
// A write goes to a temp file (flushed to disk) and is renamed into place, so a reader sees the old
// object or the new one, never a part.

import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import {
  lstat,
  mkdir,
  open,
  readFile,
  readdir,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { isSha256Hex, sha256Hex } from './checksum.ts';
import { ObjectNotFoundError, ObjectStoreAuthError, ObjectStoreError, isObjectStoreError } from './errors.ts';
import { checkKey, checkPrefix } from './key.ts';
import { checkMetadata, SHA256_METADATA } from './metadata.ts';
import { decodeToken, encodeToken, pageSize } from './paging.ts';
import type {
  GetOptions,
  GetResult,
  ObjectListOptions,
  ListPage,
  ObjectHead,
  ObjectStore,
  ObjectSummary,
  PutOptions,
  PutResult,
} from './types.ts';
import { verifyContent } from './verify.ts';

/** How often `get` reads an object whose content and recorded checksum disagree. */
const READ_ATTEMPTS = 3;
/** How long a writer waits for another's commit of the same key before giving up. */
const LOCK_WAIT_MS = 10_000;
/** A lock file this old belongs to a writer that died between its two renames. */
const LOCK_STALE_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** The store's own folder under the root; keys may not start with it. */
export const RESERVED_DIR = '.eco';

interface MetaFile {
  sha256: string;
  size: number;
  contentType?: string;
  metadata: Record<string, string>;
}

export interface DirectoryStoreOptions {
  /** The root folder; created when missing. */
  root: string;
}

export function createDirectoryStore(options: DirectoryStoreOptions): ObjectStore {
  return new DirectoryStore(resolve(options.root));
}

class DirectoryStore implements ObjectStore {
  readonly system = 'directory' as const;
  readonly location: string;
  private realRoot: Promise<string> | undefined;
  /** The last commit queued per key in this process, so its writers commit one at a time. */
  private readonly commits = new Map<string, Promise<void>>();

  constructor(private readonly root: string) {
    this.location = `directory ${root}`;
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    checkKey(key, this.system, 'put', RESERVED_DIR);
    options.signal?.throwIfAborted();
    const metadata = checkMetadata(options.metadata, this.system, key);
    const sha256 = sha256Hex(body);
    const meta: MetaFile = {
      sha256,
      size: body.byteLength,
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      metadata,
    };
    return this.guard('put', key, async () => {
      const target = await this.pathInside(this.dataPath(key), true);
      const metaTarget = await this.pathInside(this.metaPath(key), true);
      const tmpDir = await this.pathInside(join(this.root, RESERVED_DIR, 'tmp', 'x'), true);
      const tmpData = join(dirname(tmpDir), `${randomBytes(8).toString('hex')}.data`);
      const tmpMeta = join(dirname(tmpDir), `${randomBytes(8).toString('hex')}.json`);
      try {
        await writeFile(tmpData, body, { flag: 'wx', flush: true });
        await writeFile(tmpMeta, `${JSON.stringify(meta)}\n`, { flag: 'wx', flush: true });
        // The two renames are one commit under the key's lock: without it, two racing writers can
        // interleave them and leave one writer's metadata beside the other's content for good.
        await this.commitLocked(key, async () => {
          // Metadata first: a reader racing this write sees new metadata with old content (a checksum
          // mismatch that `get` reads again), never new content that nothing vouches for.
          await rename(tmpMeta, metaTarget);
          await rename(tmpData, target);
        });
      } finally {
        await rm(tmpData, { force: true });
        await rm(tmpMeta, { force: true });
      }
      return { key, size: body.byteLength, sha256 };
    });
  }

  async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    checkKey(key, this.system, 'get', RESERVED_DIR);
    options.signal?.throwIfAborted();
    return this.guard('get', key, async () => {
      // A few reads at most: the later ones cover a concurrent `put` that replaced the object
      // between reading its metadata and its content (its two renames are microseconds apart).
      for (let attempt = 1; ; attempt += 1) {
        const head = await this.headOrThrow(key);
        const body = await this.readData(key);
        try {
          verifyContent(this.system, body, { ...head, size: body.byteLength }, options);
          return { body, head: { ...head, size: body.byteLength } };
        } catch (error) {
          if (attempt >= READ_ATTEMPTS) throw error;
          await sleep(attempt * 5);
        }
      }
    });
  }

  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectHead | undefined> {
    checkKey(key, this.system, 'head', RESERVED_DIR);
    options.signal?.throwIfAborted();
    return this.guard('head', key, async () => {
      try {
        return await this.headOrThrow(key);
      } catch (error) {
        if (error instanceof ObjectNotFoundError) return undefined;
        throw error;
      }
    });
  }

  async list(prefix: string, options: ObjectListOptions = {}): Promise<ListPage> {
    checkPrefix(prefix, this.system);
    options.signal?.throwIfAborted();
    const maxKeys = pageSize(options.maxKeys, this.system);
    const after =
      options.continuationToken === undefined
        ? undefined
        : decodeToken(options.continuationToken, this.system);
    return this.guard('list', prefix, async () => {
      // Walk only the folder the prefix names: "backups/ns-a/2026" starts at backups/ns-a.
      const slash = prefix.lastIndexOf('/');
      const startDir = slash < 0 ? '' : prefix.slice(0, slash);
      const all: ObjectSummary[] = [];
      await this.walk(startDir, prefix, all);
      all.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
      const rest =
        after === undefined
          ? all
          : all.filter((o) => Buffer.compare(Buffer.from(o.key), Buffer.from(after)) > 0);
      const objects = rest.slice(0, maxKeys);
      const last = objects.at(-1);
      return rest.length > maxKeys && last !== undefined
        ? { objects, nextToken: encodeToken(last.key) }
        : { objects };
    });
  }

  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    checkKey(key, this.system, 'delete', RESERVED_DIR);
    options.signal?.throwIfAborted();
    await this.guard('delete', key, async () => {
      const data = await this.pathInside(this.dataPath(key), false);
      const meta = await this.pathInside(this.metaPath(key), false);
      await rm(data, { force: true });
      await rm(meta, { force: true });
      // Drop folders left empty, so a later key can use the name as a file.
      await this.pruneEmpty(dirname(data), this.root);
      await this.pruneEmpty(dirname(meta), join(this.root, RESERVED_DIR, 'meta'));
    });
  }

  async copy(
    sourceKey: string,
    targetKey: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<ObjectHead> {
    checkKey(sourceKey, this.system, 'copy', RESERVED_DIR);
    checkKey(targetKey, this.system, 'copy', RESERVED_DIR);
    // Read (verified) and write: a corrupt source is refused instead of copied.
    const { body, head } = await this.get(sourceKey, options.signal ? { signal: options.signal } : {});
    await this.put(targetKey, body, {
      ...(head.contentType === undefined ? {} : { contentType: head.contentType }),
      metadata: { ...head.metadata },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const copied = await this.head(targetKey);
    if (copied === undefined) {
      throw new ObjectStoreError('the copy vanished right after it was written', {
        system: this.system,
        operation: 'copy',
        key: targetKey,
      });
    }
    return copied;
  }

  /**
   * Runs `commit` holding the key's lock: a promise chain within this process, and a lock file
   * (created with O_EXCL) across processes sharing the volume. A lock file older than
   * LOCK_STALE_MS is left by a writer that died mid-commit and is taken over.
   */
  private async commitLocked(key: string, commit: () => Promise<void>): Promise<void> {
    const previous = this.commits.get(key) ?? Promise.resolve();
    const mine = previous.then(() => this.withLockFile(key, commit));
    const settled = mine.catch(() => undefined);
    this.commits.set(key, settled);
    try {
      await mine;
    } finally {
      if (this.commits.get(key) === settled) this.commits.delete(key);
    }
  }

  private async withLockFile(key: string, commit: () => Promise<void>): Promise<void> {
    const lockPath = await this.pathInside(
      join(this.root, RESERVED_DIR, 'locks', `${sha256Hex(Buffer.from(key))}.lock`),
      true,
    );
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.close();
        break;
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw error;
        const info = await stat(lockPath).catch(() => undefined);
        if (info !== undefined && Date.now() - info.mtimeMs > LOCK_STALE_MS) {
          await rm(lockPath, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new ObjectStoreError(
            `another writer has held the lock on this key for over ${LOCK_WAIT_MS / 1000} s (${lockPath})`,
            { system: this.system, operation: 'put', key },
          );
        }
        await sleep(Math.min(50, 2 ** attempt));
      }
    }
    try {
      await commit();
    } finally {
      await rm(lockPath, { force: true });
    }
  }

  private dataPath(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  private metaPath(key: string): string {
    const segments = key.split('/');
    const last = segments.pop() ?? key;
    return join(this.root, RESERVED_DIR, 'meta', ...segments, `${last}.json`);
  }

  private async headOrThrow(key: string): Promise<ObjectHead> {
    const dataPath = await this.pathInside(this.dataPath(key), false);
    const info = await lstat(dataPath).catch((error: unknown) => {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') {
        throw new ObjectNotFoundError('no such object', { system: this.system, operation: 'head', key });
      }
      throw error;
    });
    if (!info.isFile()) {
      throw new ObjectNotFoundError('no such object (a folder of that name exists)', {
        system: this.system,
        operation: 'head',
        key,
      });
    }
    const meta = await this.readMeta(key);
    return {
      key,
      size: info.size,
      lastModified: info.mtime,
      sha256: meta?.sha256,
      contentType: meta?.contentType,
      metadata: { ...meta?.metadata, ...(meta ? { [SHA256_METADATA]: meta.sha256 } : {}) },
    };
  }

  private async readMeta(key: string): Promise<MetaFile | undefined> {
    const path = await this.pathInside(this.metaPath(key), false);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      // A file dropped onto the volume by hand has no metadata: it exists, unverified.
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return undefined;
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    if (!isMetaFile(parsed)) {
      throw new ObjectStoreError(`metadata file ${path} is not valid`, {
        system: this.system,
        operation: 'head',
        key,
      });
    }
    return parsed;
  }

  private async readData(key: string): Promise<Buffer> {
    const path = await this.pathInside(this.dataPath(key), false);
    // O_NOFOLLOW: a symlink planted at the key's place is not followed out of the root.
    const handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW).catch((error: unknown) => {
      if (errno(error) === 'ENOENT') {
        throw new ObjectNotFoundError('no such object', { system: this.system, operation: 'get', key });
      }
      throw error;
    });
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  private async walk(dir: string, prefix: string, out: ObjectSummary[]): Promise<void> {
    const absolute = await this.pathInside(join(this.root, ...dir.split('/').filter(Boolean), 'x'), false);
    let entries;
    try {
      entries = await readdir(dirname(absolute), { withFileTypes: true });
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      const key = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (dir === '' && entry.name === RESERVED_DIR) continue;
      if (entry.isDirectory()) {
        // Descend only where keys can still match the prefix.
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await this.walk(key, prefix, out);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const info = await stat(join(dirname(absolute), entry.name));
        out.push({ key, size: info.size, lastModified: info.mtime });
      }
      // Symlinks and other special files are not objects.
    }
  }

  private async pruneEmpty(dir: string, stopAt: string): Promise<void> {
    let current = dir;
    while (current.startsWith(stopAt + sep)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty, or gone: either way done
      }
      current = dirname(current);
    }
  }

  /**
   * `path` resolved, refused unless inside the root, with its folder's real path (symlinks resolved)
   * inside the root's real path too. `create` makes the folder first (for writes).
   */
  private async pathInside(path: string, create: boolean): Promise<string> {
    const absolute = resolve(path);
    if (!absolute.startsWith(this.root + sep)) {
      throw new ObjectStoreError(`path ${absolute} is outside the store`, {
        system: this.system,
        operation: 'resolve',
      });
    }
    this.realRoot ??= mkdir(this.root, { recursive: true }).then(() => realpath(this.root));
    const realRoot = await this.realRoot;
    const folder = dirname(absolute);
    if (create) await mkdir(folder, { recursive: true });
    let realFolder: string;
    try {
      realFolder = await realpath(folder);
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return absolute; // nothing there to escape through
      throw error;
    }
    if (realFolder !== realRoot && !realFolder.startsWith(realRoot + sep)) {
      throw new ObjectStoreError(`path ${absolute} leads outside the store through a symlink`, {
        system: this.system,
        operation: 'resolve',
      });
    }
    return absolute;
  }

  /** Node errors become ObjectStoreErrors naming the operation and key. */
  private async guard<T>(operation: string, key: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isObjectStoreError(error)) throw error;
      const code = errno(error);
      const init = { system: this.system, operation, key, serverCode: code, cause: error };
      const message = error instanceof Error ? error.message : String(error);
      if (code === 'EACCES' || code === 'EPERM') throw new ObjectStoreAuthError(message, init);
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
        throw new ObjectStoreError(`the key clashes with an existing object or folder: ${message}`, init);
      }
      throw new ObjectStoreError(message, init);
    }
  }
}

function errno(error: unknown): string | undefined {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string'
    ? (error as NodeJS.ErrnoException).code
    : undefined;
}

function isMetaFile(value: unknown): value is MetaFile {
  if (value === null || typeof value !== 'object') return false;
  const meta = value as Partial<MetaFile>;
  return (
    isSha256Hex(meta.sha256) &&
    typeof meta.size === 'number' &&
    (meta.contentType === undefined || typeof meta.contentType === 'string') &&
    meta.metadata !== null &&
    typeof meta.metadata === 'object' &&
    Object.values(meta.metadata).every((v) => typeof v === 'string')
  );
}
