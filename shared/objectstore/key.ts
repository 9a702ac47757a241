import { InvalidObjectKeyError, type ObjectStoreSystem } from './errors.ts';

/** S3's limit on a key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/**
 * The keys both backends accept: `/`-separated segments, none empty, `.` or `..`, no NUL or
 * backslash, no leading `/`. The same rule on both backends means a backup written to a directory can
 * be copied to S3 and back under the same key, and the directory backend cannot be walked out of.
 * `reservedFirstSegment` is a backend's own bookkeeping folder (the directory backend's `.eco`).
 */
export function checkKey(
  key: string,
  system: ObjectStoreSystem,
  operation: string,
  reservedFirstSegment?: string,
): string {
  const refuse = (why: string): never => {
    throw new InvalidObjectKeyError(`invalid key: ${why}`, { system, operation, key });
  };
  if (typeof key !== 'string' || key === '') refuse('empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) refuse(`longer than ${MAX_KEY_BYTES} bytes`);
  if (key.includes('\0')) refuse('contains NUL');
  if (key.includes('\\')) refuse('contains a backslash');
  if (key.startsWith('/')) refuse('starts with /');
  const segments = key.split('/');
  for (const segment of segments) {
    if (segment === '') refuse('has an empty segment (// or a trailing /)');
    if (segment === '.' || segment === '..') refuse(`has a "${segment}" segment`);
  }
  if (reservedFirstSegment !== undefined && segments[0] === reservedFirstSegment) {
    refuse(`"${reservedFirstSegment}/" is reserved for the store's own files`);
  }
  return key;
}

/** A prefix for listing: like a key, but may be empty and may end with `/`. */
export function checkPrefix(prefix: string, system: ObjectStoreSystem): string {
  if (prefix === '') return prefix;
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  checkKey(trimmed, system, 'list');
  return prefix;
}
