// The OCI client's pure parts, table-driven: image references, challenges, Link paging, credentials
// files, the allow-list, manifest shapes and sizes; and the client's paging and retries against a
// stubbed fetch where a real registry cannot show them (Distribution 2.8 does not page tags).
import { describe, expect, it } from 'vitest';
import {
  DOCKER_MANIFEST,
  ManifestShapeError,
  OCI_INDEX,
  compressedSize,
  createRegistryAllowList,
  createRegistryClient,
  credentialsFromText,
  digestOfImageId,
  isCloudProviderRegistry,
  isRegistryError,
  nextLink,
  parseChallenge,
  parseImageConfig,
  parseImageReference,
  parseManifest,
  parseTokenResponse,
  pullReference,
  tokenUrl,
  formatImageReference,
} from '../../../shared/oci/index.ts';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageReference', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', undefined],
    ['bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', undefined],
    ['docker.io/nginx', 'docker.io', 'library/nginx', undefined, undefined],
    ['index.docker.io/library/nginx:latest', 'docker.io', 'library/nginx', 'latest', undefined],
    ['localhost/app', 'localhost', 'app', undefined, undefined],
    ['localhost:5000/team/app:v1', 'localhost:5000', 'team/app', 'v1', undefined],
    ['127.0.0.1:5000/app@' + D, '127.0.0.1:5000', 'app', undefined, D],
    ['ghcr.io/org/app:v2@' + D, 'ghcr.io', 'org/app', 'v2', D],
    [
      'registry.example.com:8443/a/b/c:tag_1.0-rc',
      'registry.example.com:8443',
      'a/b/c',
      'tag_1.0-rc',
      undefined,
    ],
    ['europe-docker.pkg.dev/p/r/img', 'europe-docker.pkg.dev', 'p/r/img', undefined, undefined],
  ])('%s', (input, registry, repository, tag, digest) => {
    expect(parseImageReference(input)).toEqual({ registry, repository, tag, digest });
  });

  it.each([
    ['', /empty/],
    ['UPPER/case', /bad repository component "UPPER"/],
    ['app:bad tag', /bad tag/],
    ['app@sha256:short', /bad digest/],
    ['a//b', /empty path component/],
    ['host.example.com/', /no repository/],
  ])('rejects %j', (input, message) => {
    expect(() => parseImageReference(input)).toThrow(message);
  });

  it('pulls by digest, else tag, else latest; formats fully qualified', () => {
    expect(pullReference(parseImageReference('nginx'))).toBe('latest');
    expect(pullReference(parseImageReference('nginx:1'))).toBe('1');
    expect(pullReference(parseImageReference(`nginx:1@${D}`))).toBe(D);
    expect(formatImageReference(parseImageReference('nginx'))).toBe('docker.io/library/nginx');
  });
});

describe('digestOfImageId', () => {
  it.each([
    [`docker-pullable://nginx@${D}`, D],
    [`docker.io/library/nginx@${D}`, D],
    [D, D],
    ['docker://sha256:abc', undefined],
    ['', undefined],
  ])('%s', (input, digest) => {
    expect(digestOfImageId(input)).toBe(digest);
  });
});

describe('parseChallenge and tokenUrl', () => {
  it('reads a bearer challenge whose scope holds commas', () => {
    const challenge = parseChallenge(
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:samalba/my-app:pull,push"',
    );
    expect(challenge).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example.com/token',
        service: 'registry.example.com',
        scope: 'repository:samalba/my-app:pull,push',
      },
    });
    const url = tokenUrl(challenge!);
    expect(url.searchParams.get('service')).toBe('registry.example.com');
    expect(url.searchParams.getAll('scope')).toEqual(['repository:samalba/my-app:pull,push']);
  });

  it('reads basic, unquoted values and nothing', () => {
    expect(parseChallenge('Basic realm="eco"')).toEqual({ scheme: 'basic', params: { realm: 'eco' } });
    expect(parseChallenge('Bearer realm=http://x/t, service=s')?.params).toEqual({
      realm: 'http://x/t',
      service: 's',
    });
    expect(parseChallenge(null)).toBeUndefined();
  });

  it('splits space-separated scopes into one parameter each', () => {
    const url = tokenUrl({
      scheme: 'bearer',
      params: { realm: 'http://t/token', scope: 'a:b:pull c:d:push' },
    });
    expect(url.searchParams.getAll('scope')).toEqual(['a:b:pull', 'c:d:push']);
  });
});

