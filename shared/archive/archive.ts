// A backup archive: JSON items in a gzip-compressed tar (./tar.ts), the inner manifest first,
// optionally sealed with AES-256-GCM. `packArchive` returns the bytes and the manifest to store beside
// them; `unpackArchive` checks everything the manifest records before returning a single item, so a
// caller applies all of an archive or nothing.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decrypt, encrypt, type ArchiveKey } from './encryption.ts';
import { readTar, writeTar } from './tar.ts';
import { ArchiveError } from './errors.ts';
import {
  ARCHIVE_FORMAT,
  INNER_MANIFEST,
  parseInnerManifest,
  type ArchiveItemEntry,
  type ArchiveManifest,
  type InnerManifest,
} from './manifest.ts';

export interface ArchiveItem {
  /** Relative, `/`-separated, e.g. `namespaces/shop/apps/Deployment/web.json`. */
  path: string;
  /** Any JSON value. */
  data: unknown;
}

export interface PackOptions {
  /** Recorded in the manifest and as every entry's mtime (so equal input gives equal bytes). */
  createdAt: Date;
  labels?: Record<string, string>;
  /** Seal the archive (required for archives holding Secrets). */
  key?: ArchiveKey;
  /** Only for tests: a fixed IV. Never reuse an IV with the same key. */
  iv?: Buffer;
}

export interface PackedArchive {
  archive: Buffer;
  manifest: ArchiveManifest;
}

export interface UnpackOptions {
  /** Needed when the manifest says the archive is encrypted. */
  key?: ArchiveKey;
  /** Refuse archives that unpack to more than this (default 512 MiB). */
  maxUnpackedBytes?: number;
}

export const DEFAULT_MAX_UNPACKED_BYTES = 512 * 1024 * 1024;

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** Items are stored as pretty JSON text with a final newline, readable after a plain `tar xzf`. */
export function serializeItem(data: unknown): Buffer {
  const text = JSON.stringify(data, null, 2);
  if (text === undefined) throw new ArchiveError('invalid-item', 'item data is not JSON-serialisable');
  return Buffer.from(`${text}\n`, 'utf8');
}

export function checkItemPath(path: string): string {
  const segments = path.split('/');
  if (
    path === '' ||
    path === INNER_MANIFEST ||
    path.length > 1024 ||
    path.startsWith('/') ||
    /[\0\\]/.test(path) ||
    segments.some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new ArchiveError('invalid-item', `item path ${JSON.stringify(path)} is not allowed`);
  }
  return path;
}

export async function packArchive(
  items: readonly ArchiveItem[],
  options: PackOptions,
): Promise<PackedArchive> {
  const seen = new Set<string>();
  const files = items.map((item) => {
    checkItemPath(item.path);
    if (seen.has(item.path)) throw new ArchiveError('invalid-item', `item path ${item.path} appears twice`);
    seen.add(item.path);
    const bytes = serializeItem(item.data);
    return {
      path: item.path,
      bytes,
      entry: { path: item.path, sha256: sha256(bytes), size: bytes.byteLength },
    };
  });
  const inner: InnerManifest = {
    format: ARCHIVE_FORMAT,
    createdAt: options.createdAt.toISOString(),
    labels: { ...options.labels },
    items: files.map((f) => f.entry),
  };
  const tarBytes = writeTar(
    [{ path: INNER_MANIFEST, bytes: Buffer.from(`${JSON.stringify(inner, null, 2)}\n`) }, ...files],
    options.createdAt,
  );
  const compressed = gzipSync(tarBytes);
  const archive = options.key === undefined ? compressed : encrypt(compressed, options.key, options.iv);
  return {
    archive,
    manifest: {
      ...inner,
      archive: {
        sha256: sha256(archive),
        size: archive.byteLength,
        compression: 'gzip',
        encryption: options.key === undefined ? 'none' : 'aes-256-gcm',
        ...(options.key === undefined ? {} : { keyId: options.key.id }),
      },
    },
  };
}

/**
 * Checks, in order: size and SHA-256 of the archive bytes, the key, decryption (GCM tag), gzip
 * integrity, the tar structure, the inner manifest against the outer one, and every item's SHA-256.
 * Any failure is an ArchiveError and no item is returned.
 */
