// Lists (label and field selectors, limit/continue paging, ListOptions validation) and watches
// (initial state, resourceVersion replay, selector enter/leave, 410, timeout, bookmarks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import { collectWatch, rawRequest } from '../../local/k8s-emulator/http-client.ts';
import type { RawRequestOptions } from '../../local/k8s-emulator/http-client.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';

let emu: Emulator;
const call = (method: string, path: string, o: RawRequestOptions = {}) =>
  rawRequest(emu.url, method, path, { token: emu.adminToken, ...o });
const names = (r: { json: unknown }): string[] =>
  (r.json as { items: KubeObject[] }).items.map((i) => i.metadata.name);

const pod = (
  name: string,
  ns: string,
  labels: Record<string, string>,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { containers: [{ name: 'c', image: 'nginx' }], nodeName: 'n1', ...extra },
  status: { phase: 'Running' },
});

beforeAll(async () => {
  emu = await startEmulator({
    watchHistory: 50,
    objects: [
      pod('a', 'sel', { app: 'web', tier: 'front' }),
      pod('b', 'sel', { app: 'web', tier: 'back' }),
      pod('c', 'sel', { app: 'db' }, { nodeName: 'n2', hostNetwork: true }),
      pod('d', 'sel', {}),
      { ...pod('e', 'sel', { app: 'job' }), status: { phase: 'Failed' } },
      pod('z', 'other', { app: 'web' }),
    ],
  });
});
afterAll(async () => {
  await emu.close();
});

describe('label selectors', () => {
  const cases: Array<[string, string[]]> = [
    ['app=web', ['a', 'b']],
    ['app==web', ['a', 'b']],
    ['app!=web', ['c', 'd', 'e']],
    ['app in (web,db)', ['a', 'b', 'c']],
    ['app notin (web,db)', ['d', 'e']],
    ['tier', ['a', 'b']],
    ['!tier', ['c', 'd', 'e']],
    ['app=web,tier=back', ['b']],
    ['app in (web), tier notin (front)', ['b']],
  ];
  for (const [sel, expected] of cases) {
    it(`${sel}`, async () => {
      const r = await call('GET', `/api/v1/namespaces/sel/pods?labelSelector=${encodeURIComponent(sel)}`);
      expect(r.status).toBe(200);
      expect(names(r)).toEqual(expected);
    });
  }

  it('spans namespaces on the cluster-wide path, in namespace/name order', async () => {
    expect(names(await call('GET', `/api/v1/pods?labelSelector=app%3Dweb`))).toEqual(['z', 'a', 'b']);
  });

  it('a malformed selector is a 400 BadRequest', async () => {
    const r = await call(
      'GET',
      `/api/v1/namespaces/sel/pods?labelSelector=${encodeURIComponent('app in web')}`,
    );
    expect(r.status).toBe(400);
    expect((r.json as { reason: string; message: string }).reason).toBe('BadRequest');
    expect((r.json as { message: string }).message).toMatch(/^unable to parse requirement: /);
  });
});

