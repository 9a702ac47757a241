// A real OCI registry for tests: Debian's `docker-registry` (CNCF Distribution 2.8) on a loopback
// port with deletes enabled, images pushed into it with `skopeo copy` from OCI image layouts this
// module writes itself (gzip layers of chosen sizes, a config with labels/history/created, a manifest
// or a two-platform index, several tags). Optionally behind htpasswd basic auth, or behind a small
// token server following the Docker token specification (RS256 JWTs with an x5c chain the registry
// trusts), for the bearer dance.
//
// Used by the OCI client's tests and the container bots' tests. Every process it starts is stopped
// by `stop()`; a missing program fails the test with the Debian package to install.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID, sign } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';
import { freePort } from '../../local/gateway/free-port.ts';

// ---------------------------------------------------------------------------------------------
// Programs

/** Fails (never skips) when a program the test needs is not installed. */
export function requireProgram(program: string, debianPackage: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error(
      `${program} is not installed: apt-get install ${debianPackage} (.ci/run installs it for CI)`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// OCI image layouts

export interface PlatformSpec {
  os?: string;
  architecture?: string;
  variant?: string;
  /** Uncompressed payload bytes of each layer (random, so the gzip is about the same size). */
  layers: number[];
  labels?: Record<string, string>;
  /** The config's `created`, e.g. to make tags of different ages. */
  created?: string;
  /** `created_by` lines of the config's history (default: one per layer). */
  history?: string[];
  user?: string;
}

export interface ImageSpec {
  tag: string;
  /** One entry: a plain image manifest; two or more: an OCI index of per-platform manifests. */
  platforms: PlatformSpec[];
}

export interface BuiltPlatform {
  /** `linux/amd64`. */
  platform: string;
  /** Digest of the platform's image manifest. */
  digest: string;
  configDigest: string;
  configSize: number;
  /** Compressed (stored) size of each layer, as written into the manifest. */
  layerSizes: number[];
  /** configSize + the sum of layerSizes. */
  compressedSize: number;
}

export interface BuiltImage {
  tag: string;
  /** Digest of the tag's top manifest (the index when there are several platforms). */
  digest: string;
  mediaType: string;
  platforms: BuiltPlatform[];
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/**
 * Writes an OCI image layout (oci-layout, index.json, blobs/sha256/…) holding every image, each
 * under its tag (`org.opencontainers.image.ref.name`). Content is derived from the tag, so two
 * builds of the same spec give the same digests.
 */
export async function buildImageLayout(
  dir: string,
  images: ImageSpec[],
): Promise<Record<string, BuiltImage>> {
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const writeBlob = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    await writeFile(path.join(dir, 'blobs', 'sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const built: Record<string, BuiltImage> = {};
  const topDescriptors: unknown[] = [];
  for (const image of images) {
    if (image.platforms.length === 0) throw new Error(`image ${image.tag} has no platform`);
    const platforms: BuiltPlatform[] = [];
    const platformDescriptors: unknown[] = [];
    for (const [index, spec] of image.platforms.entries()) {
      const os = spec.os ?? 'linux';
      const architecture = spec.architecture ?? (index === 0 ? 'amd64' : 'arm64');
      const seed = `${image.tag}/${os}/${architecture}/${spec.variant ?? ''}`;
      const layers: { digest: string; size: number; diffId: string }[] = [];
      for (const [n, bytes] of spec.layers.entries()) {
        const tar = tarOneFile(`layer-${n}.bin`, pseudoRandomBytes(`${seed}/${n}`, bytes));
        const gz = gzipSync(tar, { level: 6 });
        const blob = await writeBlob(gz);
        layers.push({ ...blob, diffId: `sha256:${createHash('sha256').update(tar).digest('hex')}` });
      }
      const created = spec.created ?? '2026-01-01T00:00:00Z';
      const history = (spec.history ?? spec.layers.map((_, n) => `COPY layer-${n}.bin / # ${seed}`)).map(
        (line) => ({ created, created_by: line }),
      );
      const config = Buffer.from(
        JSON.stringify({
          created,
          architecture,
          os,
          ...(spec.variant ? { variant: spec.variant } : {}),
          config: {
            ...(spec.user ? { User: spec.user } : {}),
            Labels: spec.labels ?? {},
            Env: ['PATH=/usr/bin:/bin'],
          },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
          history,
        }),
      );
      const configBlob = await writeBlob(config);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: OCI_CONFIG, digest: configBlob.digest, size: configBlob.size },
          layers: layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, size: l.size })),
        }),
      );
      const manifestBlob = await writeBlob(manifest);
      const platform = [os, architecture, spec.variant].filter(Boolean).join('/');
      const layerSizes = layers.map((l) => l.size);
      platforms.push({
        platform,
        digest: manifestBlob.digest,
        configDigest: configBlob.digest,
        configSize: configBlob.size,
        layerSizes,
        compressedSize: configBlob.size + layerSizes.reduce((a, b) => a + b, 0),
      });
      platformDescriptors.push({
        mediaType: OCI_MANIFEST,
        digest: manifestBlob.digest,
        size: manifestBlob.size,
        platform: { architecture, os, ...(spec.variant ? { variant: spec.variant } : {}) },
      });
    }
    const refName = { 'org.opencontainers.image.ref.name': image.tag };
    if (platforms.length === 1) {
      const only = platforms[0]!;
      const descriptor = platformDescriptors[0] as { size: number };
      topDescriptors.push({
        mediaType: OCI_MANIFEST,
        digest: only.digest,
        size: descriptor.size,
        annotations: refName,
      });
      built[image.tag] = { tag: image.tag, digest: only.digest, mediaType: OCI_MANIFEST, platforms };
    } else {
      const index = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: platformDescriptors }),
      );
      const indexBlob = await writeBlob(index);
      topDescriptors.push({
        mediaType: OCI_INDEX,
        digest: indexBlob.digest,
        size: indexBlob.size,
        annotations: refName,
      });
      built[image.tag] = { tag: image.tag, digest: indexBlob.digest, mediaType: OCI_INDEX, platforms };
    }
  }
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: topDescriptors }),
  );
  return built;
}

