// The OpenBao API emulator over real HTTP: KV v2 (versions, check-and-set, delete/undelete/destroy
// and their 404 bodies, metadata, LIST), ACL policies, token TTLs and renewal, the Kubernetes auth
// login checked through the Kubernetes API emulator's TokenReview, and OpenBao's error bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenBaoEmulator } from '../../local/openbao-emulator/index.ts';
import type { OpenBaoEmulator } from '../../local/openbao-emulator/index.ts';
import { startEmulator, serviceAccountUser } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';

let bao: OpenBaoEmulator;
let k8s: Emulator;
let clock = new Date('2026-01-10T10:00:00.000Z');
const advance = (seconds: number): void => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
}

async function call(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers['X-Vault-Token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${bao.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
const root = (method: string, path: string, body?: unknown) => call(method, path, bao.rootToken, body);
const data = (a: Answer) => a.json['data'] as Record<string, unknown>;

beforeAll(async () => {
  k8s = await startEmulator({
    tokens: {
      'sa-secrets-bot': { user: serviceAccountUser('eco-bots', 'eco-secrets-bot') },
      'sa-other': { user: serviceAccountUser('team', 'web') },
      'sa-reviewer': {
        user: serviceAccountUser('openbao', 'openbao'),
        rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }],
      },
    },
  });
  bao = await startOpenBaoEmulator({
    now: () => clock,
    kubernetes: { kubernetesHost: k8s.url, tokenReviewerJwt: 'sa-reviewer' },
    policies: [
      {
        name: 'app-read',
        hcl: 'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\npath "secret/metadata/app/*" { capabilities = ["read", "list"] }',
      },
    ],
    roles: [
      {
        name: 'eco-secrets-bot',
        boundServiceAccountNames: ['eco-secrets-bot'],
        boundServiceAccountNamespaces: ['eco-bots'],
        policies: ['app-read'],
        ttl: 600,
        maxTtl: 900,
      },
    ],
  });
});
afterAll(async () => {
  await bao.close();
  await k8s.close();
});

