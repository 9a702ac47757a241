import type { ObjectStoreSystem } from './errors.ts';

/** What a listing returns for each object (S3's ListObjectsV2 carries no user metadata). */
export interface ObjectSummary {
  key: string;
  size: number;
  lastModified: Date;
}

/** What `head` (and `get`) know about an object. */
export interface ObjectHead extends ObjectSummary {
  /** SHA-256 of the content (hex) recorded at write time; undefined for objects written by other tools. */
  sha256: string | undefined;
  contentType: string | undefined;
  /** User metadata (lower-case names, without the `x-amz-meta-` prefix), `sha256` included. */
  metadata: Readonly<Record<string, string>>;
}

export interface PutOptions {
  contentType?: string;
  /**
   * Extra user metadata. Names: lower-case letters, digits and `-`; values: printable ASCII (what S3
   * carries in headers). `sha256` is always set by the store itself.
   */
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

export interface PutResult {
  key: string;
  size: number;
  sha256: string;
}

export interface GetOptions {
  /**
   * Accept an object that carries no recorded sha256 (written by another tool); its content is then
   * returned unverified. A recorded sha256 that does not match is always an error.
   */
  allowMissingChecksum?: boolean;
  signal?: AbortSignal;
}

export interface GetResult {
  body: Buffer;
  head: ObjectHead;
}

export interface ObjectListOptions {
  /** At most this many objects in one page (1..1000, default 1000, S3's own limit). */
  maxKeys?: number;
  /** `nextToken` of the previous page. */
  continuationToken?: string;
  signal?: AbortSignal;
}

export interface ListPage {
  /** In ascending key order (UTF-8 byte order, as S3 lists). */
  objects: ObjectSummary[];
  /** Present when more objects follow: pass it as `continuationToken` for the next page. */
  nextToken?: string;
}

/**
 * One interface over a mounted directory and any S3-compatible store. Objects are written whole
 * (a reader never sees half an object), carry the SHA-256 of their content, and `get` refuses content
 * that does not match it (ChecksumMismatchError).
 */
export interface ObjectStore {
  readonly system: ObjectStoreSystem;
  /** Where the objects live, for reports: `directory /backups` or `s3 http://minio:9000/eco-backups`. */
  readonly location: string;
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<PutResult>;
  /** Reads and verifies; ObjectNotFoundError when absent, ChecksumMismatchError when corrupt. */
  get(key: string, options?: GetOptions): Promise<GetResult>;
  /** undefined when the object does not exist. */
  head(key: string, options?: { signal?: AbortSignal }): Promise<ObjectHead | undefined>;
  list(prefix: string, options?: ObjectListOptions): Promise<ListPage>;
  /** Removing an absent object is not an error (as in S3). */
  delete(key: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Server-side copy within the store, content, content type and metadata (so the sha256) included. */
  copy(sourceKey: string, targetKey: string, options?: { signal?: AbortSignal }): Promise<ObjectHead>;
}