/** Deterministic bytes that gzip cannot shrink (SHA-256 in counter mode). */
function pseudoRandomBytes(seed: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0, counter = 0; offset < length; counter++) {
    const block = createHash('sha256').update(`${seed}#${counter}`).digest();
    offset += block.copy(out, offset);
  }
  return out;
}

/** A ustar archive of one regular file (written by hand: fixed bytes, no mtime, no owner). */
function tarOneFile(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number): void => {
    header.write(value, offset, Math.min(value.length, length), 'ascii');
  };
  const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;
  field(name, 0, 100);
  field(octal(0o644, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(data.length, 12), 124, 12);
  field(octal(0, 12), 136, 12);
  field('        ', 148, 8);
  field('0', 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, padding, Buffer.alloc(1024)]);
}

// ---------------------------------------------------------------------------------------------
// Registry

export type RegistryAuth =
  | { kind: 'none' }
  /** Distribution's own htpasswd (bcrypt) basic auth. */
  | { kind: 'htpasswd'; users: Record<string, string> }
  /**
   * A token server in front: users authenticate to it with basic credentials and get a JWT with
   * the access they asked for (`grant` narrows it); anonymous callers get a token with no access.
   */
  | {
      kind: 'token';
      users: Record<string, string>;
      grant?: (user: string, type: string, name: string, actions: string[]) => string[];
    };

export interface TokenServer {
  url: string;
  /** Every token request, in order (to check caching). */
  requests: { user: string | undefined; scopes: string[] }[];
}

export interface PushOptions {
  /** Push as Docker v2 schema 2 (manifest list for an index) instead of OCI. */
  format?: 'oci' | 'v2s2';
  /** Credentials for skopeo when the registry has auth. */
  creds?: { username: string; password: string };
}

