// A client for the OCI Distribution API v2 (what CNCF Distribution, Harbor, Zot, GHCR and Docker
// Hub answer): catalog and tag paging, manifests, digests, deletes, blob sizes, image configs, with
// token and basic auth. Plain fetch; never a cloud provider's SDK.
import { createHash } from 'node:crypto';
import {
  TokenCache,
  basicAuthorization,
  parseChallenge,
  parseTokenResponse,
  tokenUrl,
  type Challenge,
  type RegistryCredentials,
} from './auth.ts';
import { RegistryError, distributionErrors, kindForStatus } from './errors.ts';
import {
  parseImageConfig,
  parseManifest,
  platformName,
  type ImageConfig,
  type Manifest,
} from './manifest.ts';
import { MANIFEST_ACCEPT, OCI_CONFIG, DOCKER_CONFIG, baseType } from './media-types.ts';
import { DEFAULT_REGISTRY_RETRY, errnoOf, sendWithRetry, type RegistryRetryOptions } from './retry.ts';
import { compressedSize, type ManifestSize } from './size.ts';

export interface RegistryClientOptions {
  /** The registry's base URL: `http://127.0.0.1:5000`, `https://registry.example.com`. */
  url: string;
  credentials?: RegistryCredentials | undefined;
  /** Per request (each attempt), default 10 s. */
  timeoutMs?: number;
  retry?: Partial<RegistryRetryOptions>;
  /** Page size asked of `_catalog` and `tags/list` (`n`), default 100. */
  pageSize?: number;
  /** Aborts every request (the run's ctx.signal). */
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface ManifestResult extends ManifestHead {
  manifest: Manifest;
}

export interface PlatformSize extends ManifestSize {
  /** `linux/amd64`, or undefined for a single-image manifest. */
  platform: string | undefined;
  /** The image manifest's digest. */
  digest: string;
}

export interface ImageSize {
  /** Digest of what the reference resolved to (an index or a manifest). */
  digest: string;
  mediaType: string;
  /** One entry per platform of an index (attestations skipped), or one for a single manifest. */
  platforms: PlatformSize[];
}

export interface RegistryClient {
  /** `host:port` of the registry, as errors and reports name it. */
  readonly registry: string;
  /** `GET /v2/`: resolves when the registry answers (after auth), throws RegistryError otherwise. */
  ping(): Promise<void>;
  /** Every repository, following `Link` paging. */
  repositories(): AsyncIterable<string>;
  listRepositories(): Promise<string[]>;
  /** Every tag of a repository, following `Link` paging; a repository without tags yields none. */
  tags(repository: string): AsyncIterable<string>;
  listTags(repository: string): Promise<string[]>;
  /** A manifest or index by tag or digest, with its digest (of the bytes served). */
  getManifest(repository: string, reference: string): Promise<ManifestResult>;
  /** `HEAD`: digest (`Docker-Content-Digest`), media type and size without the body. */
  headManifest(repository: string, reference: string): Promise<ManifestHead>;
  /** `DELETE` by digest (tags cannot be deleted directly in Distribution). */
  deleteManifest(repository: string, digest: string): Promise<void>;
  /** `HEAD` of a blob: its size in bytes. */
  blobSize(repository: string, digest: string): Promise<number>;
  /** The image config blob (labels, history, created) of an image manifest. */
  getImageConfig(repository: string, configDigest: string): Promise<ImageConfig>;
  /** Compressed size per platform of a tag or digest. */
  imageSize(repository: string, reference: string): Promise<ImageSize>;
}

/** Bodies larger than this are refused: manifests are limited to 4 MiB by registries. */
const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;
/** A bound on paging, against a registry whose `Link` never ends. */
const MAX_PAGES = 10_000;

interface Exchange {
  method: 'GET' | 'HEAD' | 'DELETE';
  path: string;
  accept?: string;
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const base = new URL(options.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`registry URL must be http(s): ${options.url}`);
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const registry = base.host;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retry = { ...DEFAULT_REGISTRY_RETRY, ...options.retry, timeoutMs };
  const pageSize = options.pageSize ?? 100;
  const tokens = new TokenCache();
  /** The bearer challenge last seen per resource and action class, to send its token up front. */
  const challenges = new Map<string, Challenge>();
  let basicKnown = false;

