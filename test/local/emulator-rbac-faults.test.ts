// RBAC per token with the apiserver's denial wording, fault injection (programmatic and over the
// admin endpoint), the request log, seeding from YAML, discovery, pod logs and metrics.k8s.io.
import { mkdtemp, writeFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, serviceAccountUser } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import { rawRequest } from '../../local/k8s-emulator/http-client.ts';
import type { RawRequestOptions } from '../../local/k8s-emulator/http-client.ts';

let emu: Emulator;
let dir: string;
const BOT = serviceAccountUser('eco-bots', 'eco-cleanup-bot');
const call = (method: string, path: string, o: RawRequestOptions = {}) =>
  rawRequest(emu.url, method, path, { token: emu.adminToken, ...o });
const asBot = (method: string, path: string, o: RawRequestOptions = {}) =>
  rawRequest(emu.url, method, path, { token: 'bot-token', ...o });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu-test-'));
  emu = await startEmulator({
    tokens: {
      'bot-token': {
        user: BOT,
        rules: [
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
          { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list'] },
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['allowed'] },
        ],
        namespacedRules: {
          team: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'patch'] }],
        },
      },
    },
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'team' },
        spec: { containers: [{ name: 'app', image: 'x' }] },
        status: { phase: 'Running' },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'team' },
        spec: { replicas: 1 },
      },
    ],
  });
});
afterAll(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

describe('RBAC per token', () => {
  it('allows what the rules grant', async () => {
    expect((await asBot('GET', '/api/v1/pods')).status).toBe(200);
    expect((await asBot('GET', '/api/v1/namespaces/team/pods/p')).status).toBe(200);
    expect((await asBot('GET', '/apis/batch/v1/jobs')).status).toBe(200);
    expect((await asBot('GET', '/apis/apps/v1/namespaces/team/deployments/d')).status).toBe(200);
    expect((await asBot('GET', '/api/v1/namespaces/team/configmaps/allowed')).status).toBe(404);
  });

  it('denies a list at the cluster scope with the exact message and body', async () => {
    const r = await asBot('GET', '/api/v1/secrets');
    expect(r.status).toBe(403);
    expect(r.text).toBe(
      `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"secrets is forbidden: User \\"${BOT}\\" cannot list resource \\"secrets\\" in API group \\"\\" at the cluster scope","reason":"Forbidden","details":{"kind":"secrets"},"code":403}`,
    );
  });

  it('denies in a namespace, with the object name and the API group', async () => {
    const r = await asBot('DELETE', '/apis/batch/v1/namespaces/team/jobs/j1');
    expect(r.status).toBe(403);
    expect(r.text).toBe(
      `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"jobs.batch \\"j1\\" is forbidden: User \\"${BOT}\\" cannot delete resource \\"jobs\\" in API group \\"batch\\" in the namespace \\"team\\"","reason":"Forbidden","details":{"name":"j1","group":"batch","kind":"jobs"},"code":403}`,
    );
  });

  it('subresources need their own rule (pods/log, pods/eviction)', async () => {
    const log = await asBot('GET', '/api/v1/namespaces/team/pods/p/log');
    expect(log.status).toBe(403);
    expect((log.json as { message: string }).message).toBe(
      `pods "p" is forbidden: User "${BOT}" cannot get resource "pods/log" in API group "" in the namespace "team"`,
    );
    const ev = await asBot('POST', '/api/v1/namespaces/team/pods/p/eviction', {
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' } },
    });
    expect((ev.json as { message: string }).message).toBe(
      `pods "p" is forbidden: User "${BOT}" cannot create resource "pods/eviction" in API group "" in the namespace "team"`,
    );
  });

  it('watch is its own verb; resourceNames restrict by name; namespaced rules stay in their namespace', async () => {
    expect((await asBot('GET', '/api/v1/pods?watch=true')).status).toBe(403);
    expect((await asBot('GET', '/api/v1/namespaces/team/configmaps/other')).status).toBe(403);
    expect((await asBot('GET', '/api/v1/namespaces/team/configmaps')).status).toBe(403);
    const other = await asBot('GET', '/apis/apps/v1/namespaces/prod/deployments');
    expect((other.json as { message: string }).message).toBe(
      `deployments.apps is forbidden: User "${BOT}" cannot list resource "deployments" in API group "apps" in the namespace "prod"`,
    );
  });

  it('discovery and version are open to any authenticated user', async () => {
    expect((await asBot('GET', '/api')).status).toBe(200);
    expect((await asBot('GET', '/apis/apps/v1')).status).toBe(200);
    expect((await asBot('GET', '/version')).status).toBe(200);
  });

  it('tokens added at run time work, and the request log records user, verb, status and bytes', async () => {
    emu.addToken('late', { user: 'late-user', rules: [] });
    emu.requests.length = 0;
    const before = emu.traffic();
    const r = await rawRequest(emu.url, 'GET', '/api/v1/namespaces/team/pods?limit=1', { token: 'late' });
    expect(r.status).toBe(403);
    const bytes = Buffer.byteLength(r.text);
    expect(emu.traffic()).toEqual({ requests: before.requests + 1, bytes: before.bytes + bytes });
    expect(emu.requests).toEqual([
      {
        method: 'GET',
        path: '/api/v1/namespaces/team/pods',
        query: 'limit=1',
        user: 'late-user',
        status: 403,
        verb: 'list',
        resource: 'pods',
        namespace: 'team',
        bytes,
      },
    ]);
  });

  it('anonymousAdmin lets token-less requests through', async () => {
    const open = await startEmulator({ anonymousAdmin: true });
    try {
      expect((await rawRequest(open.url, 'GET', '/api/v1/namespaces')).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('RBAC from stored Roles and bindings (rbacFromStore)', () => {
  it('grants exactly what the bound ClusterRole and Role allow, and follows changes to them', async () => {
    const user = serviceAccountUser('eco-bots', 'eco-stored-bot');
    emu.addToken('stored-token', { user, rbacFromStore: true });
    const as = (method: string, path: string) => rawRequest(emu.url, method, path, { token: 'stored-token' });
    expect((await as('GET', '/api/v1/pods')).status).toBe(403);
    emu.seed([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'eco-stored-bot' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'eco-stored-bot' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'eco-stored-bot' },
        subjects: [{ kind: 'ServiceAccount', name: 'eco-stored-bot', namespace: 'eco-bots' }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'writer', namespace: 'team' },
        rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'writer', namespace: 'team' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'writer' },
        subjects: [{ kind: 'Group', name: 'system:serviceaccounts:eco-bots' }],
      },
    ]);
    expect((await as('GET', '/api/v1/pods')).status).toBe(200);
    expect((await as('GET', '/api/v1/namespaces/team/pods/p')).status).toBe(403);
    expect((await as('GET', '/apis/apps/v1/namespaces/team/deployments/d')).status).toBe(200);
    const other = await as('GET', '/apis/apps/v1/namespaces/prod/deployments/d');
    expect((other.json as { message: string }).message).toBe(
      `deployments.apps "d" is forbidden: User "${user}" cannot get resource "deployments" in API group "apps" in the namespace "prod"`,
    );
    emu.store.delete('clusterrolebindings.rbac.authorization.k8s.io', 'eco-stored-bot');
    expect((await as('GET', '/api/v1/pods')).status).toBe(403);
  });
});

describe('fault injection', () => {
  it('429 with Retry-After, limited to N matching requests', async () => {
    emu.faults.status(429, {
      method: 'GET',
      path: '/api/v1/namespaces/team/pods',
      times: 2,
      retryAfterSeconds: 3,
    });
    const a = await call('GET', '/api/v1/namespaces/team/pods');
    expect(a.status).toBe(429);
    expect(a.headers['retry-after']).toBe('3');
    expect(a.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server has received too many requests and has asked us to try again later","reason":"TooManyRequests","details":{"retryAfterSeconds":3},"code":429}',
    );
    expect((await call('GET', '/api/v1/namespaces/team/pods')).status).toBe(429);
    expect((await call('GET', '/api/v1/namespaces/team/pods')).status).toBe(200);
    // Other paths were never affected.
    emu.faults.clear();
  });

  it('500 and 503 bodies', async () => {
    emu.faults.status(500, { path: '/api/v1/namespaces/*/pods' });
    const r = await call('GET', '/api/v1/namespaces/team/pods');
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: injected fault","reason":"InternalError","details":{"causes":[{"message":"injected fault"}]},"code":500}',
    );
    emu.faults.status(503, { path: /\/pods$/ });
    const s = await call('GET', '/api/v1/pods');
    expect(s.status).toBe(503);
    expect((s.json as { reason: string }).reason).toBe('ServiceUnavailable');
  });

  it('a connection reset destroys the socket without an answer', async () => {
    emu.faults.reset({ method: 'GET', path: '/api/v1/namespaces/team/pods/p' });
    await expect(call('GET', '/api/v1/namespaces/team/pods/p')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await call('GET', '/api/v1/namespaces/team/pods/p')).status).toBe(200);
    expect(emu.requests.some((q) => q.path === '/api/v1/namespaces/team/pods/p' && q.status === 0)).toBe(
      true,
    );
  });

  it('latency delays the answer; skip lets the first matches through', async () => {
    const id = emu.faults.add({ path: '/version', latencyMs: 150, skip: 1 });
    const fault = () => emu.faults.list().find((f) => f.id === id);
    await call('GET', '/version');
    expect(fault()).toMatchObject({ seen: 1, hits: 0 });
    const t = Date.now();
    const r = await call('GET', '/version');
    // A lower bound only: the delay is a sleep, so it cannot be shorter.
    expect(r.status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    expect(fault()).toMatchObject({ seen: 2, hits: 1 });
  });

  it('a query matcher targets later pages: 410 Expired on a continue request', async () => {
    emu.seed(
      ['q1', 'q2', 'q3'].map((name) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: 'paged' },
      })),
    );
    emu.faults.status(410, { path: '/api/v1/namespaces/paged/configmaps', query: 'continue=' });
    const first = await call('GET', '/api/v1/namespaces/paged/configmaps?limit=1');
    expect(first.status).toBe(200);
    const token = (first.json as { metadata: { continue: string } }).metadata.continue;
    const second = await call('GET', `/api/v1/namespaces/paged/configmaps?limit=1&continue=${token}`);
    expect(second.status).toBe(410);
    expect((second.json as { reason: string; message: string }).reason).toBe('Expired');
    expect((second.json as { message: string }).message).toMatch(
      /^The provided continue parameter is too old/,
    );
    expect((await call('GET', `/api/v1/namespaces/paged/configmaps?limit=1&continue=${token}`)).status).toBe(
      200,
    );
  });

  it('the HTTP admin endpoint adds, lists and clears faults', async () => {
    const add = await rawRequest(emu.url, 'POST', '/_emulator/faults', {
      body: { method: 'GET', pathRegex: '^/apis/apps/', status: 504, times: 1 },
    });
    expect(add.status).toBe(201);
    const list = await rawRequest(emu.url, 'GET', '/_emulator/faults');
    expect((list.json as { faults: Array<{ status: number; path: string }> }).faults.at(-1)).toMatchObject({
      status: 504,
      path: '/^\\/apis\\/apps\\//',
    });
    expect((await call('GET', '/apis/apps/v1/deployments')).status).toBe(504);
    expect((await call('GET', '/apis/apps/v1/deployments')).status).toBe(200);
    const bad = await rawRequest(emu.url, 'POST', '/_emulator/faults', { body: { status: 200 } });
    expect(bad.status).toBe(400);
    expect((bad.json as { message: string }).message).toBe('status must be an HTTP error code (400-599)');
    expect((await rawRequest(emu.url, 'DELETE', '/_emulator/faults')).status).toBe(200);
    expect(emu.faults.list()).toHaveLength(0);
    const reqs = await rawRequest(emu.url, 'GET', '/_emulator/requests');
    expect((reqs.json as { requests: unknown[] }).requests.length).toBeGreaterThan(0);
  });
});

