// The kit's OpenBao client against the OpenBao API emulator (and, for Kubernetes auth, the Kubernetes
// API emulator's TokenReview), over real HTTP.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenBaoClient, OpenBaoError, openBaoConfigFromEnv } from '../../../shared/openbao/index.ts';
import type { OpenBaoConfig } from '../../../shared/openbao/index.ts';
import { startOpenBaoEmulator } from '../../../local/openbao-emulator/index.ts';
import type { OpenBaoEmulator } from '../../../local/openbao-emulator/index.ts';
import { startEmulator, serviceAccountUser } from '../../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../../local/k8s-emulator/index.ts';
import { freePort } from '../../../local/gateway/free-port.ts';

let bao: OpenBaoEmulator;
let k8s: Emulator;
let dir: string;
let baoClock = Date.parse('2026-02-01T00:00:00Z');

const kubeConfig = (jwtFile: string, role = 'eco-secrets-bot'): OpenBaoConfig => ({
  address: bao.url,
  auth: { kind: 'kubernetes', role, jwtFile, mount: 'kubernetes' },
  kvMount: 'secret',
  timeoutMs: 5000,
});
const logins = (): number =>
  bao.requests.filter((r) => r.path === 'auth/kubernetes/login' && r.status === 200).length;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bao-client-'));
  k8s = await startEmulator({
    tokens: {
      'sa-token-1': { user: serviceAccountUser('eco-bots', 'eco-secrets-bot') },
      'sa-token-2': { user: serviceAccountUser('eco-bots', 'eco-secrets-bot') },
      reviewer: {
        user: serviceAccountUser('openbao', 'openbao'),
        rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }],
      },
    },
  });
  bao = await startOpenBaoEmulator({
    now: () => new Date(baoClock),
    kubernetes: { kubernetesHost: k8s.url, tokenReviewerJwt: 'reviewer' },
    policies: [
      {
        name: 'apps',
        hcl: 'path "secret/data/apps/*" { capabilities = ["read"] }\npath "secret/metadata/apps/*" { capabilities = ["read", "list"] }',
      },
    ],
    roles: [
      {
        name: 'eco-secrets-bot',
        boundServiceAccountNames: ['eco-secrets-bot'],
        boundServiceAccountNamespaces: ['eco-bots'],
        policies: ['apps'],
        ttl: 300,
      },
    ],
    secrets: [
      {
        path: 'apps/shop/db',
        data: { username: 'shop', password: 'canary-db-pass' },
        customMetadata: { owner: 'shop' },
      },
      { path: 'apps/shop/api', data: { token: 'canary-api-token' } },
      { path: 'apps/web/tls', data: { cert: 'c' } },
      { path: 'private/root', data: { key: 'k' } },
    ],
  });
  await writeFile(join(dir, 'sa-token'), 'sa-token-1\n');
});
afterAll(async () => {
  await bao.close();
  await k8s.close();
  await rm(dir, { recursive: true, force: true });
});

describe('reading KV v2 with Kubernetes auth', () => {
  it('logs in with the service account token and reads data and metadata', async () => {
    const client = new OpenBaoClient(kubeConfig(join(dir, 'sa-token')));
    const r = await client.readSecret('apps/shop/db');
    expect(r).toMatchObject({
      status: 'ok',
      data: { username: 'shop', password: 'canary-db-pass' },
      metadata: { version: 1, customMetadata: { owner: 'shop' } },
    });
    const m = await client.readMetadata('apps/shop/db');
    expect(m).toMatchObject({ currentVersion: 1, oldestVersion: 1, customMetadata: { owner: 'shop' } });
    expect(Object.keys(m?.versions ?? {})).toEqual(['1']);
    expect(await client.readMetadata('apps/none')).toBeUndefined();
    // The login went to OpenBao with the token file's content, and OpenBao asked Kubernetes.
    expect(k8s.requests.some((q) => q.path.endsWith('/tokenreviews'))).toBe(true);
  });

  it('lists with the LIST method and walks folders', async () => {
    const client = new OpenBaoClient(kubeConfig(join(dir, 'sa-token')));
    expect(await client.list('apps')).toEqual(['shop/', 'web/']);
    expect(await client.listRecursive('apps')).toEqual(['apps/shop/api', 'apps/shop/db', 'apps/web/tls']);
    expect(await client.list('apps/nothing')).toEqual([]);
    expect(bao.requests.some((q) => q.method === 'LIST' && q.path === 'secret/metadata/apps/')).toBe(true);
  });

  it('tells missing, deleted and destroyed versions apart', async () => {
    const client = new OpenBaoClient(kubeConfig(join(dir, 'sa-token')));
    bao.putSecret('apps/web/tls', { cert: 'c2' });
    const rootCall = (method: string, path: string, body: unknown) =>
      fetch(`${bao.url}/v1/${path}`, {
        method,
        headers: { 'X-Vault-Token': bao.rootToken },
        body: JSON.stringify(body),
      });
    await rootCall('POST', 'secret/delete/apps/web/tls', { versions: [2] });
    await rootCall('PUT', 'secret/destroy/apps/web/tls', { versions: [1] });
    expect(await client.readSecret('apps/web/tls')).toMatchObject({
      status: 'deleted',
      metadata: { version: 2 },
    });
    expect(await client.readSecret('apps/web/tls', 1)).toMatchObject({
      status: 'destroyed',
      metadata: { version: 1 },
    });
    expect(await client.readSecret('apps/web/none')).toEqual({ status: 'missing' });
  });

  it('surfaces a path the policy denies as OpenBaoError 403 without any secret in the message', async () => {
    const client = new OpenBaoClient(kubeConfig(join(dir, 'sa-token')));
    const e = await client.readSecret('private/root').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OpenBaoError);
    expect((e as OpenBaoError).status).toBe(403);
    expect((e as OpenBaoError).errors).toEqual(['permission denied']);
    expect((e as OpenBaoError).message).toBe(
      'OpenBao GET secret/data/private/root: HTTP 403: permission denied',
    );
  });

  it('logs in again with the rotated service account token when OpenBao expired the token', async () => {
    const file = join(dir, 'rotating-token');
    await writeFile(file, 'sa-token-1');
    const client = new OpenBaoClient(kubeConfig(file));
    await client.readSecret('apps/shop/api');
    const before = logins();
    await writeFile(file, 'sa-token-2');
    baoClock += 301_000; // past the 300 s TTL on OpenBao's clock; the client's clock does not know
    const r = await client.readSecret('apps/shop/api');
    expect(r.status).toBe('ok');
    expect(logins()).toBe(before + 1);
  });

  it('renews the token once two thirds of its lease have passed', async () => {
    let now = 1_000_000;
    const client = new OpenBaoClient(kubeConfig(join(dir, 'sa-token')), { now: () => now });
    await client.readSecret('apps/shop/api');
    const renewals = (): number => bao.requests.filter((q) => q.path === 'auth/token/renew-self').length;
    const before = renewals();
    now += 100_000; // a third of 300 s: no renewal yet
    await client.readSecret('apps/shop/api');
    expect(renewals()).toBe(before);
    now += 110_000; // 210 s of 300 s
    await client.readSecret('apps/shop/api');
    expect(renewals()).toBe(before + 1);
  });

  it('fails a login for a role that does not exist with OpenBao’s message', async () => {
    const client = new OpenBaoClient(kubeConfig(join(dir, 'sa-token'), 'no-such-role'));
    await expect(client.readSecret('apps/shop/db')).rejects.toMatchObject({
      status: 400,
      errors: ['invalid role name "no-such-role"'],
    });
  });
});

