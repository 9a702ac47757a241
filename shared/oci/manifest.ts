// The shapes of OCI image-spec v1.1 and Docker v2 schema 2 manifests, indexes and configs (the
// Docker shapes are field-compatible with OCI's), and checks that turn a registry's JSON into them.
import { isImageMediaType, isIndexMediaType } from './media-types.ts';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
}

export interface PlatformDescriptor extends Descriptor {
  platform?: Platform;
}

export interface ImageManifest {
  kind: 'manifest';
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  kind: 'index';
  schemaVersion: 2;
  mediaType: string;
  manifests: PlatformDescriptor[];
  annotations?: Record<string, string>;
}

export type Manifest = ImageManifest | ImageIndex;

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The parts of an image config the bots read. */
export interface ImageConfig {
  created?: string;
  architecture?: string;
  os?: string;
  labels: Record<string, string>;
  user?: string;
  history: HistoryEntry[];
}

export class ManifestShapeError extends Error {
  override readonly name = 'ManifestShapeError';
}

/**
 * Reads a manifest or index from its JSON; `contentType` (the response's) decides when the body
 * carries no `mediaType` (allowed by OCI). Throws ManifestShapeError naming the bad field.
 */
export function parseManifest(body: unknown, contentType?: string): Manifest {
  if (!isRecord(body)) throw new ManifestShapeError('manifest is not a JSON object');
  if (body.schemaVersion !== 2) {
    throw new ManifestShapeError(`unsupported schemaVersion ${JSON.stringify(body.schemaVersion)}`);
  }
  const mediaType = typeof body.mediaType === 'string' ? body.mediaType : (contentType ?? '');
  const annotations = stringMap(body.annotations);
  const looksLikeIndex = Array.isArray(body.manifests);
  if (isIndexMediaType(mediaType) || (mediaType === '' && looksLikeIndex)) {
    if (!Array.isArray(body.manifests)) throw new ManifestShapeError('index has no manifests[]');
    return {
      kind: 'index',
      schemaVersion: 2,
      mediaType,
      manifests: body.manifests.map((entry, i) => platformDescriptor(entry, `manifests[${i}]`)),
      ...(annotations ? { annotations } : {}),
    };
  }
  if (isImageMediaType(mediaType) || mediaType === '') {
    if (!Array.isArray(body.layers)) throw new ManifestShapeError('manifest has no layers[]');
    return {
      kind: 'manifest',
      schemaVersion: 2,
      mediaType,
      config: descriptor(body.config, 'config'),
      layers: body.layers.map((entry, i) => descriptor(entry, `layers[${i}]`)),
      ...(typeof body.artifactType === 'string' ? { artifactType: body.artifactType } : {}),
      ...(annotations ? { annotations } : {}),
    };
  }
  throw new ManifestShapeError(`unsupported manifest media type "${mediaType}"`);
}

/** Reads the image config blob (OCI or Docker); unknown fields are ignored. */
export function parseImageConfig(body: unknown): ImageConfig {
  if (!isRecord(body)) throw new ManifestShapeError('image config is not a JSON object');
  const inner = isRecord(body.config) ? body.config : {};
  const history = Array.isArray(body.history) ? body.history.filter(isRecord).map(historyEntry) : [];
  const config: ImageConfig = { labels: stringMap(inner.Labels) ?? {}, history };
  if (typeof body.created === 'string') config.created = body.created;
  if (typeof body.architecture === 'string') config.architecture = body.architecture;
  if (typeof body.os === 'string') config.os = body.os;
  if (typeof inner.User === 'string' && inner.User !== '') config.user = inner.User;
  return config;
}

function historyEntry(entry: Record<string, unknown>): HistoryEntry {
  const out: HistoryEntry = {};
  if (typeof entry.created === 'string') out.created = entry.created;
  if (typeof entry.created_by === 'string') out.created_by = entry.created_by;
  if (typeof entry.comment === 'string') out.comment = entry.comment;
  if (entry.empty_layer === true) out.empty_layer = true;
  return out;
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isRecord(value)) throw new ManifestShapeError(`${where} is not an object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string') throw new ManifestShapeError(`${where}.mediaType is missing`);
  if (typeof digest !== 'string' || !digest.includes(':')) {
    throw new ManifestShapeError(`${where}.digest is missing or malformed`);
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ManifestShapeError(`${where}.size is not a non-negative integer`);
  }
  const out: Descriptor = { mediaType, digest, size };
  const annotations = stringMap(value.annotations);
  if (annotations) out.annotations = annotations;
  if (Array.isArray(value.urls)) out.urls = value.urls.filter((u): u is string => typeof u === 'string');
  return out;
}

function platformDescriptor(value: unknown, where: string): PlatformDescriptor {
  const out: PlatformDescriptor = descriptor(value, where);
  const platform = isRecord(value) ? value.platform : undefined;
  if (isRecord(platform) && typeof platform.architecture === 'string' && typeof platform.os === 'string') {
    out.platform = { architecture: platform.architecture, os: platform.os };
    if (typeof platform.variant === 'string') out.platform.variant = platform.variant;
    if (typeof platform['os.version'] === 'string') out.platform['os.version'] = platform['os.version'];
  }
  return out;
}

/** `linux/arm64/v8`-style name of a platform. */
export function platformName(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') out[key] = entry;
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
