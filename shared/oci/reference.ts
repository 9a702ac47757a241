// Image references as Kubernetes and the container runtimes read them (the grammar of
// distribution/reference): `[host[:port]/]path[:tag][@digest]`. A first component is a host only
// when it has a `.` or a `:` or is `localhost`; no host means Docker Hub, where a one-component path
// is an official image under `library/`.

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's Distribution API actually answers. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

export interface ImageReference {
  /** Registry host, with port when given; `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/nginx`. */
  repository: string;
  /** The tag as written; undefined when the reference has none (runtimes then pull `latest`). */
  tag: string | undefined;
  /** `algorithm:hex` when the reference pins a digest. */
  digest: string | undefined;
}

export class ImageReferenceError extends Error {
  override readonly name = 'ImageReferenceError';
  constructor(
    readonly reference: string,
    reason: string,
  ) {
    super(`invalid image reference "${reference}": ${reason}`);
  }
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d{1,5})?$|^\[[0-9a-fA-F:.]+\](?::\d{1,5})?$/;

/** Parses an image reference; throws ImageReferenceError naming what is wrong. */
export function parseImageReference(input: string): ImageReference {
  const text = input.trim();
  if (text === '') throw new ImageReferenceError(input, 'empty');
  if (text.length > 4096) throw new ImageReferenceError(input.slice(0, 64), 'longer than 4096 characters');

  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new ImageReferenceError(input, `bad digest "${digest}"`);
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw new ImageReferenceError(input, `bad tag "${tag}"`);
  }

  let registry = DOCKER_HUB;
  let path = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash !== -1) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      if (!HOST.test(first)) throw new ImageReferenceError(input, `bad registry host "${first}"`);
      registry = first === 'index.docker.io' ? DOCKER_HUB : first;
      path = rest.slice(firstSlash + 1);
    }
  }
  if (path === '') throw new ImageReferenceError(input, 'no repository');
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw new ImageReferenceError(
        input,
        component === '' ? 'empty path component' : `bad repository component "${component}"`,
      );
    }
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { registry, repository: path, tag, digest };
}

/** Like parseImageReference, but undefined instead of an error. */
export function tryParseImageReference(input: string): ImageReference | undefined {
  try {
    return parseImageReference(input);
  } catch {
    return undefined;
  }
}

/** What to ask the registry for: the digest when pinned, else the tag, else `latest`. */
export function pullReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The fully qualified form: `docker.io/library/nginx:latest`, `host:5000/app@sha256:...`. */
export function formatImageReference(ref: ImageReference): string {
  const tag = ref.tag !== undefined ? `:${ref.tag}` : '';
  const digest = ref.digest !== undefined ? `@${ref.digest}` : '';
  return `${ref.registry}/${ref.repository}${tag}${digest}`;
}

/** The host the registry's API answers at (Docker Hub's differs from its name). */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/**
 * The digest in a container status `imageID`: `docker-pullable://repo@sha256:…`,
 * `docker.io/library/nginx@sha256:…` or a bare `sha256:…` (containerd's image id, a config digest).
 */
export function digestOfImageId(imageId: string): string | undefined {
  const withoutScheme = imageId.replace(/^[a-z-]+:\/\//, '');
  const at = withoutScheme.lastIndexOf('@');
  const candidate = at === -1 ? withoutScheme : withoutScheme.slice(at + 1);
  return DIGEST.test(candidate) ? candidate : undefined;
}
