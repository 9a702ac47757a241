/** Why an archive was refused. Each is a reason to apply nothing from it. */
export type ArchiveFailure =
  | 'checksum' // the bytes, or an item, do not hash to what the manifest records
  | 'truncated' // shorter than recorded, or the compressed or tar stream ends early
  | 'format' // not an archive of this format, or its manifest is malformed
  | 'decrypt' // wrong key, or ciphertext altered (AES-GCM authentication failed)
  | 'key' // encrypted and no key given, or the key file is unusable
  | 'too-large' // unpacks to more than the caller allows
  | 'invalid-item'; // an item path or content the format does not allow

/** An archive that cannot be written or must not be restored; `failure` says why. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
  readonly failure: ArchiveFailure;

  constructor(failure: ArchiveFailure, message: string, options?: { cause?: unknown }) {
    super(`archive ${failure}: ${message}`, options);
    this.failure = failure;
  }
}

export function isArchiveError(value: unknown): value is ArchiveError {
  return value instanceof ArchiveError;
}