describe('seeding, discovery, logs and metrics', () => {
  it('loadSeed reads multi-document YAML, List kinds and PodLog documents; creates missing namespaces', async () => {
    const file = join(dir, 'seed.yaml');
    await writeFile(
      file,
      [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- apiVersion: v1',
        '  kind: ConfigMap',
        '  metadata: {name: from-list, namespace: seeded}',
        '---',
        'apiVersion: batch/v1',
        'kind: Job',
        'metadata: {name: old-job, namespace: seeded, uid: 11111111-2222-4333-8444-555555555555, creationTimestamp: "2025-01-10T12:00:00Z"}',
        'spec: {template: {spec: {containers: [{name: c, image: x}], restartPolicy: Never}}}',
        'status: {succeeded: 1}',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: logger, namespace: seeded}',
        'spec: {containers: [{name: app, image: x}, {name: side, image: y}]}',
        '---',
        'apiVersion: emulator.eco.bsw-arch.org/v1',
        'kind: PodLog',
        'metadata: {name: logger, namespace: seeded}',
        'container: app',
        'text: "line 1\\nline 2\\nline 3\\n"',
        '',
      ].join('\n'),
    );
    expect(await emu.loadSeed(file)).toBe(3);
    expect(emu.store.get('namespaces', 'seeded')).toBeDefined();
    const job = emu.store.get('jobs.batch', 'old-job', 'seeded');
    expect(job?.metadata.uid).toBe('11111111-2222-4333-8444-555555555555');
    expect(job?.metadata.creationTimestamp).toBe('2025-01-10T12:00:00Z');
    const log = await call('GET', '/api/v1/namespaces/seeded/pods/logger/log?container=app&tailLines=2');
    expect(log.status).toBe(200);
    expect(log.headers['content-type']).toBe('text/plain');
    expect(log.text).toBe('line 2\nline 3\n');
    const noContainer = await call('GET', '/api/v1/namespaces/seeded/pods/logger/log');
    expect((noContainer.json as { message: string }).message).toBe(
      'a container name must be specified for pod logger, choose one of: [app side]',
    );
    const prev = await call('GET', '/api/v1/namespaces/seeded/pods/logger/log?container=app&previous=true');
    expect(prev.status).toBe(400);
    await expect(emu.loadSeed(join(dir, 'missing.yaml'))).rejects.toThrow();
    await writeFile(join(dir, 'bad.yaml'), 'kind: Pod\nmetadata: {}\n');
    await expect(emu.loadSeed(join(dir, 'bad.yaml'))).rejects.toThrow(
      /needs apiVersion, kind and metadata.name/,
    );
  });

  it('discovery lists groups, resources with verbs/short names/subresources, and the snapshot CRDs', async () => {
    const apis = (await call('GET', '/apis')).json as {
      groups: Array<{ name: string; preferredVersion: { groupVersion: string } }>;
    };
    const groups = apis.groups.map((g) => g.name);
    for (const g of [
      'apps',
      'batch',
      'networking.k8s.io',
      'policy',
      'autoscaling',
      'rbac.authorization.k8s.io',
      'coordination.k8s.io',
      'storage.k8s.io',
      'apiextensions.k8s.io',
      'metrics.k8s.io',
      'snapshot.storage.k8s.io',
    ]) {
      expect(groups).toContain(g);
    }
    const core = (await call('GET', '/api/v1')).json as {
      resources: Array<{
        name: string;
        verbs: string[];
        shortNames?: string[];
        kind: string;
        group?: string;
      }>;
    };
    const byName = new Map(core.resources.map((r) => [r.name, r]));
    expect(byName.get('pods')?.shortNames).toEqual(['po']);
    expect(byName.get('pods/eviction')).toMatchObject({
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
    expect(byName.get('pods/log')?.verbs).toEqual(['get']);
    expect(byName.get('namespaces')?.verbs).not.toContain('deletecollection');
    const crds = (await call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).json as {
      items: Array<{ metadata: { name: string } }>;
    };
    expect(crds.items.map((c) => c.metadata.name)).toEqual([
      'volumesnapshotclasses.snapshot.storage.k8s.io',
      'volumesnapshotcontents.snapshot.storage.k8s.io',
      'volumesnapshots.snapshot.storage.k8s.io',
    ]);
    const version = (await call('GET', '/version')).json as { gitVersion: string };
    expect(version.gitVersion).toBe('v1.35.0');
  });

  it('a CRD created at run time is served at once (CR list items keep TypeMeta)', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    const c = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd });
    expect(c.status).toBe(201);
    expect(
      (c.json as { status: { conditions: Array<{ type: string; status: string }> } }).status.conditions.map(
        (x) => `${x.type}=${x.status}`,
      ),
    ).toEqual(['NamesAccepted=True', 'Established=True']);
    const w = await call('POST', '/apis/example.com/v1/namespaces/default/widgets', {
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } },
    });
    expect(w.status).toBe(201);
    const list = (await call('GET', '/apis/example.com/v1/widgets')).json as {
      kind: string;
      items: Array<{ kind: string; apiVersion: string }>;
    };
    expect(list.kind).toBe('WidgetList');
    expect(list.items[0]).toMatchObject({ kind: 'Widget', apiVersion: 'example.com/v1' });
    expect(
      (await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com'))
        .status,
    ).toBe(200);
    expect((await call('GET', '/apis/example.com/v1/widgets')).status).toBe(404);
  });

  it('metrics.k8s.io serves seeded node and pod metrics read-only, with 404 naming nodemetrics', async () => {
    emu.setNodeMetrics('node-1', { cpu: '207233441n', memory: '1346256Ki' });
    emu.setPodMetrics('team', 'p', [{ name: 'app', cpu: '1520512n', memory: '24100Ki' }]);
    const nodes = (await call('GET', '/apis/metrics.k8s.io/v1beta1/nodes')).json as {
      kind: string;
      items: Array<{ usage: { cpu: string } }>;
    };
    expect(nodes.kind).toBe('NodeMetricsList');
    expect(nodes.items[0]?.usage.cpu).toBe('207233441n');
    const pods = (await call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/team/pods')).json as {
      kind: string;
      items: Array<{ containers: Array<{ name: string }> }>;
    };
    expect(pods.kind).toBe('PodMetricsList');
    expect(pods.items[0]?.containers[0]?.name).toBe('app');
    const missing = await call('GET', '/apis/metrics.k8s.io/v1beta1/nodes/nope');
    expect(missing.status).toBe(404);
    expect((missing.json as { message: string }).message).toBe('nodemetrics.metrics.k8s.io "nope" not found');
    expect((await call('DELETE', '/apis/metrics.k8s.io/v1beta1/nodes/node-1')).status).toBe(405);
  });

  it('writeKubeconfig writes a usable kubeconfig for a token', async () => {
    const file = join(dir, 'kc', 'config');
    await emu.writeKubeconfig(file, 'bot-token');
    const text = await readFile(file, 'utf8');
    expect(text).toContain(`server: ${emu.url}`);
    expect(text).toContain('token: bot-token');
    expect(text).toContain('insecure-skip-tls-verify: true');
  });

  it('a handler never crashes the server on garbage', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = request(
        new URL('/api/v1/namespaces/default/configmaps', emu.url),
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${emu.adminToken}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('[1,2');
    });
    expect(r).toBe(400);
    expect((await call('GET', '/healthz')).status).toBe(200);
  });
});
