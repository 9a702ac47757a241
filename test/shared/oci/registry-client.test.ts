// The OCI client against a real CNCF Distribution registry (Debian's docker-registry), with images
// pushed by skopeo from layouts the test builds: paging, manifests in OCI and Docker media types,
// sizes per platform, digests, deletes, token and basic auth, and a registry that is down.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
  createRegistryClient,
  isRegistryError,
  loadRegistryCredentials,
  type RegistryError,
} from '../../../shared/oci/index.ts';
import { freePort } from '../../../local/gateway/free-port.ts';
import {
  buildImageLayout,
  startRegistry,
  type BuiltImage,
  type TestRegistry,
} from '../../helpers/registry.ts';

const FAST_RETRY = { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 };

let layout: string;
let images: Record<string, BuiltImage>;

beforeAll(async () => {
  layout = await mkdtemp(path.join(tmpdir(), 'eco-oci-layout-'));
  images = await buildImageLayout(layout, [
    {
      tag: 'v1',
      platforms: [
        {
          layers: [3_000, 20_000, 700],
          labels: { 'org.example.team': 'payments' },
          created: '2026-03-01T10:00:00Z',
        },
      ],
    },
    { tag: 'v2', platforms: [{ layers: [5_000, 1_000], created: '2026-04-01T10:00:00Z', user: '65532' }] },
    {
      tag: 'multi',
      platforms: [
        { architecture: 'amd64', layers: [12_000, 4_000] },
        { architecture: 'arm64', variant: 'v8', layers: [9_000, 4_000, 2_500] },
      ],
    },
  ]);
});

afterAll(async () => {
  await rm(layout, { recursive: true, force: true });
});

async function expectRegistryError(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isRegistryError(error)) throw new Error(`expected a RegistryError, got ${String(error)}`);
  return error;
}