describe('parseTokenResponse', () => {
  const now = Date.parse('2026-05-01T00:00:00Z');
  it.each([
    [{ token: 't', expires_in: 300 }, 't', now + 290_000],
    [{ access_token: 'a' }, 'a', now + 50_000],
    [{ token: 't', expires_in: 300, issued_at: '2026-04-30T23:59:00Z' }, 't', now - 60_000 + 290_000],
  ])('%j', (body, token, expiresAt) => {
    expect(parseTokenResponse(body, now)).toEqual({ token, expiresAt });
  });
  it('is undefined without a token', () => {
    expect(parseTokenResponse({ expires_in: 5 }, now)).toBeUndefined();
    expect(parseTokenResponse('x', now)).toBeUndefined();
  });
});

describe('nextLink', () => {
  const current = new URL('http://r:5000/v2/_catalog?n=2');
  it.each([
    ['</v2/_catalog?last=b&n=2>; rel="next"', 'http://r:5000/v2/_catalog?last=b&n=2'],
    ['<https://other/v2/_catalog?last=b>; rel=next', 'https://other/v2/_catalog?last=b'],
    ['</v2/x?p=1>; rel="prev", </v2/x?p=3>; rel="next"', 'http://r:5000/v2/x?p=3'],
    ['</v2/x?p=1>; rel="prev"', undefined],
    [null, undefined],
  ])('%j', (header, expected) => {
    expect(nextLink(header, current)?.href).toBe(expected);
  });
});

describe('credentialsFromText', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  it.each([
    ['user:pa:ss\n', 'any', { username: 'user', password: 'pa:ss' }],
    [
      JSON.stringify({ auths: { 'r:5000': { auth: b64('u:p') } } }),
      'r:5000',
      { username: 'u', password: 'p' },
    ],
    [
      JSON.stringify({ auths: { 'https://r.example/v1/': { username: 'u', password: 'p' } } }),
      'r.example',
      { username: 'u', password: 'p' },
    ],
    [
      JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } } }),
      'docker.io',
      { username: 'hub', password: 'pw' },
    ],
    [JSON.stringify({ auths: { other: { auth: b64('u:p') } } }), 'r:5000', undefined],
  ])('%s for %s', (text, registry, expected) => {
    expect(credentialsFromText(text, registry)).toEqual(expected);
  });
  it.each([['{nope'], ['{"x":1}'], ['no-colon']])('rejects %s', (text) => {
    expect(() => credentialsFromText(text, 'r', 'secret')).toThrow(/^secret: /);
  });
});

describe('registry allow-list', () => {
  const allowed = createRegistryAllowList([
    'registry.example.com',
    '*.corp.example',
    '127.0.0.1:5000',
    'docker.io',
  ]);
  it.each([
    ['registry.example.com', true],
    ['REGISTRY.example.com', true],
    ['registry.example.com:443', false],
    ['a.corp.example', true],
    ['corp.example', false],
    ['127.0.0.1:5000', true],
    ['127.0.0.1:5001', false],
    ['index.docker.io', true],
    ['ghcr.io', false],
  ])('%s → %s', (host, expected) => {
    expect(allowed(host)).toBe(expected);
  });
  it('an empty list allows nothing, * everything', () => {
    expect(createRegistryAllowList([])('ghcr.io')).toBe(false);
    expect(createRegistryAllowList(['*'])('ghcr.io')).toBe(true);
  });
  it.each([
    ['gcr.io', true],
    ['eu.gcr.io', true],
    ['europe-west1-docker.pkg.dev', true],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', true],
    ['public.ecr.aws', true],
    ['myregistry.azurecr.io', true],
    ['mcr.microsoft.com', true],
    ['ghcr.io', false],
    ['cgr.dev', false],
    ['quay.io', false],
  ])('cloud provider registry %s → %s', (host, expected) => {
    expect(isCloudProviderRegistry(host)).toBe(expected);
  });
});