  function fail(
    exchange: Exchange,
    init: { kind: RegistryError['kind']; detail: string; status?: number; body?: string; cause?: unknown },
  ): RegistryError {
    return new RegistryError({
      kind: init.kind,
      registry,
      method: exchange.method,
      path: exchange.path,
      ...(init.status !== undefined ? { status: init.status } : {}),
      ...(init.body !== undefined ? { errors: distributionErrors(init.body) } : {}),
      detail: init.detail,
      ...(init.cause !== undefined ? { cause: init.cause } : {}),
    });
  }

  function resourceKey(exchange: Exchange): string {
    const actions = exchange.method === 'DELETE' ? 'delete' : 'pull';
    const repo = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(exchange.path)?.[1];
    return `${repo ? `repository:${repo}` : exchange.path.split('?')[0]} ${actions}`;
  }

  function authorizationFor(exchange: Exchange): string | undefined {
    const challenge = challenges.get(resourceKey(exchange));
    if (challenge) {
      const cached = tokens.get(cacheKey(challenge), now());
      if (cached) return `Bearer ${cached}`;
    }
    if (basicKnown && options.credentials) return basicAuthorization(options.credentials);
    return undefined;
  }

  async function send(exchange: Exchange, url: URL, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = {};
    if (exchange.accept) headers.accept = exchange.accept;
    if (authorization) headers.authorization = authorization;
    try {
      return await sendWithRetry(
        exchange.method,
        (signal) => doFetch(url, { method: exchange.method, headers, signal }),
        retry,
        options.signal,
      );
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw fail(exchange, {
        kind: 'unreachable',
        detail: timedOut
          ? `no answer within ${timeoutMs} ms`
          : `${errnoOf(error) ?? 'network error'}: ${describe(error)}`,
        cause: error,
      });
    }
  }

