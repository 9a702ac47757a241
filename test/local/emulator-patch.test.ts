// The four PATCH content types, over HTTP and as pure functions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import { rawRequest } from '../../local/k8s-emulator/http-client.ts';
import type { RawRequestOptions } from '../../local/k8s-emulator/http-client.ts';
import { applyJsonPatch, applyMergePatch, strategicMerge } from '../../local/k8s-emulator/patch.ts';
import { ApiError } from '../../local/k8s-emulator/status-errors.ts';

let emu: Emulator;
const call = (method: string, path: string, o: RawRequestOptions = {}) =>
  rawRequest(emu.url, method, path, { token: emu.adminToken, ...o });
const DEP = '/apis/apps/v1/namespaces/default/deployments/web';

interface Dep {
  metadata: { labels?: Record<string, string>; resourceVersion: string; finalizers?: string[] };
  spec: {
    replicas: number;
    template: {
      spec: {
        containers: Array<{
          name: string;
          image: string;
          env?: Array<{ name: string; value: string }>;
          ports?: Array<{ containerPort: number; name?: string }>;
        }>;
      };
    };
  };
}

beforeAll(async () => {
  emu = await startEmulator();
  emu.store.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web', keep: 'me' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              env: [{ name: 'A', value: '1' }],
              ports: [{ containerPort: 80 }],
            },
            { name: 'sidecar', image: 'busybox:1.37' },
          ],
        },
      },
    },
  });
});
afterAll(async () => {
  await emu.close();
});

describe('application/json-patch+json', () => {
  it('applies add/replace/remove and a passing test op (the optimistic-lock idiom)', async () => {
    const cur = (await call('GET', DEP)).json as Dep;
    const r = await call('PATCH', DEP, {
      contentType: 'application/json-patch+json',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: cur.metadata.resourceVersion },
        { op: 'replace', path: '/spec/replicas', value: 3 },
        { op: 'add', path: '/metadata/labels/added', value: 'yes' },
        { op: 'remove', path: '/metadata/labels/keep' },
      ],
    });
    expect(r.status).toBe(200);
    const d = r.json as Dep;
    expect(d.spec.replicas).toBe(3);
    expect(d.metadata.labels).toEqual({ app: 'web', added: 'yes' });
  });

  it('a failing test op is the apiserver 422 with empty details, and nothing changes', async () => {
    const r = await call('PATCH', DEP, {
      contentType: 'application/json-patch+json',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: '1' },
        { op: 'replace', path: '/spec/replicas', value: 9 },
      ],
    });
    expect(r.status).toBe(422);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server rejected our request due to an error in our request","reason":"Invalid","details":{},"code":422}',
    );
    expect(((await call('GET', DEP)).json as Dep).spec.replicas).toBe(3);
  });

  it('a malformed patch (not an array) is a 400', async () => {
    const r = await call('PATCH', DEP, { contentType: 'application/json-patch+json', body: { op: 'add' } });
    expect(r.status).toBe(400);
  });

  it('move, copy and array append work as RFC 6902', () => {
    const out = applyJsonPatch({ a: { b: 1 }, list: [1] }, [
      { op: 'copy', from: '/a/b', path: '/c' },
      { op: 'move', from: '/a', path: '/moved' },
      { op: 'add', path: '/list/-', value: 2 },
      { op: 'add', path: '/list/0', value: 0 },
    ]);
    expect(out).toEqual({ c: 1, moved: { b: 1 }, list: [0, 1, 2] });
    expect(() => applyJsonPatch({}, [{ op: 'replace', path: '/missing', value: 1 }])).toThrow(ApiError);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(ApiError);
  });
});

describe('application/merge-patch+json', () => {
  it('merges objects, deletes with null and replaces lists wholesale', async () => {
    const r = await call('PATCH', DEP, {
      contentType: 'application/merge-patch+json',
      body: {
        metadata: { labels: { added: null, more: 'x' } },
        spec: { template: { spec: { containers: [{ name: 'only', image: 'x:1' }] } } },
      },
    });
    const d = r.json as Dep;
    expect(d.metadata.labels).toEqual({ app: 'web', more: 'x' });
    expect(d.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x:1' }]);
  });

  it('as a pure function', () => {
    expect(applyMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { a: null, b: { c: 5 }, l: [3] })).toEqual(
      { b: { c: 5, d: 3 }, l: [3] },
    );
  });
});

