// Server-side printing for `kubectl get` (meta.k8s.io/v1 Table) and the odd requests a server meets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import { rawRequest } from '../../local/k8s-emulator/http-client.ts';
import { humanDuration } from '../../local/k8s-emulator/table.ts';

const NOW = new Date('2026-11-27T12:00:00Z');
let emu: Emulator;
const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

beforeAll(async () => {
  emu = await startEmulator({
    now: () => NOW,
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'crashy', namespace: 'shop', creationTimestamp: '2026-11-25T12:00:00Z' },
        spec: {
          containers: [
            { name: 'a', image: 'x' },
            { name: 'b', image: 'y' },
          ],
          nodeName: 'n1',
        },
        status: {
          phase: 'Running',
          podIP: '10.0.0.9',
          containerStatuses: [
            { name: 'a', ready: true, restartCount: 1 },
            { name: 'b', ready: false, restartCount: 13, state: { waiting: { reason: 'CrashLoopBackOff' } } },
          ],
        },
      },
    ],
  });
});
afterAll(async () => {
  await emu.close();
});

describe('Table output', () => {
  it('pods: Name, Ready, Status, Restarts, Age (+ IP, Node at priority 1) with partial object metadata', async () => {
    const r = await rawRequest(emu.url, 'GET', '/api/v1/namespaces/shop/pods', {
      token: emu.adminToken,
      accept: TABLE,
    });
    const t = r.json as {
      kind: string;
      apiVersion: string;
      columnDefinitions: Array<{ name: string; priority: number }>;
      rows: Array<{
        cells: unknown[];
        object: { kind: string; metadata: { name: string; namespace: string } };
      }>;
    };
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.columnDefinitions.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
    ]);
    expect(t.rows[0]?.cells).toEqual(['crashy', '1/2', 'CrashLoopBackOff', '14', '2d', '10.0.0.9', 'n1']);
    expect(t.rows[0]?.object).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { name: 'crashy', namespace: 'shop' },
    });
  });

  it('other kinds get Name and Age; plain JSON without the Table Accept header', async () => {
    const t = (
      await rawRequest(emu.url, 'GET', '/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses', {
        token: emu.adminToken,
        accept: TABLE,
      })
    ).json as {
      columnDefinitions: Array<{ name: string }>;
    };
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Age']);
    const plain = (
      await rawRequest(emu.url, 'GET', '/api/v1/namespaces/shop/pods', { token: emu.adminToken })
    ).json as { kind: string };
    expect(plain.kind).toBe('PodList');
  });

  it('humanDuration follows kubectl', () => {
    expect(humanDuration(59_000)).toBe('59s');
    expect(humanDuration(150_000)).toBe('2m30s');
    expect(humanDuration(45 * 60_000)).toBe('45m');
    expect(humanDuration(5.5 * 3_600_000)).toBe('5h30m');
    expect(humanDuration(30 * 3_600_000)).toBe('30h');
    expect(humanDuration(58 * 3_600_000)).toBe('2d10h');
    expect(humanDuration(400 * 86_400_000)).toBe('400d');
    expect(humanDuration(3 * 365 * 86_400_000)).toBe('3y');
  });
});

describe('health endpoints', () => {
  it('answer ok, verbose check lists, single checks; public without a token', async () => {
    const plain = await rawRequest(emu.url, 'GET', '/readyz');
    expect(plain.status).toBe(200);
    expect(plain.text).toBe('ok');
    const verbose = await rawRequest(emu.url, 'GET', '/livez?verbose&exclude=etcd', {
      token: emu.adminToken,
    });
    const lines = verbose.text.trim().split('\n');
    expect(lines[0]).toBe('[+]ping ok');
    expect(lines).toContain('[+]etcd excluded: ok');
    expect(lines.at(-1)).toBe('livez check passed');
    expect((await rawRequest(emu.url, 'GET', '/readyz/informer-sync')).text).toBe('ok');
    expect((await rawRequest(emu.url, 'GET', '/readyz/nope')).status).toBe(404);
  });

  it('can be failed on purpose with a fault (cluster-bot tests)', async () => {
    emu.faults.status(503, { path: '/readyz' });
    expect((await rawRequest(emu.url, 'GET', '/readyz')).status).toBe(503);
    expect((await rawRequest(emu.url, 'GET', '/readyz')).status).toBe(200);
  });
});

describe('odd requests', () => {
  it('a write to a non-resource path is a 405, an unknown path a 404, a bad escape a 404', async () => {
    expect((await rawRequest(emu.url, 'POST', '/version', { token: emu.adminToken, body: {} })).status).toBe(
      405,
    );
    expect((await rawRequest(emu.url, 'GET', '/nope', { token: emu.adminToken })).status).toBe(404);
    expect(
      (await rawRequest(emu.url, 'GET', '/api/v1/namespaces/%E0%A4%A/pods', { token: emu.adminToken }))
        .status,
    ).toBe(200);
    expect((await rawRequest(emu.url, 'GET', '/api/v1/%E0%A4%A', { token: emu.adminToken })).status).toBe(
      404,
    );
  });

  it('serves the minimal OpenAPI kubectl reads: v3 index and group documents, v2 as protobuf', async () => {
    const root = (await rawRequest(emu.url, 'GET', '/openapi/v3', { token: emu.adminToken })).json as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    expect(root.paths['apis/apps/v1']?.serverRelativeURL).toMatch(
      /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{32}$/,
    );
    const apps = (await rawRequest(emu.url, 'GET', '/openapi/v3/apis/apps/v1', { token: emu.adminToken }))
      .json as {
      paths: Record<
        string,
        { patch?: { parameters: Array<{ name: string }>; 'x-kubernetes-group-version-kind': unknown } }
      >;
    };
    const patch = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    expect(patch?.parameters.map((p) => p.name)).toContain('fieldValidation');
    const v2 = await rawRequest(emu.url, 'GET', '/openapi/v2', {
      token: emu.adminToken,
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    expect(v2.headers['content-type']).toContain('protobuf');
    expect(v2.text).toBe('\n\u00032.0');
  });
});
