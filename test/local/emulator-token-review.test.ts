// authentication.k8s.io/v1 TokenReview: what OpenBao's Kubernetes auth method calls to check a
// service account token. Over real HTTP, with RBAC on the reviewer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, serviceAccountUser } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import { rawRequest } from '../../local/k8s-emulator/http-client.ts';

const PATH = '/apis/authentication.k8s.io/v1/tokenreviews';
const review = (token: string, audiences?: string[]) => ({
  apiVersion: 'authentication.k8s.io/v1',
  kind: 'TokenReview',
  spec: audiences ? { token, audiences } : { token },
});
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({
    tokens: {
      'app-sa-token': { user: serviceAccountUser('team', 'app') },
      'reviewer-token': {
        user: serviceAccountUser('openbao', 'openbao'),
        rules: [{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }],
      },
      'nobody-token': { user: 'nobody', rules: [] },
    },
  });
});
afterAll(() => emu.close());

describe('TokenReview', () => {
  it('authenticates a known service account token with its user and groups', async () => {
    const r = await rawRequest(emu.url, 'POST', PATH, {
      token: 'reviewer-token',
      body: review('app-sa-token'),
    });
    expect(r.status).toBe(201);
    const body = r.json as {
      kind: string;
      status: { authenticated: boolean; user: { username: string; groups: string[] } };
    };
    expect(body.kind).toBe('TokenReview');
    expect(body.status.authenticated).toBe(true);
    expect(body.status.user.username).toBe('system:serviceaccount:team:app');
    expect(body.status.user.groups).toEqual(
      expect.arrayContaining([
        'system:serviceaccounts',
        'system:serviceaccounts:team',
        'system:authenticated',
      ]),
    );
  });

  it('echoes the audiences it was asked about', async () => {
    const r = await rawRequest(emu.url, 'POST', PATH, {
      token: 'reviewer-token',
      body: review('app-sa-token', ['openbao']),
    });
    expect((r.json as { status: { audiences: string[] } }).status.audiences).toEqual(['openbao']);
  });

  it('answers an unknown token with authenticated absent and an error, not an HTTP failure', async () => {
    const r = await rawRequest(emu.url, 'POST', PATH, { token: 'reviewer-token', body: review('forged') });
    expect(r.status).toBe(201);
    const status = (r.json as { status: Record<string, unknown> }).status;
    expect(status['authenticated']).toBeUndefined();
    expect(status['error']).toMatch(/invalid bearer token/);
  });

  it('needs create on tokenreviews (system:auth-delegator)', async () => {
    const r = await rawRequest(emu.url, 'POST', PATH, {
      token: 'nobody-token',
      body: review('app-sa-token'),
    });
    expect(r.status).toBe(403);
    expect((r.json as { message: string }).message).toContain('cannot create resource "tokenreviews"');
  });

  it('rejects a review without a token and any verb but create', async () => {
    const bad = await rawRequest(emu.url, 'POST', PATH, { token: 'reviewer-token', body: { spec: {} } });
    expect(bad.status).toBe(400);
    expect((bad.json as { message: string }).message).toContain('spec.token: Required value');
    const get = await rawRequest(emu.url, 'GET', PATH, { token: emu.adminToken });
    expect(get.status).toBe(405);
  });
});