describe('OCI client against docker-registry (no auth)', () => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
    // Five repositories (catalog paging at n=2) and five tags in one (tags paging).
    for (const repo of ['apps/api', 'apps/web', 'base/tools', 'cache/build', 'zeta']) {
      await registry.push(layout, 'v1', repo);
    }
    for (const tag of ['v2', 'v3', 'v4', 'v5']) await registry.push(layout, 'v2', 'apps/api', tag);
    await registry.push(layout, 'multi', 'apps/multi');
    await registry.push(layout, 'v1', 'docker/app', 'v1', { format: 'v2s2' });
    await registry.push(layout, 'multi', 'docker/multi', 'multi', { format: 'v2s2' });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('pings /v2/', async () => {
    await expect(createRegistryClient({ url: registry.url }).ping()).resolves.toBeUndefined();
  });

  it('lists every repository across Link-paged catalog pages', async () => {
    const pages: string[] = [];
    const client = createRegistryClient({
      url: registry.url,
      pageSize: 2,
      fetch: (input, init) => {
        pages.push(String(input));
        return fetch(input, init);
      },
    });
    const repos = await client.listRepositories();
    expect(repos.sort()).toEqual(
      [
        'apps/api',
        'apps/multi',
        'apps/web',
        'base/tools',
        'cache/build',
        'docker/app',
        'docker/multi',
        'zeta',
      ].sort(),
    );
    // 8 repositories at 2 a page: the client followed the registry's Link headers.
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.slice(1).every((url) => url.includes('last='))).toBe(true);
  });

  // Distribution 2.8 answers tags/list in one page whatever `n` is; tag paging is in oci-units.test.ts.
  it('lists every tag of a repository', async () => {
    const client = createRegistryClient({ url: registry.url, pageSize: 2 });
    expect((await client.listTags('apps/api')).sort()).toEqual(['v1', 'v2', 'v3', 'v4', 'v5']);
  });

  it('an unknown repository has no tags, and its manifest is not-found', async () => {
    const client = createRegistryClient({ url: registry.url });
    expect(await client.listTags('no/such')).toEqual([]);
    const error = await expectRegistryError(client.getManifest('no/such', 'v1'));
    expect(error.kind).toBe('not-found');
    expect(error.status).toBe(404);
  });

  it('gets an OCI manifest by tag and by digest, with the digest of the pushed bytes', async () => {
    const client = createRegistryClient({ url: registry.url });
    const byTag = await client.getManifest('apps/web', 'v1');
    expect(byTag.mediaType).toBe(OCI_MANIFEST);
    expect(byTag.digest).toBe(images.v1!.digest);
    expect(byTag.manifest.kind).toBe('manifest');
    const byDigest = await client.getManifest('apps/web', byTag.digest);
    expect(byDigest.digest).toBe(byTag.digest);
    if (byDigest.manifest.kind !== 'manifest') throw new Error('expected an image manifest');
    expect(byDigest.manifest.layers.map((l) => l.size)).toEqual(images.v1!.platforms[0]!.layerSizes);
  });

  it('gets Docker v2 schema 2 manifests and manifest lists', async () => {
    const client = createRegistryClient({ url: registry.url });
    const single = await client.getManifest('docker/app', 'v1');
    expect(single.mediaType).toBe(DOCKER_MANIFEST);
    const list = await client.getManifest('docker/multi', 'multi');
    expect(list.mediaType).toBe(DOCKER_MANIFEST_LIST);
    expect(list.manifest.kind).toBe('index');
    // Converted manifests have other digests, but the layers are the ones pushed.
    const size = await client.imageSize('docker/multi', 'multi');
    expect(size.platforms.map((p) => p.layerBytes).sort()).toEqual(
      images.multi!.platforms.map((p) => p.layerSizes.reduce((a, b) => a + b, 0)).sort(),
    );
  });

  it('sizes an index per platform: config plus the layers pushed', async () => {
    const client = createRegistryClient({ url: registry.url });
    const size = await client.imageSize('apps/multi', 'multi');
    expect(size.mediaType).toBe(OCI_INDEX);
    expect(size.digest).toBe(images.multi!.digest);
    expect(size.platforms.map((p) => ({ platform: p.platform, bytes: p.bytes, layers: p.layers }))).toEqual(
      images.multi!.platforms.map((p) => ({
        platform: p.platform,
        bytes: p.compressedSize,
        layers: p.layerSizes.length,
      })),
    );
    expect(size.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
  });

  it('sizes a single manifest and reads blob sizes with HEAD', async () => {
    const client = createRegistryClient({ url: registry.url });
    const size = await client.imageSize('apps/web', 'v1');
    const built = images.v1!.platforms[0]!;
    expect(size.platforms).toEqual([
      expect.objectContaining({
        platform: undefined,
        bytes: built.compressedSize,
        configBytes: built.configSize,
      }),
    ]);
    const { manifest } = await client.getManifest('apps/web', 'v1');
    if (manifest.kind !== 'manifest') throw new Error('expected an image manifest');
    expect(await client.blobSize('apps/web', manifest.layers[1]!.digest)).toBe(built.layerSizes[1]);
  });

  it('reads the image config: labels, created, history, user', async () => {
    const client = createRegistryClient({ url: registry.url });
    const v1 = await client.getImageConfig('apps/web', images.v1!.platforms[0]!.configDigest);
    expect(v1.labels).toEqual({ 'org.example.team': 'payments' });
    expect(v1.created).toBe('2026-03-01T10:00:00Z');
    expect(v1.history).toHaveLength(3);
    const v2 = await client.getImageConfig('apps/api', images.v2!.platforms[0]!.configDigest);
    expect(v2.user).toBe('65532');
  });

  it('HEAD gives the Docker-Content-Digest of a tag', async () => {
    const client = createRegistryClient({ url: registry.url });
    expect((await client.headManifest('apps/multi', 'multi')).digest).toBe(images.multi!.digest);
    expect((await client.headManifest('apps/web', 'v1')).mediaType).toBe(OCI_MANIFEST);
  });

  it('deletes a manifest by digest; then it and its tag answer 404', async () => {
    const client = createRegistryClient({ url: registry.url });
    await registry.push(layout, 'v2', 'apps/doomed', 'old');
    await registry.push(layout, 'v1', 'apps/doomed', 'keep');
    const { digest } = await client.headManifest('apps/doomed', 'old');
    await client.deleteManifest('apps/doomed', digest);
    expect((await expectRegistryError(client.headManifest('apps/doomed', digest))).kind).toBe('not-found');
    expect((await expectRegistryError(client.getManifest('apps/doomed', 'old'))).kind).toBe('not-found');
    expect(await client.listTags('apps/doomed')).toEqual(['keep']);
    const again = await expectRegistryError(client.deleteManifest('apps/doomed', digest));
    expect(again.kind).toBe('not-found');
    expect(again.hasCode('MANIFEST_UNKNOWN')).toBe(true);
  });

  it('refuses to delete by tag (Distribution deletes by digest only)', async () => {
    const client = createRegistryClient({ url: registry.url });
    await expect(client.deleteManifest('apps/web', 'v1')).rejects.toThrow(/needs a digest/);
  });
});

