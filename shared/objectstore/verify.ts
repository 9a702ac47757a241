import { sha256Hex } from './checksum.ts';
import { ChecksumMismatchError, type ObjectStoreSystem } from './errors.ts';
import type { GetOptions, ObjectHead } from './types.ts';

/** The one check both backends run on every read: the bytes hash to the SHA-256 recorded at write time. */
export function verifyContent(
  system: ObjectStoreSystem,
  body: Uint8Array,
  head: ObjectHead,
  options: GetOptions = {},
): void {
  if (head.sha256 === undefined && options.allowMissingChecksum) return;
  const actual = sha256Hex(body);
  if (head.sha256 !== actual) {
    throw new ChecksumMismatchError({
      system,
      operation: 'get',
      key: head.key,
      expected: head.sha256,
      actual,
    });
  }
}
