export {
  DEFAULT_MAX_UNPACKED_BYTES,
  checkItemPath,
  packArchive,
  serializeItem,
  unpackArchive,
} from './archive.ts';
export type { ArchiveItem, PackOptions, PackedArchive, UnpackOptions } from './archive.ts';
export { KEY_BYTES, archiveKey, decrypt, encrypt, loadKeyFile, parseKeyFile } from './encryption.ts';
export type { ArchiveKey } from './encryption.ts';
export { ArchiveError, isArchiveError } from './errors.ts';
export type { ArchiveFailure } from './errors.ts';
export {
  ARCHIVE_FORMAT,
  ArchiveManifestSchema,
  INNER_MANIFEST,
  parseInnerManifest,
  parseManifest,
} from './manifest.ts';
export type { ArchiveItemEntry, ArchiveManifest, InnerManifest } from './manifest.ts';
