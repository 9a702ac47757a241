// Typed errors for object storage. Every error names the backend ("s3" or "directory"), the operation
// and the key, so a report line says which store refused what; S3 errors also carry the HTTP status and
// the S3 error code (NoSuchKey, AccessDenied, SignatureDoesNotMatch, ...).

export type ObjectStoreSystem = 's3' | 'directory';

export interface ObjectStoreErrorInit {
  system: ObjectStoreSystem;
  operation: string;
  key?: string | undefined;
  /** HTTP status of the store's answer; undefined for the directory backend and network failures. */
  status?: number | undefined;
  /** The store's own error code (S3 `<Code>`, or a Node errno for the directory backend). */
  serverCode?: string | undefined;
  cause?: unknown;
}

/** Any failure of an object store operation. */
export class ObjectStoreError extends Error {
  override name = 'ObjectStoreError';
  readonly system: ObjectStoreSystem;
  readonly operation: string;
  readonly key: string | undefined;
  readonly status: number | undefined;
  readonly serverCode: string | undefined;

  constructor(message: string, init: ObjectStoreErrorInit) {
    const where = init.key === undefined ? init.operation : `${init.operation} ${init.key}`;
    const answer = [init.status, init.serverCode].filter((part) => part !== undefined).join(' ');
    super(
      `${init.system}: ${where}: ${answer === '' ? '' : `${answer}: `}${message}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.system = init.system;
    this.operation = init.operation;
    this.key = init.key;
    this.status = init.status;
    this.serverCode = init.serverCode;
  }
}

/** The object does not exist. */
export class ObjectNotFoundError extends ObjectStoreError {
  override name = 'ObjectNotFoundError';
}

/** The store refused the credentials or the signature (401/403). */
export class ObjectStoreAuthError extends ObjectStoreError {
  override name = 'ObjectStoreAuthError';
}

/** A key that is empty, too long, or would leave the store's root (`..`, absolute, NUL). */
export class InvalidObjectKeyError extends ObjectStoreError {
  override name = 'InvalidObjectKeyError';
}

/** The bytes read do not hash to the SHA-256 recorded when the object was written (or none was recorded). */
export class ChecksumMismatchError extends ObjectStoreError {
  override name = 'ChecksumMismatchError';
  /** The recorded SHA-256 (hex); undefined when the object carries none. */
  readonly expected: string | undefined;
  readonly actual: string;

  constructor(init: ObjectStoreErrorInit & { expected: string | undefined; actual: string }) {
    super(
      init.expected === undefined
        ? `no sha256 recorded for the object (read sha256 ${init.actual}); refusing unverified data`
        : `checksum mismatch: recorded sha256 ${init.expected}, read ${init.actual}`,
      init,
    );
    this.expected = init.expected;
    this.actual = init.actual;
  }
}

export function isObjectStoreError(value: unknown): value is ObjectStoreError {
  return value instanceof ObjectStoreError;
}
export function isObjectNotFound(value: unknown): value is ObjectNotFoundError {
  return value instanceof ObjectNotFoundError;
}
export function isChecksumMismatch(value: unknown): value is ChecksumMismatchError {
  return value instanceof ChecksumMismatchError;
}
export function isObjectStoreAuthError(value: unknown): value is ObjectStoreAuthError {
  return value instanceof ObjectStoreAuthError;
}
