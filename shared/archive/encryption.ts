// Encryption at rest: AES-256-GCM over the compressed archive. Layout: an 8-byte magic, a 12-byte
// random IV, the ciphertext, the 16-byte tag; the magic is authenticated too. GCM's tag makes a
// wrong key and any altered byte the same refusal ("decrypt"), before anything is unpacked.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ArchiveError } from './errors.ts';

const MAGIC = Buffer.from('ECOAES1\n', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export interface ArchiveKey {
  /** 32 bytes. */
  key: Buffer;
  /** First 16 hex of the key's SHA-256: recorded in the manifest, safe to show. */
  id: string;
}

export function archiveKey(key: Uint8Array): ArchiveKey {
  if (key.byteLength !== KEY_BYTES) {
    throw new ArchiveError('key', `an AES-256 key is ${KEY_BYTES} bytes, got ${key.byteLength}`);
  }
  const bytes = Buffer.from(key);
  return { key: bytes, id: createHash('sha256').update(bytes).digest('hex').slice(0, 16) };
}

/**
 * A key file holds 32 bytes as 64 hex characters, as base64, or raw (e.g. `openssl rand 32`).
 * Whitespace around text forms is ignored (Kubernetes secrets often end in a newline).
 */
export function parseKeyFile(content: Buffer, source = 'key file'): ArchiveKey {
  const text = content.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return archiveKey(Buffer.from(text, 'hex'));
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text) || /^[A-Za-z0-9_-]{43}$/.test(text)) {
    const decoded = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
    if (decoded.byteLength === KEY_BYTES) return archiveKey(decoded);
  }
  if (content.byteLength === KEY_BYTES) return archiveKey(content);
  throw new ArchiveError(
    'key',
    `${source} must hold 32 bytes: 64 hex characters, base64, or 32 raw bytes (got ${content.byteLength} bytes)`,
  );
}

export async function loadKeyFile(path: string): Promise<ArchiveKey> {
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (error) {
    throw new ArchiveError('key', `key file ${path} cannot be read`, { cause: error });
  }
  return parseKeyFile(content, `key file ${path}`);
}

export function encrypt(plain: Uint8Array, key: ArchiveKey, iv: Buffer = randomBytes(IV_BYTES)): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(MAGIC);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, iv, body, cipher.getAuthTag()]);
}

export function decrypt(sealed: Uint8Array, key: ArchiveKey): Buffer {
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (data.byteLength < MAGIC.byteLength + IV_BYTES + TAG_BYTES) {
    throw new ArchiveError('truncated', `encrypted archive of ${data.byteLength} bytes is too short`);
  }
  if (!data.subarray(0, MAGIC.byteLength).equals(MAGIC)) {
    throw new ArchiveError('format', 'not an encrypted eco archive (magic bytes differ)');
  }
  const iv = data.subarray(MAGIC.byteLength, MAGIC.byteLength + IV_BYTES);
  const tag = data.subarray(data.byteLength - TAG_BYTES);
  const body = data.subarray(MAGIC.byteLength + IV_BYTES, data.byteLength - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
  decipher.setAAD(MAGIC);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (error) {
    throw new ArchiveError('decrypt', 'authentication failed: wrong key, or the archive was altered', {
      cause: error,
    });
  }
}
