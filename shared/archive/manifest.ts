// The manifest: what an archive holds and the SHA-256 of every item and of the archive itself. It is
// stored beside the archive (the archive cannot carry its own hash); the archive also holds a copy
// without the `archive` section as its first entry, so each item is checked even without the outer one.
import * as Type from '../schema/index.ts';
import type { Static } from '../schema/index.ts';
import { Errors } from '@sinclair/typebox/errors';
import { Check } from '@sinclair/typebox/value';
import { ArchiveError } from './errors.ts';

export const ARCHIVE_FORMAT = 'eco-archive/v1';
/** The name of the inner manifest entry; no item may use it. */
export const INNER_MANIFEST = 'manifest.json';

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });

export const ArchiveItemEntrySchema = Type.Object({
  path: Type.String({ minLength: 1 }),
  sha256: Sha256,
  size: Type.Integer({ minimum: 0 }),
});

export const InnerManifestSchema = Type.Object({
  format: Type.Literal(ARCHIVE_FORMAT),
  createdAt: Type.String({ minLength: 1 }),
  labels: Type.Record(Type.String(), Type.String()),
  items: Type.Array(ArchiveItemEntrySchema),
});

export const ArchiveManifestSchema = Type.Composite([
  InnerManifestSchema,
  Type.Object({
    archive: Type.Object({
      sha256: Sha256,
      size: Type.Integer({ minimum: 0 }),
      compression: Type.Literal('gzip'),
      encryption: Type.Union([Type.Literal('none'), Type.Literal('aes-256-gcm')]),
      /** Which key (first 16 hex of its SHA-256), so a wrong key file is named before decrypting. */
      keyId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{16}$' })),
    }),
  }),
]);

export type ArchiveItemEntry = Static<typeof ArchiveItemEntrySchema>;
export type InnerManifest = Static<typeof InnerManifestSchema>;
export type ArchiveManifest = Static<typeof ArchiveManifestSchema>;

/** A manifest read back from storage, checked field by field. */
export function parseManifest(bytes: Uint8Array | string): ArchiveManifest {
  return checked(ArchiveManifestSchema, bytes, 'manifest');
}

export function parseInnerManifest(bytes: Uint8Array | string): InnerManifest {
  return checked(InnerManifestSchema, bytes, 'inner manifest');
}

function checked<S extends typeof ArchiveManifestSchema | typeof InnerManifestSchema>(
  schema: S,
  bytes: Uint8Array | string,
  what: string,
): Static<S> {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new ArchiveError('format', `${what} is not JSON`, { cause: error });
  }
  if (!Check(schema, value)) {
    const first = Errors(schema, value).First();
    const where = first?.path === undefined || first.path === '' ? '' : ` at ${first.path}`;
    throw new ArchiveError('format', `${what} is malformed${where}: ${first?.message ?? 'unknown shape'}`);
  }
  return value;
}