describe('OCI client against docker-registry behind a token server', () => {
  let registry: TestRegistry;
  const users = { ci: 'ci-secret', reader: 'reader-secret' };

  beforeAll(async () => {
    registry = await startRegistry({
      auth: {
        kind: 'token',
        users,
        // The reader may pull but never delete.
        grant: (user, _type, _name, actions) =>
          user === 'reader' ? actions.filter((a) => a === 'pull') : actions,
      },
    });
    await registry.push(layout, 'v1', 'secure/app', 'v1', { creds: { username: 'ci', password: users.ci } });
    await registry.push(layout, 'v2', 'secure/app', 'v2', { creds: { username: 'ci', password: users.ci } });
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('does the bearer dance and caches the token per scope', async () => {
    const client = createRegistryClient({
      url: registry.url,
      credentials: { username: 'ci', password: users.ci },
    });
    const before = registry.token!.requests.length;
    expect((await client.listTags('secure/app')).sort()).toEqual(['v1', 'v2']);
    await client.getManifest('secure/app', 'v1');
    await client.getManifest('secure/app', 'v2');
    await client.headManifest('secure/app', 'v1');
    const asked = registry.token!.requests.slice(before);
    // One token for repository:secure/app:pull serves all four calls.
    expect(asked).toEqual([{ user: 'ci', scopes: ['repository:secure/app:pull'] }]);
    expect(await client.listRepositories()).toEqual(['secure/app']);
    expect(registry.token!.requests.slice(before + 1)).toEqual([
      { user: 'ci', scopes: ['registry:catalog:*'] },
    ]);
  });

  it('gets a delete-scoped token to delete', async () => {
    const client = createRegistryClient({
      url: registry.url,
      credentials: { username: 'ci', password: users.ci },
    });
    await registry.push(layout, 'v2', 'secure/app', 'gone', {
      creds: { username: 'ci', password: users.ci },
    });
    const { digest } = await client.headManifest('secure/app', 'gone');
    await client.deleteManifest('secure/app', digest);
    expect((await expectRegistryError(client.headManifest('secure/app', digest))).kind).toBe('not-found');
  });

  it('a token without the delete action is unauthorized, naming the registry', async () => {
    const client = createRegistryClient({
      url: registry.url,
      credentials: { username: 'reader', password: users.reader },
    });
    const { digest } = await client.headManifest('secure/app', 'v1');
    const error = await expectRegistryError(client.deleteManifest('secure/app', digest));
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toContain(`OCI registry ${registry.host}`);
    expect(await client.listTags('secure/app')).toContain('v1');
  });

  it('anonymous and wrong credentials are unauthorized', async () => {
    const anonymous = createRegistryClient({ url: registry.url });
    expect((await expectRegistryError(anonymous.listTags('secure/app'))).kind).toBe('unauthorized');
    const wrong = createRegistryClient({
      url: registry.url,
      credentials: { username: 'ci', password: 'nope' },
    });
    const error = await expectRegistryError(wrong.getManifest('secure/app', 'v1'));
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toMatch(/token service .* refused the credentials/);
  });
});

describe('OCI client against docker-registry with htpasswd basic auth', () => {
  let registry: TestRegistry;
  let dir: string;

  beforeAll(async () => {
    registry = await startRegistry({ auth: { kind: 'htpasswd', users: { bot: 'hunter2' } } });
    await registry.push(layout, 'v1', 'private/app', 'v1', {
      creds: { username: 'bot', password: 'hunter2' },
    });
    dir = await mkdtemp(path.join(tmpdir(), 'eco-oci-creds-'));
  });

  afterAll(async () => {
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('authenticates with credentials read from a Docker config file', async () => {
    const file = path.join(dir, 'config.json');
    const auth = Buffer.from('bot:hunter2').toString('base64');
    await writeFile(
      file,
      JSON.stringify({ auths: { [registry.host]: { auth }, 'other.example': { auth: 'eDp5' } } }),
    );
    const credentials = await loadRegistryCredentials(file, registry.host);
    const client = createRegistryClient({ url: registry.url, credentials });
    expect(await client.listTags('private/app')).toEqual(['v1']);
    expect((await client.getManifest('private/app', 'v1')).digest).toBe(images.v1!.digest);
  });

  it('authenticates with a user:password file', async () => {
    const file = path.join(dir, 'basic');
    await writeFile(file, 'bot:hunter2\n');
    const client = createRegistryClient({
      url: registry.url,
      credentials: await loadRegistryCredentials(file, registry.host),
    });
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('wrong or missing credentials are unauthorized', async () => {
    const wrong = createRegistryClient({
      url: registry.url,
      credentials: { username: 'bot', password: 'x' },
    });
    expect((await expectRegistryError(wrong.listTags('private/app'))).kind).toBe('unauthorized');
    const none = createRegistryClient({ url: registry.url });
    const error = await expectRegistryError(none.ping());
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toMatch(/none are configured/);
  });
});

describe('a registry that is down', () => {
  it('is a RegistryError of kind unreachable naming the system and the registry', async () => {
    const port = await freePort();
    const client = createRegistryClient({ url: `http://127.0.0.1:${port}`, retry: FAST_RETRY });
    const error = await expectRegistryError(client.listRepositories());
    expect(error.kind).toBe('unreachable');
    expect(error.system).toBe('oci-registry');
    expect(error.registry).toBe(`127.0.0.1:${port}`);
    expect(error.message).toContain(`OCI registry 127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
  });
});
