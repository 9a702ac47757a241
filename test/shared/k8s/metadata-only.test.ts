// Metadata-only lists: the emulator answers `as=PartialObjectMetadataList`, the client asks for it
// with ListOptions.metadataOnly (and copes with a server that answers whole objects), takeSnapshot
// lists chosen kinds that way, and a sweep's read scope serves them from a held whole list.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createK8s, type K8sClient } from '../../../shared/k8s/client.ts';
import { readerOf } from '../../../shared/k8s/reader.ts';
import { resources } from '../../../shared/k8s/resources.ts';
import type { KubeObject } from '../../../shared/k8s/types.ts';
import { createReadScope } from '../../../shared/runtime/read-scope.ts';
import { takeSnapshot } from '../../../shared/scan/snapshot.ts';
import { rawRequest } from '../../../local/k8s-emulator/http-client.ts';
import { startEmulator, type Emulator } from '../../../local/k8s-emulator/index.ts';

const ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

const pod = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'team', labels: { app: name } },
  spec: {
    containers: [
      { name: 'app', image: `registry.example.com/${name}:1`, env: [{ name: 'A', value: 'x'.repeat(200) }] },
    ],
  },
});

let emulator: Emulator;
const clients: K8sClient[] = [];
const servers: Server[] = [];

function clientOf(url: string, token = 'admin'): K8sClient {
  const k8s = createK8s({
    env: { ECO_K8S_RETRIES: '0' },
    config: {
      server: url,
      source: 'kubeconfig',
      namespace: 'default',
      insecureSkipTlsVerify: true,
      authHeaders: async () => ({ authorization: `Bearer ${token}` }),
    },
  });
  clients.push(k8s);
  return k8s;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

beforeAll(async () => {
  emulator = await startEmulator({ objects: [pod('a'), pod('b'), pod('c')] });
});

afterAll(async () => {
  for (const k8s of clients) k8s.close();
  for (const server of servers) server.close();
  await emulator?.close();
});

describe('the emulator: metadata-only answers', () => {
  it('a list asked as PartialObjectMetadataList carries each object’s metadata only', async () => {
    const r = await rawRequest(emulator.url, 'GET', '/api/v1/namespaces/team/pods?limit=2', {
      token: emulator.adminToken,
      accept: ACCEPT,
    });
    expect(r.status).toBe(200);
    const body = r.json as {
      kind: string;
      apiVersion: string;
      metadata: { continue?: string };
      items: KubeObject[];
    };
    expect(body.kind).toBe('PartialObjectMetadataList');
    expect(body.apiVersion).toBe('meta.k8s.io/v1');
    expect(body.metadata.continue).toBeTruthy();
    expect(body.items.map((i) => [i.kind, i.apiVersion, i.metadata.name, i.metadata.labels])).toEqual([
      ['PartialObjectMetadata', 'meta.k8s.io/v1', 'a', { app: 'a' }],
      ['PartialObjectMetadata', 'meta.k8s.io/v1', 'b', { app: 'b' }],
    ]);
    expect(body.items.every((i) => i['spec'] === undefined)).toBe(true);
  });

  it('one object asked as PartialObjectMetadata; plain JSON first keeps the whole object', async () => {
    const one = await rawRequest(emulator.url, 'GET', '/api/v1/namespaces/team/pods/a', {
      token: emulator.adminToken,
      accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
    });
    expect(one.json).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'a' } });
    expect((one.json as KubeObject)['spec']).toBeUndefined();
    const plain = await rawRequest(emulator.url, 'GET', '/api/v1/namespaces/team/pods', {
      token: emulator.adminToken,
      accept: `application/json,${ACCEPT}`,
    });
    expect((plain.json as { kind: string }).kind).toBe('PodList');
  });
});

describe('the client: ListOptions.metadataOnly', () => {
  it('asks for metadata only and gives each item its own kind and apiVersion, in fewer bytes', async () => {
    const k8s = clientOf(emulator.url, emulator.adminToken);
    let before = emulator.traffic();
    const whole = await all(k8s.list(resources.pods, { namespace: 'team' }));
    const wholeBytes = emulator.traffic().bytes - before.bytes;
    before = emulator.traffic();
    const meta = await all(k8s.list(resources.pods, { namespace: 'team', metadataOnly: true }));
    const metaBytes = emulator.traffic().bytes - before.bytes;
    expect(meta).toEqual(whole.map((o) => ({ apiVersion: 'v1', kind: 'Pod', metadata: o.metadata })));
    expect(metaBytes).toBeLessThan(wholeBytes);
  });

  it('a server that ignores the Accept and sends whole objects still yields metadata only', async () => {
    const accepts: string[] = [];
    const server = createServer((req, res) => {
      accepts.push(String(req.headers.accept));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod('x')] }));
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const k8s = clientOf(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const items = await all(k8s.list(resources.pods, { metadataOnly: true }));
    expect(accepts).toEqual([ACCEPT]);
    expect(items).toEqual([{ apiVersion: 'v1', kind: 'Pod', metadata: pod('x').metadata }]);
  });
});

describe('takeSnapshot and the read scope', () => {
  it('takeSnapshot lists the kinds named in metadataOnly without spec or status', async () => {
    const k8s = readerOf(clientOf(emulator.url, emulator.adminToken));
    const snap = await takeSnapshot(
      { bot: 'eco-probe-bot', k8s, now: () => new Date() },
      { pods: resources.pods, namespaces: resources.namespaces },
      { metadataOnly: ['pods'] },
    );
    expect(snap.objects.pods.map((p) => p.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(snap.objects.pods.every((p) => p['spec'] === undefined && p.kind === 'Pod')).toBe(true);
  });

  it('in a sweep, a metadata-only list is served from the whole list of the same request', async () => {
    const client = clientOf(emulator.url, emulator.adminToken);
    const base = readerOf(client);
    const reads = createReadScope();
    const rbac = [{ apiGroups: [''], resources: ['pods'], verbs: ['list' as const] }];
    const full = reads.reader(client, base, { name: 'eco-full-bot', rbac });
    const meta = reads.reader(client, base, { name: 'eco-meta-bot', rbac });
    const before = emulator.traffic().requests;
    const whole = await all(full.list(resources.pods));
    const names = await all(meta.list(resources.pods, { metadataOnly: true }));
    expect(emulator.traffic().requests - before).toBe(1);
    expect(names).toEqual(whole.map((o) => ({ apiVersion: 'v1', kind: 'Pod', metadata: o.metadata })));
    expect(Object.isFrozen(names[0])).toBe(true);
    // The other way round a whole list is not made from metadata: it is read.
    const other = createReadScope();
    await all(
      other.reader(client, base, { name: 'eco-meta-bot', rbac }).list(resources.pods, { metadataOnly: true }),
    );
    await all(other.reader(client, base, { name: 'eco-full-bot', rbac }).list(resources.pods));
    expect(emulator.traffic().requests - before).toBe(3);
  });
});