describe('application/strategic-merge-patch+json', () => {
  it('merges containers by name, env by name and container ports by containerPort', async () => {
    await call('PATCH', DEP, {
      contentType: 'application/merge-patch+json',
      body: {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'nginx:1.27',
                  env: [{ name: 'A', value: '1' }],
                  ports: [{ containerPort: 80 }],
                },
                { name: 'sidecar', image: 'busybox:1.37' },
              ],
            },
          },
        },
      },
    });
    const r = await call('PATCH', DEP, {
      contentType: 'application/strategic-merge-patch+json',
      body: {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'nginx:1.28',
                  env: [{ name: 'B', value: '2' }],
                  ports: [{ containerPort: 80, name: 'http' }],
                },
              ],
            },
          },
        },
      },
    });
    expect(r.status).toBe(200);
    const cs = (r.json as Dep).spec.template.spec.containers;
    expect(cs.map((c) => c.name)).toEqual(['web', 'sidecar']);
    expect(cs[0]?.image).toBe('nginx:1.28');
    expect(cs[0]?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(cs[0]?.ports).toEqual([{ containerPort: 80, name: 'http' }]);
  });

  it('$patch: delete removes a list element; $deleteFromPrimitiveList and finalizer union', () => {
    const out = strategicMerge(
      {
        metadata: { finalizers: ['a', 'b'] },
        spec: { containers: [{ name: 'x' }, { name: 'y' }], volumes: [{ name: 'v' }] },
      },
      {
        metadata: { finalizers: ['c'] },
        spec: {
          containers: [{ name: 'y', $patch: 'delete' }],
          '$deleteFromPrimitiveList/args': ['z'],
          volumes: [{ name: 'w' }],
        },
      },
    );
    expect(out).toEqual({
      metadata: { finalizers: ['a', 'b', 'c'] },
      spec: { containers: [{ name: 'x' }], volumes: [{ name: 'v' }, { name: 'w' }] },
    });
    expect(strategicMerge({ spec: { a: 1, b: 2 } }, { spec: { $patch: 'replace', c: 3 } })).toEqual({
      spec: { c: 3 },
    });
    expect(
      strategicMerge(
        { ports: [{ port: 80, name: 'a' }] },
        { ports: [{ port: 80, name: 'b' }, { port: 443 }] },
      ),
    ).toEqual({
      ports: [{ port: 80, name: 'b' }, { port: 443 }],
    });
  });
});

describe('application/apply-patch+yaml (server-side apply, basic)', () => {
  it('creates a missing object with 201, keeps fields of other managers, drops fields it stopped applying', async () => {
    const path = '/api/v1/namespaces/default/configmaps/applied';
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: "1"\n';
    const created = await call('PATCH', `${path}?fieldManager=eco-bot`, {
      rawBody: yaml,
      contentType: 'application/apply-patch+yaml',
    });
    expect(created.status).toBe(201);
    await call('PATCH', `${path}?fieldManager=someone-else`, {
      body: { data: { c: '3' } },
      contentType: 'application/merge-patch+json',
    });
    const json = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"b":"2"}}';
    const updated = await call('PATCH', `${path}?fieldManager=eco-bot`, {
      rawBody: json,
      contentType: 'application/apply-patch+yaml',
    });
    expect(updated.status).toBe(200);
    expect((updated.json as { data: Record<string, string> }).data).toEqual({ b: '2', c: '3' });
  });

  it('force on a non-apply patch is a 422', async () => {
    const r = await call('PATCH', `${DEP}?force=true`, {
      contentType: 'application/merge-patch+json',
      body: {},
    });
    expect(r.status).toBe(422);
    expect((r.json as { message: string }).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
    );
  });
});

describe('patch preconditions', () => {
  it('PATCH on a missing object is a 404', async () => {
    const r = await call('PATCH', '/api/v1/namespaces/default/configmaps/missing', {
      contentType: 'application/merge-patch+json',
      body: { data: {} },
    });
    expect(r.status).toBe(404);
  });

  it('a resourceVersion in a merge patch that matches is accepted', async () => {
    const cur = (await call('GET', DEP)).json as Dep;
    const r = await call('PATCH', DEP, {
      contentType: 'application/merge-patch+json',
      body: { metadata: { resourceVersion: cur.metadata.resourceVersion }, spec: { replicas: 1 } },
    });
    expect(r.status).toBe(200);
    expect(Number((r.json as Dep).metadata.resourceVersion)).toBeGreaterThan(
      Number(cur.metadata.resourceVersion),
    );
  });
});