describe('parseManifest, parseImageConfig, compressedSize', () => {
  const manifest = {
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: D },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 32654, digest: D },
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 16724, digest: D },
    ],
  };

  it('sizes a Docker v2 manifest as config + layers', () => {
    const parsed = parseManifest(manifest);
    if (parsed.kind !== 'manifest') throw new Error('expected a manifest');
    expect(compressedSize(parsed)).toEqual({
      bytes: 7023 + 32654 + 16724,
      configBytes: 7023,
      layerBytes: 49378,
      layers: 2,
    });
  });

  it('reads an index without mediaType from the Content-Type, with platforms', () => {
    const index = parseManifest(
      {
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'x',
            size: 1,
            digest: D,
            platform: { architecture: 'arm', os: 'linux', variant: 'v7' },
          },
        ],
      },
      OCI_INDEX,
    );
    expect(index).toMatchObject({
      kind: 'index',
      mediaType: OCI_INDEX,
      manifests: [{ platform: { variant: 'v7' } }],
    });
  });

  it.each([
    [null, /not a JSON object/],
    [{ schemaVersion: 1 }, /schemaVersion 1/],
    [{ schemaVersion: 2, mediaType: 'text/plain' }, /unsupported manifest media type/],
    [{ ...manifest, layers: [{ mediaType: 'x', digest: D, size: -1 }] }, /layers\[0\]\.size/],
    [{ ...manifest, config: { mediaType: 'x', size: 1 } }, /config\.digest/],
  ])('rejects %j', (body, message) => {
    expect(() => parseManifest(body)).toThrow(ManifestShapeError);
    expect(() => parseManifest(body)).toThrow(message);
  });

  it('reads labels, history and created from a config, ignoring the rest', () => {
    const config = parseImageConfig({
      created: '2015-10-31T22:22:56.015925234Z',
      architecture: 'amd64',
      os: 'linux',
      config: { User: 'alice', Labels: { a: 'b', n: 1 } },
      history: [{ created_by: '/bin/sh -c #(nop) ADD file:abc in /', empty_layer: true }, 'junk'],
    });
    expect(config).toEqual({
      created: '2015-10-31T22:22:56.015925234Z',
      architecture: 'amd64',
      os: 'linux',
      user: 'alice',
      labels: { a: 'b' },
      history: [{ created_by: '/bin/sh -c #(nop) ADD file:abc in /', empty_layer: true }],
    });
  });
});

/** A fetch that answers from a script and records what was asked. */
function scriptedFetch(answers: ((url: URL, init: RequestInit) => Response)[]): {
  fetch: typeof fetch;
  calls: { url: string; method: string; authorization: string | undefined }[];
} {
  const calls: { url: string; method: string; authorization: string | undefined }[] = [];
  let i = 0;
  const stub = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    calls.push({
      url: url.href,
      method: init.method ?? 'GET',
      authorization: headers.get('authorization') ?? undefined,
    });
    const answer = answers[Math.min(i++, answers.length - 1)]!;
    return answer(url, init);
  };
  return { fetch: stub as typeof fetch, calls };
}

const json = (body: unknown, init: ResponseInit = {}): Response =>
  new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });

describe('client paging and retries (stubbed registry)', () => {
  it('follows tags/list Link pages to the end', async () => {
    const { fetch, calls } = scriptedFetch([
      () =>
        json(
          { name: 'a', tags: ['1', '2'] },
          { headers: { link: '</v2/a/tags/list?last=2&n=2>; rel="next"' } },
        ),
      () =>
        json(
          { name: 'a', tags: ['3', '4'] },
          { headers: { link: '</v2/a/tags/list?last=4&n=2>; rel="next"' } },
        ),
      () => json({ name: 'a', tags: ['5'] }),
    ]);
    const client = createRegistryClient({ url: 'http://r.test:5000', pageSize: 2, fetch });
    expect(await client.listTags('a')).toEqual(['1', '2', '3', '4', '5']);
    expect(calls.map((c) => c.url)).toEqual([
      'http://r.test:5000/v2/a/tags/list?n=2',
      'http://r.test:5000/v2/a/tags/list?last=2&n=2',
      'http://r.test:5000/v2/a/tags/list?last=4&n=2',
    ]);
  });

  it('stops when a Link points back to a page already read', async () => {
    const { fetch, calls } = scriptedFetch([
      () => json({ repositories: ['x'] }, { headers: { link: '</v2/_catalog?n=100>; rel="next"' } }),
    ]);
    const client = createRegistryClient({ url: 'http://r.test', fetch });
    expect(await client.listRepositories()).toEqual(['x']);
    expect(calls).toHaveLength(1);
  });

  it('retries a GET after a 503, and honours a base path', async () => {
    const { fetch, calls } = scriptedFetch([
      () => new Response('busy', { status: 503 }),
      () => json({ repositories: ['ok'] }),
    ]);
    const client = createRegistryClient({ url: 'http://r.test/mirror/', fetch, retry: { baseDelayMs: 1 } });
    expect(await client.listRepositories()).toEqual(['ok']);
    expect(calls.map((c) => c.url)).toEqual([
      'http://r.test/mirror/v2/_catalog?n=100',
      'http://r.test/mirror/v2/_catalog?n=100',
    ]);
  });

  it('does not retry a DELETE after a 500 (it may have happened)', async () => {
    const { fetch, calls } = scriptedFetch([
      () => new Response('{"errors":[{"code":"UNKNOWN","message":"boom"}]}', { status: 500 }),
    ]);
    const client = createRegistryClient({ url: 'http://r.test', fetch, retry: { baseDelayMs: 1 } });
    const error: unknown = await client.deleteManifest('a', D).catch((e: unknown) => e);
    expect(isRegistryError(error) && error.kind).toBe('server-error');
    expect(isRegistryError(error) && error.hasCode('UNKNOWN')).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('retries a DELETE the registry refused before acting (503 with Retry-After)', async () => {
    const { fetch, calls } = scriptedFetch([
      () => new Response('busy', { status: 503, headers: { 'retry-after': '0' } }),
      () => new Response(null, { status: 202 }),
    ]);
    const client = createRegistryClient({ url: 'http://r.test', fetch, retry: { baseDelayMs: 1 } });
    await client.deleteManifest('a', D);
    expect(calls.map((c) => c.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('a registry that never answers is unreachable after the per-request timeout', async () => {
    const hanging = ((_url: unknown, init: RequestInit = {}) =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof fetch;
    const client = createRegistryClient({
      url: 'http://r.test',
      fetch: hanging,
      timeoutMs: 50,
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    const error: unknown = await client.ping().catch((e: unknown) => e);
    expect(isRegistryError(error) && error.kind).toBe('unreachable');
    expect((error as Error).message).toContain('no answer within 50 ms');
  });

  it('a 405 on DELETE means deletes are disabled', async () => {
    const { fetch } = scriptedFetch([
      () =>
        json(
          { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] },
          { status: 405 },
        ),
    ]);
    const client = createRegistryClient({ url: 'http://r.test', fetch });
    const error: unknown = await client.deleteManifest('a', D).catch((e: unknown) => e);
    expect(isRegistryError(error) && error.kind).toBe('delete-disabled');
  });

  it('a body that is not JSON is a bad-response', async () => {
    const { fetch } = scriptedFetch([() => new Response('<html>', { status: 200 })]);
    const client = createRegistryClient({ url: 'http://r.test', fetch });
    const error: unknown = await client.listRepositories().catch((e: unknown) => e);
    expect(isRegistryError(error) && error.kind).toBe('bad-response');
  });

  it('rejects a URL that is not http(s)', () => {
    expect(() => createRegistryClient({ url: 'ftp://r' })).toThrow(/http\(s\)/);
  });
});