describe('KV v2 versions', () => {
  it('writes versions and reads the current one or any by ?version=', async () => {
    const w1 = await root('POST', '/v1/secret/data/app/db', { data: { password: 'one' } });
    expect(w1.status).toBe(200);
    expect(data(w1)).toEqual({
      created_time: '2026-01-10T10:00:00.000Z',
      custom_metadata: null,
      deletion_time: '',
      destroyed: false,
      version: 1,
    });
    expect(w1.json).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      wrap_info: null,
      warnings: null,
      auth: null,
    });
    advance(60);
    await root('PUT', '/v1/secret/data/app/db', { data: { password: 'two' }, options: { cas: 1 } });
    const current = await root('GET', '/v1/secret/data/app/db');
    expect(data(current)['data']).toEqual({ password: 'two' });
    expect((data(current)['metadata'] as { version: number }).version).toBe(2);
    const v1 = await root('GET', '/v1/secret/data/app/db?version=1');
    expect(data(v1)['data']).toEqual({ password: 'one' });
  });

  it('answers a missing secret or version with 404 and an empty error list', async () => {
    for (const p of [
      '/v1/secret/data/app/nothing',
      '/v1/secret/data/app/db?version=9',
      '/v1/secret/metadata/app/nothing',
    ]) {
      const r = await root('GET', p);
      expect(r.status).toBe(404);
      expect(r.json).toEqual({ errors: [] });
    }
  });

  it('rejects a stale check-and-set and a write without data with 400', async () => {
    const stale = await root('POST', '/v1/secret/data/app/db', {
      data: { password: 'x' },
      options: { cas: 1 },
    });
    expect(stale.status).toBe(400);
    expect(stale.json).toEqual({ errors: ['check-and-set parameter did not match the current version'] });
    const empty = await root('POST', '/v1/secret/data/app/db', {});
    expect(empty.json).toEqual({ errors: ['no data provided'] });
    const bad = await root('POST', '/v1/secret/data/app/db', '{not json');
    expect(bad.status).toBe(400);
    expect((bad.json['errors'] as string[])[0]).toMatch(/^failed to parse JSON input/);
    const version = await root('GET', '/v1/secret/data/app/db?version=abc');
    expect(version.status).toBe(400);
  });

  it('soft-deletes, undeletes and destroys versions with the 404 bodies OpenBao sends', async () => {
    expect((await root('DELETE', '/v1/secret/data/app/db')).status).toBe(204);
    const deleted = await root('GET', '/v1/secret/data/app/db');
    expect(deleted.status).toBe(404);
    expect(data(deleted)).toEqual({
      data: null,
      metadata: {
        created_time: '2026-01-10T10:01:00.000Z',
        custom_metadata: null,
        deletion_time: clock.toISOString(),
        destroyed: false,
        version: 2,
      },
    });
    expect((await root('POST', '/v1/secret/undelete/app/db', { versions: [2] })).status).toBe(204);
    expect((await root('GET', '/v1/secret/data/app/db')).status).toBe(200);
    expect((await root('PUT', '/v1/secret/destroy/app/db', { versions: [1] })).status).toBe(204);
    const destroyed = await root('GET', '/v1/secret/data/app/db?version=1');
    expect(destroyed.status).toBe(404);
    expect(data(destroyed)).toMatchObject({
      data: null,
      metadata: { destroyed: true, deletion_time: '', version: 1 },
    });
    expect((await root('POST', '/v1/secret/undelete/app/db', { versions: [1] })).status).toBe(204);
    expect((await root('GET', '/v1/secret/data/app/db?version=1')).status).toBe(404);
    const none = await root('POST', '/v1/secret/delete/app/db', {});
    expect(none.json).toEqual({ errors: ['no version number provided'] });
  });

  it('reports metadata with every version and custom metadata', async () => {
    await root('POST', '/v1/secret/metadata/app/db', {
      custom_metadata: { owner: 'team-a' },
      max_versions: 5,
    });
    const m = data(await root('GET', '/v1/secret/metadata/app/db'));
    expect(m).toMatchObject({
      cas_required: false,
      current_version: 2,
      oldest_version: 1,
      max_versions: 5,
      delete_version_after: '0s',
      custom_metadata: { owner: 'team-a' },
      created_time: '2026-01-10T10:00:00.000Z',
    });
    expect(m['versions']).toEqual({
      '1': { created_time: '2026-01-10T10:00:00.000Z', deletion_time: '', destroyed: true },
      '2': { created_time: '2026-01-10T10:01:00.000Z', deletion_time: '', destroyed: false },
    });
  });

  it('keeps at most max_versions versions', async () => {
    await root('POST', '/v1/secret/metadata/app/rotating', { max_versions: 2 });
    for (let i = 0; i < 4; i++)
      await root('POST', '/v1/secret/data/app/rotating', { data: { n: String(i) } });
    const m = data(await root('GET', '/v1/secret/metadata/app/rotating'));
    expect(Object.keys(m['versions'] as object)).toEqual(['3', '4']);
    expect(m['oldest_version']).toBe(3);
    expect((await root('GET', '/v1/secret/data/app/rotating?version=1')).status).toBe(404);
  });

  it('lists keys with LIST and with ?list=true, folders ending in /', async () => {
    await root('POST', '/v1/secret/data/app/nested/one', { data: { a: 'b' } });
    const viaList = await root('LIST', '/v1/secret/metadata/app');
    expect(data(viaList)).toEqual({ keys: ['db', 'nested/', 'rotating'] });
    const viaQuery = await root('GET', '/v1/secret/metadata/app/?list=true');
    expect(data(viaQuery)).toEqual({ keys: ['db', 'nested/', 'rotating'] });
    const empty = await root('LIST', '/v1/secret/metadata/none');
    expect(empty.status).toBe(404);
    expect(empty.json).toEqual({ errors: [] });
  });

  it('patches with a JSON merge patch and shows subkeys without values', async () => {
    await root('POST', '/v1/secret/data/app/cfg', { data: { user: 'u', nested: { a: '1' } } });
    const p = await root('PATCH', '/v1/secret/data/app/cfg', { data: { user: null, extra: 'e' } });
    expect(data(p)['version']).toBe(2);
    expect(data(await root('GET', '/v1/secret/data/app/cfg'))['data']).toEqual({
      nested: { a: '1' },
      extra: 'e',
    });
    const sk = await root('GET', '/v1/secret/subkeys/app/cfg');
    expect(data(sk)['subkeys']).toEqual({ nested: { a: null }, extra: null });
  });
});

describe('errors outside KV', () => {
  it('answers unknown mounts, unknown routes in a mount and unsupported methods', async () => {
    const route = await root('GET', '/v1/nomount/x');
    expect(route.status).toBe(404);
    expect(route.json).toEqual({ errors: ['no handler for route "nomount/x". route entry not found.'] });
    const inMount = await root('GET', '/v1/secret/bogus/x');
    expect(inMount.status).toBe(404);
    expect(inMount.json).toEqual({ errors: ['1 error occurred:\n\t* unsupported path\n\n'] });
    const method = await root('PATCH', '/v1/secret/metadata/app/db', {});
    expect(method.status).toBe(405);
    expect(method.json).toEqual({ errors: ['1 error occurred:\n\t* unsupported operation\n\n'] });
  });

  it('serves sys/health without a token', async () => {
    const h = await call('GET', '/v1/sys/health');
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({ initialized: true, sealed: false, standby: false });
  });
});

