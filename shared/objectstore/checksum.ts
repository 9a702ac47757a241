import { createHash } from 'node:crypto';

/** SHA-256 of bytes, lower-case hex: the checksum recorded with every object and in archive manifests. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A recorded checksum must look like one before it is compared. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}
