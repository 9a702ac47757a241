// The manifest media types a registry may answer with, and the Accept header that asks for all of
// them. Without an explicit Accept, Distribution may down-convert to a Docker schema 1 manifest,
// whose digest differs from the one a pod's imageID names; so every manifest GET and HEAD sends it.

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';

/** Index-like media types: a list of per-platform manifests. */
export const INDEX_MEDIA_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];
/** Single-image manifest media types: a config and layers. */
export const IMAGE_MEDIA_TYPES: readonly string[] = [OCI_MANIFEST, DOCKER_MANIFEST];

/** Sent with every manifest request: indexes first, so a multi-platform tag answers with its index. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(', ');

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_MEDIA_TYPES.includes(baseType(mediaType));
}

export function isImageMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && IMAGE_MEDIA_TYPES.includes(baseType(mediaType));
}

/** The media type without parameters (`; charset=utf-8`). */
export function baseType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}