export interface TestRegistry {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** `127.0.0.1:<port>`, as image references name it. */
  host: string;
  port: number;
  /** Token server (auth kind `token`). */
  token: TokenServer | undefined;
  /** Copies `oci:<layout>:<tag>` to `<host>/<repository>:<destTag ?? tag>` with every platform. */
  push(
    layoutDir: string,
    tag: string,
    repository: string,
    destTag?: string,
    options?: PushOptions,
  ): Promise<void>;
  /** The registry's output so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  auth?: RegistryAuth;
}

const TOKEN_SERVICE = 'eco-test-registry';
const TOKEN_ISSUER = 'eco-test-token-issuer';

export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  requireProgram('docker-registry', 'docker-registry');
  requireProgram('skopeo', 'skopeo');
  const auth = options.auth ?? { kind: 'none' };
  const dir = await mkdtemp(path.join(tmpdir(), 'eco-registry-'));
  let token: RunningTokenServer | undefined;
  try {
    let authYaml = '';
    if (auth.kind === 'htpasswd') {
      const lines = Object.entries(auth.users).map(
        ([user, password]) => `${user}:${bcrypt.hashSync(password, 4)}`,
      );
      await writeFile(path.join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
      authYaml = `auth:\n  htpasswd:\n    realm: eco-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
    } else if (auth.kind === 'token') {
      token = await startTokenServer(dir, auth);
      authYaml =
        `auth:\n  token:\n    realm: ${token.url}\n    service: ${TOKEN_SERVICE}\n` +
        `    issuer: ${TOKEN_ISSUER}\n    rootcertbundle: ${token.certFile}\n`;
    }
    // A port can be taken between freePort() and the registry's bind: try a few.
    let lastOutput = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const config = path.join(dir, 'config.yml');
      await writeFile(
        config,
        [
          'version: 0.1',
          'log:',
          '  level: error',
          '  accesslog:',
          '    disabled: true',
          'storage:',
          '  filesystem:',
          `    rootdirectory: ${path.join(dir, 'data')}`,
          '  delete:',
          '    enabled: true',
          '  maintenance:',
          '    uploadpurging:',
          '      enabled: false',
          'http:',
          `  addr: 127.0.0.1:${port}`,
          '  secret: eco-test-secret',
          authYaml,
        ].join('\n'),
      );
      const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const keep = (chunk: Buffer): void => {
        output = (output + chunk.toString()).slice(-50_000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const url = `http://127.0.0.1:${port}`;
      if (await waitUntilServing(url, child)) {
        const running = token;
        return {
          url,
          host: `127.0.0.1:${port}`,
          port,
          token: running ? { url: running.url, requests: running.requests } : undefined,
          output: () => output,
          push: (layoutDir, tag, repository, destTag, pushOptions) =>
            skopeoCopy(
              layoutDir,
              tag,
              `127.0.0.1:${port}/${repository}:${destTag ?? tag}`,
              pushOptions ?? {},
            ),
          async stop() {
            await stopChild(child, exited);
            await running?.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      }
      lastOutput = output;
      await stopChild(child, exited);
    }
    throw new Error(`docker-registry did not start:\n${lastOutput}`);
  } catch (error) {
    await token?.close();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function waitUntilServing(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      // 401 counts: the registry answers, it only wants credentials.
      if (response.status === 200 || response.status === 401) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(force);
}

function skopeoCopy(
  layoutDir: string,
  tag: string,
  destination: string,
  options: PushOptions,
): Promise<void> {
  const args = [
    '--insecure-policy',
    'copy',
    '--all',
    '--dest-tls-verify=false',
    '--retry-times',
    '0',
    ...(options.format === 'v2s2' ? ['--format', 'v2s2'] : []),
    ...(options.creds
      ? ['--dest-creds', `${options.creds.username}:${options.creds.password}`]
      : ['--dest-no-creds']),
    `oci:${layoutDir}:${tag}`,
    `docker://${destination}`,
  ];
  return new Promise((resolve, reject) => {
    // A private HOME and XDG dirs: no auth.json or registries.conf of the machine leaks in.
    const home = path.join(layoutDir, '.home');
    const child = spawn('skopeo', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        XDG_RUNTIME_DIR: home,
        XDG_CONFIG_HOME: home,
      },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`skopeo ${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Token server (https://distribution.github.io/distribution/spec/auth/token/)

interface RunningTokenServer {
  url: string;
  certFile: string;
  requests: TokenServer['requests'];
  close(): Promise<void>;
}

async function startTokenServer(
  dir: string,
  auth: Extract<RegistryAuth, { kind: 'token' }>,
): Promise<RunningTokenServer> {
  requireProgram('openssl', 'openssl');
  const keyFile = path.join(dir, 'token-key.pem');
  const certFile = path.join(dir, 'token-cert.pem');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=eco-test-token',
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make the token certificate: ${made.stderr}`);
  const privateKey = await readFile(keyFile, 'utf8');
  const certDer = (await readFile(certFile, 'utf8')).replace(/-----[^-]+-----|\s/g, '');
  const requests: TokenServer['requests'] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    if (req.method !== 'GET' || url.pathname !== '/token') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    let user: string | undefined;
    const header = req.headers.authorization;
    if (header) {
      const decoded = header.startsWith('Basic ')
        ? Buffer.from(header.slice(6), 'base64').toString('utf8')
        : '';
      const colon = decoded.indexOf(':');
      const name = decoded.slice(0, colon);
      if (colon <= 0 || auth.users[name] === undefined || auth.users[name] !== decoded.slice(colon + 1)) {
        requests.push({ user: undefined, scopes });
        res.writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': 'Basic realm="eco-test-token"',
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
      user = name;
    }
    requests.push({ user, scopes });
    const access = user === undefined ? [] : scopes.flatMap((scope) => grantFor(auth, user, scope));
    const now = Math.floor(Date.now() / 1000);
    const header64 = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }));
    const claims64 = base64url(
      JSON.stringify({
        iss: TOKEN_ISSUER,
        sub: user ?? '',
        aud: TOKEN_SERVICE,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = sign('sha256', Buffer.from(`${header64}.${claims64}`), privateKey).toString(
      'base64url',
    );
    const jwt = `${header64}.${claims64}.${signature}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ token: jwt, access_token: jwt, expires_in: 300, issued_at: new Date().toISOString() }),
    );
  };

  const server: Server = createServer(handle);
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}/token`,
    certFile,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `repository:a/b:pull,push` → the access claim entry, narrowed by the test's grant rule. */
function grantFor(
  auth: Extract<RegistryAuth, { kind: 'token' }>,
  user: string,
  scope: string,
): { type: string; name: string; actions: string[] }[] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first === -1 || last === first) return [];
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const wanted = scope
    .slice(last + 1)
    .split(',')
    .filter(Boolean);
  const actions = auth.grant ? auth.grant(user, type, name, wanted) : wanted;
  return actions.length ? [{ type, name, actions }] : [];
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