describe('token file auth, health and transport failures', () => {
  it('reads with a token from a file', async () => {
    const file = join(dir, 'bao-token');
    await writeFile(file, `${bao.issueToken(['apps'], 0)}\n`);
    const client = new OpenBaoClient({
      address: bao.url,
      auth: { kind: 'token-file', file },
      kvMount: 'secret',
      timeoutMs: 5000,
    });
    expect(await client.readSecret('apps/shop/db')).toMatchObject({ status: 'ok' });
    expect(await client.health()).toMatchObject({ initialized: true, sealed: false });
  });

  it('retries a 503 (and network errors) with backoff, then succeeds', async () => {
    const file = join(dir, 'bao-token');
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) return new Response('{"errors":["Vault is sealed"]}', { status: 503 });
      if (calls === 2) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const client = new OpenBaoClient(
      { address: bao.url, auth: { kind: 'token-file', file }, kvMount: 'secret', timeoutMs: 5000 },
      { fetch: flaky, retry: { attempts: 3, backoffMs: 1, maxBackoffMs: 1 } },
    );
    expect(await client.readSecret('apps/shop/db')).toMatchObject({ status: 'ok' });
    expect(calls).toBe(3);
  });

  it('reports a refused connection as status 0', async () => {
    const port = await freePort();
    const file = join(dir, 'bao-token');
    const client = new OpenBaoClient({
      address: `http://127.0.0.1:${port}`,
      auth: { kind: 'token-file', file },
      kvMount: 'secret',
      timeoutMs: 2000,
    });
    await expect(client.readSecret('apps/x')).rejects.toMatchObject({ status: 0, name: 'OpenBaoError' });
  });
});

describe('openBaoConfigFromEnv', () => {
  it('builds Kubernetes auth from BAO_ROLE with the default token file', () => {
    expect(openBaoConfigFromEnv({ BAO_ADDR: 'http://bao:8200/', BAO_ROLE: 'eco' })).toEqual({
      address: 'http://bao:8200',
      auth: {
        kind: 'kubernetes',
        role: 'eco',
        jwtFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        mount: 'kubernetes',
      },
      kvMount: 'secret',
      timeoutMs: 10000,
    });
  });

  it.each([
    [{}, 'BAO_ADDR is not set'],
    [{ BAO_ADDR: 'not a url', BAO_ROLE: 'r' }, 'BAO_ADDR is not a URL'],
    [{ BAO_ADDR: 'ftp://x', BAO_ROLE: 'r' }, 'BAO_ADDR must be http(s)'],
    [{ BAO_ADDR: 'http://x' }, 'set BAO_ROLE'],
    [{ BAO_ADDR: 'http://x', BAO_ROLE: 'r', BAO_TIMEOUT_MS: '5' }, 'BAO_TIMEOUT_MS'],
  ])('rejects %j', (env, message) => {
    expect(() => openBaoConfigFromEnv(env)).toThrow(message);
  });

  it('uses a token file when no role is set', () => {
    expect(
      openBaoConfigFromEnv({ BAO_ADDR: 'https://x', BAO_TOKEN_FILE: '/etc/bao/token', BAO_KV_MOUNT: '/kv/' })
        .auth,
    ).toEqual({
      kind: 'token-file',
      file: '/etc/bao/token',
    });
  });
});