export async function unpackArchive(
  archive: Uint8Array,
  manifest: ArchiveManifest,
  options: UnpackOptions = {},
): Promise<ArchiveItem[]> {
  const recorded = manifest.archive;
  if (archive.byteLength < recorded.size) {
    throw new ArchiveError(
      'truncated',
      `archive has ${archive.byteLength} bytes, the manifest records ${recorded.size}`,
    );
  }
  const actual = sha256(archive);
  if (archive.byteLength !== recorded.size || actual !== recorded.sha256) {
    throw new ArchiveError(
      'checksum',
      `archive sha256 ${actual} (${archive.byteLength} bytes) does not match the manifest's ${recorded.sha256} (${recorded.size} bytes)`,
    );
  }
  let compressed: Buffer = Buffer.from(archive);
  if (recorded.encryption === 'aes-256-gcm') {
    if (options.key === undefined) {
      throw new ArchiveError(
        'key',
        `archive is encrypted (key id ${recorded.keyId ?? 'unknown'}); no key given`,
      );
    }
    if (recorded.keyId !== undefined && recorded.keyId !== options.key.id) {
      throw new ArchiveError(
        'key',
        `archive was encrypted with key id ${recorded.keyId}, the key given has id ${options.key.id}`,
      );
    }
    compressed = decrypt(compressed, options.key);
  }
  const entries = readTar(gunzip(compressed, options.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES));
  return checkEntries(entries, manifest);
}

function gunzip(compressed: Buffer, maxBytes: number): Buffer {
  try {
    return gunzipSync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (
      code === 'ERR_BUFFER_TOO_LARGE' ||
      (error instanceof RangeError && /maxOutputLength|larger than/i.test(error.message))
    ) {
      throw new ArchiveError('too-large', `archive unpacks to more than ${maxBytes} bytes`, { cause: error });
    }
    if (/unexpected end of file/i.test(String((error as Error).message))) {
      throw new ArchiveError('truncated', 'the compressed stream ends early', { cause: error });
    }
    throw new ArchiveError('format', `not a gzip stream: ${(error as Error).message}`, { cause: error });
  }
}

function checkEntries(
  entries: ReadonlyArray<{ path: string; bytes: Buffer }>,
  manifest: ArchiveManifest,
): ArchiveItem[] {
  const [first, ...rest] = entries;
  if (first === undefined || first.path !== INNER_MANIFEST) {
    throw new ArchiveError('format', `the first entry must be ${INNER_MANIFEST}`);
  }
  const inner = parseInnerManifest(first.bytes);
  if (!sameItems(inner.items, manifest.items)) {
    throw new ArchiveError(
      'checksum',
      'the inner manifest lists other items than the manifest stored beside the archive',
    );
  }
  const expected = new Map(manifest.items.map((item) => [item.path, item]));
  const items: ArchiveItem[] = [];
  const seen = new Set<string>();
  for (const entry of rest) {
    const recorded = expected.get(entry.path);
    if (recorded === undefined)
      throw new ArchiveError('checksum', `entry ${entry.path} is not in the manifest`);
    if (seen.has(entry.path)) throw new ArchiveError('format', `entry ${entry.path} appears twice`);
    seen.add(entry.path);
    const actual = sha256(entry.bytes);
    if (actual !== recorded.sha256 || entry.bytes.byteLength !== recorded.size) {
      throw new ArchiveError(
        'checksum',
        `item ${entry.path}: sha256 ${actual}, the manifest records ${recorded.sha256}`,
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(entry.bytes.toString('utf8'));
    } catch (error) {
      throw new ArchiveError('format', `item ${entry.path} is not JSON`, { cause: error });
    }
    items.push({ path: entry.path, data });
  }
  const missing = manifest.items.filter((item) => !seen.has(item.path));
  if (missing.length > 0) {
    throw new ArchiveError('truncated', `${missing.length} item(s) missing, first ${missing[0]?.path ?? ''}`);
  }
  return items;
}

function sameItems(a: readonly ArchiveItemEntry[], b: readonly ArchiveItemEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((item, i) => item.path === b[i]?.path && item.sha256 === b[i]?.sha256 && item.size === b[i]?.size)
  );
}