describe('field selectors', () => {
  it('metadata.name, status.phase, spec.nodeName, spec.hostNetwork and != work', async () => {
    expect(names(await call('GET', '/api/v1/namespaces/sel/pods?fieldSelector=metadata.name%3Db'))).toEqual([
      'b',
    ]);
    expect(
      names(await call('GET', '/api/v1/namespaces/sel/pods?fieldSelector=status.phase%3DFailed')),
    ).toEqual(['e']);
    expect(
      names(await call('GET', '/api/v1/namespaces/sel/pods?fieldSelector=status.phase!%3DRunning')),
    ).toEqual(['e']);
    expect(names(await call('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dn2'))).toEqual(['c']);
    expect(names(await call('GET', '/api/v1/pods?fieldSelector=spec.hostNetwork%3Dtrue'))).toEqual(['c']);
    expect(
      names(
        await call('GET', '/api/v1/pods?fieldSelector=metadata.namespace%3Dother,status.phase%3DRunning'),
      ),
    ).toEqual(['z']);
  });

  it('an unsupported field is a 400 with the real wording (built-in and CR)', async () => {
    const r = await call('GET', '/api/v1/pods?fieldSelector=spec.foo%3Dx');
    expect(r.status).toBe(400);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"field label not supported: spec.foo","reason":"BadRequest","code":400}',
    );
    const cr = await call('GET', '/apis/snapshot.storage.k8s.io/v1/volumesnapshots?fieldSelector=spec.x%3Dy');
    expect((cr.json as { message: string }).message).toBe(
      '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
});

describe('paging with limit/continue', () => {
  it('returns every item once, in order, with a stable list resourceVersion and remainingItemCount', async () => {
    const seen: string[] = [];
    let token = '';
    let rv: string | undefined;
    const remaining: Array<number | undefined> = [];
    for (let page = 0; page < 10; page++) {
      const r = await call('GET', `/api/v1/namespaces/sel/pods?limit=2${token ? `&continue=${token}` : ''}`);
      expect(r.status).toBe(200);
      const meta = (
        r.json as { metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } }
      ).metadata;
      rv ??= meta.resourceVersion;
      expect(meta.resourceVersion).toBe(rv);
      seen.push(...names(r));
      remaining.push(meta.remainingItemCount);
      if (!meta.continue) break;
      token = meta.continue;
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(remaining).toEqual([3, 1, undefined]);
  });

  it('with a selector, limit counts matches and remainingItemCount is omitted', async () => {
    const r = await call('GET', '/api/v1/namespaces/sel/pods?limit=1&labelSelector=app%3Dweb');
    const meta = (r.json as { metadata: { continue?: string; remainingItemCount?: number } }).metadata;
    expect(names(r)).toEqual(['a']);
    expect(meta.continue).toBeDefined();
    expect(meta.remainingItemCount).toBeUndefined();
    const next = await call(
      'GET',
      `/api/v1/namespaces/sel/pods?limit=1&labelSelector=app%3Dweb&continue=${meta.continue}`,
    );
    expect(names(next)).toEqual(['b']);
  });

  it('the continue token is the apiserver format: base64url JSON with rv and start key', async () => {
    const r = await call('GET', '/api/v1/namespaces/sel/pods?limit=2');
    const meta = (r.json as { metadata: { continue: string; resourceVersion: string } }).metadata;
    expect(JSON.parse(Buffer.from(meta.continue, 'base64url').toString())).toEqual({
      v: 'meta.k8s.io/v1',
      rv: Number(meta.resourceVersion),
      start: 'sel/b\u0000',
    });
  });

  it('an invalid continue token is a 400', async () => {
    const r = await call('GET', '/api/v1/namespaces/sel/pods?limit=2&continue=bm9wZQ');
    expect(r.status).toBe(400);
    expect((r.json as { message: string }).message).toMatch(/^continue key is not valid: /);
  });

  it('resourceVersionMatch without resourceVersion is a 422 ListOptions error', async () => {
    const r = await call('GET', '/api/v1/pods?resourceVersionMatch=NotOlderThan');
    expect(r.status).toBe(422);
    expect((r.json as { message: string }).message).toBe(
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    );
  });
});

describe('watch', () => {
  it('sends the current state as ADDED, then MODIFIED and DELETED, one JSON object per line', async () => {
    emu.store.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'w1', namespace: 'watch' },
      data: { v: '1' },
    });
    const events = await collectWatch(
      emu.url,
      '/api/v1/namespaces/watch/configmaps?watch=true',
      emu.adminToken,
      (ev) => ev.some((e) => e.type === 'DELETED'),
      () => {
        setTimeout(() => {
          emu.store.put({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'w1', namespace: 'watch' },
            data: { v: '2' },
          });
          emu.store.delete('configmaps', 'w1', 'watch');
        }, 20);
      },
    );
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(events[0]?.object['kind']).toBe('ConfigMap');
    expect(events[0]?.object['apiVersion']).toBe('v1');
    const rvs = events.map((e) =>
      Number((e.object['metadata'] as { resourceVersion: string }).resourceVersion),
    );
    expect(rvs[1]).toBeGreaterThan(rvs[0] as number);
    expect(rvs[2]).toBeGreaterThan(rvs[1] as number);
  });

  it('replays the history after a resourceVersion without synthetic ADDEDs', async () => {
    const start = emu.store.resourceVersion;
    emu.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r1', namespace: 'replay' } });
    emu.store.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'r1', namespace: 'replay', labels: { x: 'y' } },
    });
    emu.store.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'other', namespace: 'elsewhere' },
    });
    const events = await collectWatch(
      emu.url,
      `/api/v1/namespaces/replay/configmaps?watch=1&resourceVersion=${start}`,
      emu.adminToken,
      (ev) => ev.length >= 2,
    );
    expect(events.map((e) => `${e.type}:${(e.object['metadata'] as { name: string }).name}`)).toEqual([
      'ADDED:r1',
      'MODIFIED:r1',
    ]);
  });

  it('turns objects entering and leaving a label selector into ADDED and DELETED', async () => {
    const events = await collectWatch(
      emu.url,
      '/api/v1/namespaces/labels/configmaps?watch=true&labelSelector=team%3Da',
      emu.adminToken,
      (ev) => ev.length >= 2,
      () => {
        setTimeout(() => {
          emu.store.put({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'm', namespace: 'labels', labels: { team: 'b' } },
          });
          emu.store.put({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'm', namespace: 'labels', labels: { team: 'a' } },
          });
          emu.store.put({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'm', namespace: 'labels', labels: { team: 'c' } },
          });
        }, 20);
      },
    );
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    // The DELETED carries the previous content (still team=a) at the event's revision.
    expect((events[1]?.object['metadata'] as { labels: Record<string, string> }).labels).toEqual({
      team: 'a',
    });
    expect(Number((events[1]?.object['metadata'] as { resourceVersion: string }).resourceVersion)).toBe(
      emu.store.resourceVersion,
    );
  });

  it('a resourceVersion older than the history gets one ERROR 410 event and the stream closes', async () => {
    emu.store.compact();
    const events = await collectWatch(
      emu.url,
      '/api/v1/namespaces/watch/configmaps?watch=true&resourceVersion=5',
      emu.adminToken,
      () => false,
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe('ERROR');
    expect(events[0]?.object).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: 5 (${emu.store.resourceVersion})`,
      reason: 'Expired',
      code: 410,
    });
  });

  it('closes after timeoutSeconds, with a BOOKMARK when bookmarks are allowed', async () => {
    const events = await collectWatch(
      emu.url,
      '/api/v1/namespaces/none/configmaps?watch=true&timeoutSeconds=1&allowWatchBookmarks=true',
      emu.adminToken,
      () => false,
    );
    expect(events).toEqual([
      {
        type: 'BOOKMARK',
        object: {
          kind: 'ConfigMap',
          apiVersion: 'v1',
          metadata: { resourceVersion: String(emu.store.resourceVersion) },
        },
      },
    ]);
    expect(emu.watchCount()).toBe(0);
  });

  it('dry-run writes emit no events', async () => {
    const events = await collectWatch(
      emu.url,
      '/api/v1/namespaces/dry/configmaps?watch=true&timeoutSeconds=1',
      emu.adminToken,
      () => false,
      () => {
        void call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'never' } },
        });
      },
    );
    expect(events).toEqual([]);
  });

  it('errors before streaming are ordinary Status replies', async () => {
    const r = await call('GET', '/api/v1/pods?watch=true&labelSelector=in%20%28');
    expect(r.status).toBe(400);
  });
});
