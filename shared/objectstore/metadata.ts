import { ObjectStoreError, type ObjectStoreSystem } from './errors.ts';

/** The metadata name every store records the content's SHA-256 under (`x-amz-meta-sha256` on S3). */
export const SHA256_METADATA = 'sha256';

/**
 * User metadata travels as HTTP headers on S3, so both backends accept only what a header can carry
 * unchanged: lower-case names of letters, digits and `-`, values of printable ASCII.
 */
export function checkMetadata(
  metadata: Record<string, string> | undefined,
  system: ObjectStoreSystem,
  key: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) {
      throw new ObjectStoreError(`metadata name "${name}" must be lower-case letters, digits and -`, {
        system,
        operation: 'put',
        key,
      });
    }
    if (name === SHA256_METADATA) continue;
    if (typeof value !== 'string' || !/^[\x20-\x7e]{0,1024}$/.test(value)) {
      throw new ObjectStoreError(`metadata "${name}" must be printable ASCII of at most 1024 characters`, {
        system,
        operation: 'put',
        key,
      });
    }
    out[name] = value;
  }
  return out;
}