describe('tokens, policies and Kubernetes auth', () => {
  const login = (role: string, jwt: string) =>
    call('POST', '/v1/auth/kubernetes/login', undefined, { role, jwt });

  it('denies a request without or with an unknown token: 403 permission denied', async () => {
    for (const t of [undefined, 'not-a-token']) {
      const r = await call('GET', '/v1/secret/data/app/db', t);
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ errors: ['permission denied'] });
    }
  });

  it('logs a bound service account in with the role policies and TTL, checked by TokenReview', async () => {
    const r = await login('eco-secrets-bot', 'sa-secrets-bot');
    expect(r.status).toBe(200);
    const auth = r.json['auth'] as Record<string, unknown>;
    expect(auth['policies']).toEqual(['default', 'app-read']);
    expect(auth['lease_duration']).toBe(600);
    expect(auth['renewable']).toBe(true);
    expect(auth['metadata']).toMatchObject({
      role: 'eco-secrets-bot',
      service_account_name: 'eco-secrets-bot',
      service_account_namespace: 'eco-bots',
    });
    expect(
      k8s.requests.some(
        (q) =>
          q.path === '/apis/authentication.k8s.io/v1/tokenreviews' &&
          q.user === serviceAccountUser('openbao', 'openbao'),
      ),
    ).toBe(true);
    const token = auth['client_token'] as string;
    expect((await call('GET', '/v1/secret/data/app/db', token)).status).toBe(200);
    expect((await call('LIST', '/v1/secret/metadata/app', token)).status).toBe(200);
    // The policy grants read only: no writes, nothing outside app/.
    expect((await call('POST', '/v1/secret/data/app/db', token, { data: { a: 'b' } })).status).toBe(403);
    await root('POST', '/v1/secret/data/other/x', { data: { a: 'b' } });
    const outside = await call('GET', '/v1/secret/data/other/x', token);
    expect(outside.json).toEqual({ errors: ['permission denied'] });
  });

  it('rejects logins with the plugin error bodies', async () => {
    expect((await call('POST', '/v1/auth/kubernetes/login', undefined, { jwt: 'x' })).json).toEqual({
      errors: ['missing role'],
    });
    expect((await call('POST', '/v1/auth/kubernetes/login', undefined, { role: 'r' })).json).toEqual({
      errors: ['missing jwt'],
    });
    const role = await login('nope', 'sa-secrets-bot');
    expect(role.status).toBe(400);
    expect(role.json).toEqual({ errors: ['invalid role name "nope"'] });
    const forged = await login('eco-secrets-bot', 'forged-token');
    expect(forged.status).toBe(403);
    expect(forged.json).toEqual({ errors: ['permission denied'] });
    const wrongSa = await login('eco-secrets-bot', 'sa-other');
    expect(wrongSa.status).toBe(403);
    expect(wrongSa.json).toEqual({ errors: ['service account name not authorized'] });
  });

  it('expires tokens at their TTL, renews them up to the max TTL', async () => {
    const token = (
      (await login('eco-secrets-bot', 'sa-secrets-bot')).json['auth'] as { client_token: string }
    ).client_token;
    advance(500);
    const renewed = await call('POST', '/v1/auth/token/renew-self', token, { increment: '10m' });
    expect(renewed.status).toBe(200);
    // max TTL 900 s from issue: 400 s are left, not 600.
    expect((renewed.json['auth'] as { lease_duration: number }).lease_duration).toBe(400);
    const self = await call('GET', '/v1/auth/token/lookup-self', token);
    expect(data(self)).toMatchObject({
      ttl: 400,
      policies: ['default', 'app-read'],
      path: 'auth/kubernetes/login',
    });
    advance(401);
    const expired = await call('GET', '/v1/secret/data/app/db', token);
    expect(expired.status).toBe(403);
    expect(expired.json).toEqual({ errors: ['permission denied'] });
  });

  it('takes roles and HCL policies over the API with the root token only', async () => {
    const denied = await call('POST', '/v1/auth/kubernetes/role/web', bao.issueToken(['app-read'], 60), {
      bound_service_account_names: 'web',
      bound_service_account_namespaces: 'team',
    });
    expect(denied.status).toBe(403);
    expect(
      (
        await root('PUT', '/v1/sys/policies/acl/web', {
          policy: 'path "secret/data/other/*" { capabilities = ["read"] }',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await root('POST', '/v1/auth/kubernetes/role/web', {
          bound_service_account_names: 'web',
          bound_service_account_namespaces: 'team',
          token_policies: 'web',
          token_ttl: '1h',
        })
      ).status,
    ).toBe(204);
    expect(data(await root('GET', '/v1/auth/kubernetes/role/web'))).toMatchObject({
      token_ttl: 3600,
      token_policies: ['web'],
    });
    const token = ((await login('web', 'sa-other')).json['auth'] as { client_token: string }).client_token;
    expect((await call('GET', '/v1/secret/data/other/x', token)).status).toBe(200);
    const badPolicy = await root('PUT', '/v1/sys/policies/acl/bad', {
      policy: 'path "x" { capabilities = ["fly"] }',
    });
    expect(badPolicy.status).toBe(400);
  });
});