  /** One exchange with the auth dance: a 401 challenge gets a token (or basic) and one more try. */
  async function request(exchange: Exchange, url: URL = urlFor(exchange.path)): Promise<Response> {
    let response = await send(exchange, url, authorizationFor(exchange));
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers.get('www-authenticate'));
    const firstBody = await safeText(response);
    if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      const token = await fetchToken(exchange, challenge);
      challenges.set(resourceKey(exchange), challenge);
      response = await send(exchange, url, `Bearer ${token}`);
    } else if (challenge?.scheme === 'basic' && options.credentials && !basicKnown) {
      basicKnown = true;
      response = await send(exchange, url, basicAuthorization(options.credentials));
    } else {
      throw fail(exchange, {
        kind: 'unauthorized',
        status: 401,
        body: firstBody,
        detail: options.credentials
          ? 'credentials refused'
          : 'the registry wants credentials and none are configured',
      });
    }
    if (response.status === 401) {
      throw fail(exchange, {
        kind: 'unauthorized',
        status: 401,
        body: await safeText(response),
        detail: options.credentials ? 'credentials refused' : 'anonymous access refused',
      });
    }
    return response;
  }

  async function fetchToken(exchange: Exchange, challenge: Challenge): Promise<string> {
    const key = cacheKey(challenge);
    const cached = tokens.get(key, now());
    if (cached) return cached;
    let url: URL;
    try {
      url = tokenUrl(challenge);
    } catch {
      throw fail(exchange, {
        kind: 'bad-response',
        status: 401,
        detail: `bad token realm "${challenge.params.realm}"`,
      });
    }
    const headers: Record<string, string> = {};
    if (options.credentials) headers.authorization = basicAuthorization(options.credentials);
    let response: Response;
    try {
      response = await sendWithRetry(
        'GET',
        (signal) => doFetch(url, { headers, signal }),
        retry,
        options.signal,
      );
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw fail(exchange, {
        kind: 'unreachable',
        detail: `token service ${url.host}: ${errnoOf(error) ?? describe(error)}`,
        cause: error,
      });
    }
    const text = await safeText(response);
    if (response.status === 401 || response.status === 403) {
      throw fail(exchange, {
        kind: 'unauthorized',
        status: response.status,
        detail: `token service ${url.host} refused ${options.credentials ? 'the credentials' : 'anonymous access'}`,
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const token = response.ok ? parseTokenResponse(parsed, now()) : undefined;
    if (!token) {
      throw fail(exchange, {
        kind: 'bad-response',
        status: response.status,
        detail: `token service ${url.host} answered ${response.status} without a token`,
      });
    }
    tokens.set(key, token);
    return token.token;
  }

  function urlFor(path: string): URL {
    return new URL(`${basePath}${path}`, base);
  }

  /** Throws the RegistryError for a non-2xx answer. */
  async function expectOk(exchange: Exchange, response: Response): Promise<Response> {
    if (response.ok) return response;
    const body = exchange.method === 'HEAD' ? '' : await safeText(response);
    const errors = distributionErrors(body);
    const detail =
      errors[0]?.message ??
      errors[0]?.code ??
      (body.trim().slice(0, 200) || response.statusText || 'no detail');
    throw fail(exchange, {
      kind: kindForStatus(response.status, exchange.method),
      status: response.status,
      body,
      detail,
    });
  }

  async function readJson(
    exchange: Exchange,
    response: Response,
  ): Promise<{ value: unknown; bytes: Buffer }> {
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_DOCUMENT_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      throw fail(exchange, {
        kind: 'bad-response',
        status: response.status,
        detail: `document of ${declared} bytes is too large`,
      });
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > MAX_DOCUMENT_BYTES) {
      throw fail(exchange, {
        kind: 'bad-response',
        status: response.status,
        detail: `document of ${bytes.length} bytes is too large`,
      });
    }
    try {
      return { value: JSON.parse(bytes.toString('utf8')), bytes };
    } catch {
      throw fail(exchange, { kind: 'bad-response', status: response.status, detail: 'the body is not JSON' });
    }
  }

  async function* paged(
    firstPath: string,
    field: 'repositories' | 'tags',
    notFoundIsEmpty: boolean,
  ): AsyncGenerator<string> {
    let url: URL | undefined = urlFor(firstPath);
    const seen = new Set<string>();
    for (let page = 0; url && page < MAX_PAGES; page++) {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      const exchange: Exchange = { method: 'GET', path: url.pathname.slice(basePath.length) + url.search };
      const response = await request(exchange, url);
      if (notFoundIsEmpty && response.status === 404) {
        await safeText(response);
        return;
      }
      await expectOk(exchange, response);
      const next = nextLink(response.headers.get('link'), url);
      const { value } = await readJson(exchange, response);
      const list = (value as Record<string, unknown> | null)?.[field];
      if (list !== null && list !== undefined && !Array.isArray(list)) {
        throw fail(exchange, {
          kind: 'bad-response',
          status: response.status,
          detail: `"${field}" is not a list`,
        });
      }
      for (const item of (list as unknown[] | null | undefined) ?? [])
        if (typeof item === 'string') yield item;
      url = next;
    }
  }

  const client: RegistryClient = {
    registry,

    async ping() {
      const exchange: Exchange = { method: 'GET', path: '/v2/' };
      const response = await expectOk(exchange, await request(exchange));
      await safeText(response);
    },

    repositories() {
      return paged(`/v2/_catalog?n=${pageSize}`, 'repositories', false);
    },

    async listRepositories() {
      return collect(client.repositories());
    },

    tags(repository) {
      // Distribution answers NAME_UNKNOWN (404) for a repository whose tags were all deleted.
      return paged(`/v2/${repoPath(repository)}/tags/list?n=${pageSize}`, 'tags', true);
    },

    async listTags(repository) {
      return collect(client.tags(repository));
    },

    async getManifest(repository, reference) {
      const exchange: Exchange = {
        method: 'GET',
        path: `/v2/${repoPath(repository)}/manifests/${encodeReference(reference)}`,
        accept: MANIFEST_ACCEPT,
      };
      const response = await expectOk(exchange, await request(exchange));
      const contentType = baseType(response.headers.get('content-type') ?? '');
      const { value, bytes } = await readJson(exchange, response);
      let manifest: Manifest;
      try {
        manifest = parseManifest(value, contentType);
      } catch (error) {
        throw fail(exchange, { kind: 'bad-response', status: response.status, detail: describe(error) });
      }
      // The digest of the bytes served is the one a pull by digest would verify.
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      return { manifest, digest, mediaType: manifest.mediaType || contentType, size: bytes.length };
    },

    async headManifest(repository, reference) {
      const exchange: Exchange = {
        method: 'HEAD',
        path: `/v2/${repoPath(repository)}/manifests/${encodeReference(reference)}`,
        accept: MANIFEST_ACCEPT,
      };
      const response = await expectOk(exchange, await request(exchange));
      const digest = response.headers.get('docker-content-digest');
      if (!digest) {
        throw fail(exchange, {
          kind: 'bad-response',
          status: response.status,
          detail: 'no Docker-Content-Digest header',
        });
      }
      return {
        digest,
        mediaType: baseType(response.headers.get('content-type') ?? ''),
        size: Number(response.headers.get('content-length') ?? '0'),
      };
    },

    async deleteManifest(repository, digest) {
      if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest)) {
        throw new Error(
          `deleteManifest needs a digest, got "${digest}" (Distribution deletes by digest only)`,
        );
      }
      const exchange: Exchange = {
        method: 'DELETE',
        path: `/v2/${repoPath(repository)}/manifests/${digest}`,
      };
      const response = await expectOk(exchange, await request(exchange));
      await safeText(response);
    },

    async blobSize(repository, digest) {
      const exchange: Exchange = { method: 'HEAD', path: `/v2/${repoPath(repository)}/blobs/${digest}` };
      const response = await expectOk(exchange, await request(exchange));
      const length = Number(response.headers.get('content-length'));
      if (!Number.isSafeInteger(length) || length < 0) {
        throw fail(exchange, {
          kind: 'bad-response',
          status: response.status,
          detail: 'no Content-Length on the blob',
        });
      }
      return length;
    },

    async getImageConfig(repository, configDigest) {
      const exchange: Exchange = {
        method: 'GET',
        path: `/v2/${repoPath(repository)}/blobs/${configDigest}`,
        accept: `${OCI_CONFIG}, ${DOCKER_CONFIG}, application/json;q=0.5, */*;q=0.1`,
      };
      const response = await expectOk(exchange, await request(exchange));
      const { value } = await readJson(exchange, response);
      try {
        return parseImageConfig(value);
      } catch (error) {
        throw fail(exchange, { kind: 'bad-response', status: response.status, detail: describe(error) });
      }
    },

    async imageSize(repository, reference) {
      const top = await client.getManifest(repository, reference);
      if (top.manifest.kind === 'manifest') {
        return {
          digest: top.digest,
          mediaType: top.mediaType,
          platforms: [{ platform: undefined, digest: top.digest, ...compressedSize(top.manifest) }],
        };
      }
      const platforms: PlatformSize[] = [];
      for (const entry of top.manifest.manifests) {
        // BuildKit's attestation manifests carry platform unknown/unknown: not an image to run.
        if (entry.platform?.os === 'unknown') continue;
        const child = await client.getManifest(repository, entry.digest);
        if (child.manifest.kind !== 'manifest') continue;
        platforms.push({
          platform: entry.platform ? platformName(entry.platform) : undefined,
          digest: entry.digest,
          ...compressedSize(child.manifest),
        });
      }
      return { digest: top.digest, mediaType: top.mediaType, platforms };
    },
  };
  return client;
}

function cacheKey(challenge: Challenge): string {
  return TokenCache.key(challenge.params.realm ?? '', challenge.params.service, challenge.params.scope);
}

/** The `rel="next"` target of a Link header, resolved against the page it came with. */
export function nextLink(header: string | null, current: URL): URL | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /(?:^|;)\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(match[2] ?? '')) {
      return new URL(match[1] ?? '', current);
    }
  }
  return undefined;
}

function repoPath(repository: string): string {
  if (
    !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)
  ) {
    throw new Error(`invalid repository name "${repository}"`);
  }
  return repository;
}

function encodeReference(reference: string): string {
  if (
    !/^[\w][\w.-]{0,127}$/.test(reference) &&
    !/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(reference)
  ) {
    throw new Error(`invalid tag or digest "${reference}"`);
  }
  return reference;
}

async function collect(items: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function safeText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
