export { createDirectoryStore, RESERVED_DIR } from './directory.ts';
export type { DirectoryStoreOptions } from './directory.ts';
export { createS3Store, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_REGION, PART_SIZE } from './s3.ts';
export type { S3StoreOptions } from './s3.ts';
export type { S3Credentials } from './s3-sign.ts';
export { objectStoreFromEnv, objectStoreFromSettings, OBJECT_STORE_SETTINGS } from './from-env.ts';
export type { ObjectStoreFromEnvDeps, ObjectStoreSettings, StoreChoice } from './from-env.ts';
export { listAll } from './list-all.ts';
export { storeReportError } from './report-error.ts';
export { sha256Hex, isSha256Hex } from './checksum.ts';
export { checkKey, MAX_KEY_BYTES } from './key.ts';
export {
  ChecksumMismatchError,
  InvalidObjectKeyError,
  ObjectNotFoundError,
  ObjectStoreAuthError,
  ObjectStoreError,
  isChecksumMismatch,
  isObjectNotFound,
  isObjectStoreAuthError,
  isObjectStoreError,
} from './errors.ts';
export type { ObjectStoreErrorInit, ObjectStoreSystem } from './errors.ts';
export type {
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
