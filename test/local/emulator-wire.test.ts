// The emulator against the API server wire spec: the Status error catalogue byte for byte where the
// spec gives the body, server-populated fields, create/get/update/delete semantics, dryRun=All.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import { rawRequest } from '../../local/k8s-emulator/http-client.ts';
import type { RawRequestOptions } from '../../local/k8s-emulator/http-client.ts';

let emu: Emulator;
const call = (method: string, path: string, o: RawRequestOptions = {}) =>
  rawRequest(emu.url, method, path, { token: emu.adminToken, ...o });

const deployment = (name: string, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'nginx:1.27' }] } },
  },
});

beforeAll(async () => {
  emu = await startEmulator({ namespaceController: false });
});
afterAll(async () => {
  await emu.close();
});

describe('Status error catalogue (wire spec §9), byte for byte', () => {
  it('9.1 404 NotFound for a missing deployment', async () => {
    const r = await call('GET', '/apis/apps/v1/namespaces/default/deployments/web');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"web\\" not found","reason":"NotFound","details":{"name":"web","group":"apps","kind":"deployments"},"code":404}',
    );
  });

  it('9.1 404 for a create in a missing namespace names the namespace', async () => {
    const r = await call('POST', '/api/v1/namespaces/team-a/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bot-config' } },
    });
    expect(r.status).toBe(404);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \\"team-a\\" not found","reason":"NotFound","details":{"name":"team-a","kind":"namespaces"},"code":404}',
    );
  });

  it('9.2 409 AlreadyExists', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bot-config' }, data: { a: '1' } };
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', { body })).status).toBe(201);
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', { body });
    expect(r.status).toBe(409);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"bot-config\\" already exists","reason":"AlreadyExists","details":{"name":"bot-config","kind":"configmaps"},"code":409}',
    );
  });

  it('9.3 409 Conflict on a stale resourceVersion (PUT and PATCH)', async () => {
    const created = await call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      body: deployment('web'),
    });
    expect(created.status).toBe(201);
    const obj = created.json as { metadata: { resourceVersion: string } };
    const stale = {
      ...deployment('web', 3),
      metadata: { name: 'web', resourceVersion: String(Number(obj.metadata.resourceVersion) - 1) },
    };
    const expected =
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on deployments.apps \\"web\\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"web","group":"apps","kind":"deployments"},"code":409}';
    const put = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/web', { body: stale });
    expect(put.status).toBe(409);
    expect(put.text).toBe(expected);
    const patch = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', {
      body: { metadata: { resourceVersion: '1' }, spec: { replicas: 9 } },
      contentType: 'application/merge-patch+json',
    });
    expect(patch.status).toBe(409);
    expect(patch.text).toBe(expected);
  });

  it('9.4 409 Conflict when an apply changes a field another manager owns (unless force)', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    expect(
      (await call('POST', `${path}?fieldManager=kubectl-client-side-apply`, { body: deployment('ssa') }))
        .status,
    ).toBe(201);
    const applied = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa' },
      spec: { replicas: 3 },
    };
    const r = await call('PATCH', `${path}/ssa?fieldManager=eco-bot`, {
      body: applied,
      contentType: 'application/apply-patch+yaml',
    });
    expect(r.status).toBe(409);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 1 conflict: conflict with \\"kubectl-client-side-apply\\" using apps/v1: .spec.replicas","reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \\"kubectl-client-side-apply\\" using apps/v1","field":".spec.replicas"}]},"code":409}',
    );
    // Applying the value the other manager already set is no conflict.
    const same = await call('PATCH', `${path}/ssa?fieldManager=eco-bot`, {
      body: { ...applied, spec: { replicas: 2 } },
      contentType: 'application/apply-patch+yaml',
    });
    expect(same.status).toBe(200);
    const forced = await call('PATCH', `${path}/ssa?fieldManager=eco-bot&force=true`, {
      body: applied,
      contentType: 'application/apply-patch+yaml',
    });
    expect(forced.status).toBe(200);
    expect((forced.json as { spec: { replicas: number } }).spec.replicas).toBe(3);
    // Several conflicts: grouped by manager, one path per line.
    const two = await call('PATCH', `${path}/ssa?fieldManager=other`, {
      body: { ...applied, metadata: { name: 'ssa', labels: { app: 'changed' } }, spec: { replicas: 4 } },
      contentType: 'application/apply-patch+yaml',
    });
    expect(two.status).toBe(409);
    expect((two.json as { message: string }).message).toBe(
      'Apply failed with 2 conflicts: conflicts with "eco-bot":\n- .spec.replicas\nconflicts with "kubectl-client-side-apply" using apps/v1:\n- .metadata.labels.app',
    );
  });

  it('9.4 an apply that drops a field it owned removes it', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments/ssa?fieldManager=eco-bot';
    const r = await call('PATCH', path, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'ssa', annotations: { owner: 'eco-bot' } },
      },
      contentType: 'application/apply-patch+yaml',
    });
    expect(r.status).toBe(200);
    const d = r.json as {
      spec: { replicas?: number; template: unknown };
      metadata: { annotations: Record<string, string> };
    };
    expect(d.spec.replicas).toBeUndefined();
    expect(d.spec.template).toBeDefined();
    expect(d.metadata.annotations).toEqual({ owner: 'eco-bot' });
  });

  it('9.5 422 Invalid with causes (Deployment spec.replicas)', async () => {
    const r = await call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      body: deployment('web', -1),
    });
    expect(r.status).toBe(422);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Deployment.apps \\"web\\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0","reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1: must be greater than or equal to 0","field":"spec.replicas"}]},"code":422}',
    );
  });

  it('9.5 422 on apply without fieldManager (PatchOptions)', async () => {
    const r = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', {
      rawBody: 'spec:\n  replicas: 4\n',
      contentType: 'application/apply-patch+yaml',
    });
    expect(r.status).toBe(422);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"PatchOptions.meta.k8s.io \\"\\" is invalid: fieldManager: Required value: is required for apply patch","reason":"Invalid","details":{"group":"meta.k8s.io","kind":"PatchOptions","causes":[{"reason":"FieldValueRequired","message":"Required value: is required for apply patch","field":"fieldManager"}]},"code":422}',
    );
  });

  it('9.6 429 TooManyRequests when a PDB blocks an eviction; 201 when it allows', async () => {
    for (const i of [1, 2]) {
      emu.store.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'guarded' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      });
    }
    emu.store.put({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web-pdb', namespace: 'default' },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'guarded' } } },
    });
    const eviction = {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'web-1', namespace: 'default' },
    };
    const r = await call('POST', '/api/v1/namespaces/default/pods/web-1/eviction', { body: eviction });
    expect(r.status).toBe(429);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Cannot evict pod as it would violate the pod\'s disruption budget.","reason":"TooManyRequests","details":{"causes":[{"reason":"DisruptionBudget","message":"The disruption budget web-pdb needs 2 healthy pods and has 2 currently"}]},"code":429}',
    );
    expect(emu.store.get('pods', 'web-1', 'default')).toBeDefined();
    emu.store.put({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web-pdb', namespace: 'default' },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'guarded' } } },
    });
    const ok = await call('POST', '/api/v1/namespaces/default/pods/web-1/eviction', { body: eviction });
    expect(ok.status).toBe(201);
    expect(ok.text).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}');
    expect(emu.store.get('pods', 'web-1', 'default')).toBeUndefined();
  });

  it('9.7 410 Expired for a compacted Exact list resourceVersion', async () => {
    const rv = emu.store.resourceVersion;
    emu.store.compact();
    const r = await call(
      'GET',
      `/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`,
    );
    expect(r.status).toBe(410);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"The resourceVersion for the provided list is too old.","reason":"Expired","code":410}',
    );
  });

  it('9.7 410 Expired for a stale continue token, carrying the rv:-1 token of the spec', async () => {
    for (const name of ['web-7d4b9c8f6-abcde', 'web-7d4b9c8f6-fghij']) {
      emu.store.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'paging' },
        spec: { containers: [] },
      });
    }
    const first = await call('GET', '/api/v1/namespaces/paging/pods?limit=1');
    const token = (first.json as { metadata: { continue: string } }).metadata.continue;
    emu.store.compact();
    const r = await call('GET', `/api/v1/namespaces/paging/pods?limit=1&continue=${token}`);
    expect(r.status).toBe(410);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{"continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiZGVmYXVsdC93ZWItN2Q0YjljOGY2LWFiY2RlXHUwMDAwIn0"},"status":"Failure","message":"The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.","reason":"Expired","code":410}'.replace(
        'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiZGVmYXVsdC93ZWItN2Q0YjljOGY2LWFiY2RlXHUwMDAwIn0',
        // The spec's token is for namespace "default"; this list ran in "paging".
        Buffer.from(
          JSON.stringify({ v: 'meta.k8s.io/v1', rv: -1, start: 'paging/web-7d4b9c8f6-abcde\u0000' }),
        ).toString('base64url'),
      ),
    );
    // The fresh token continues at the latest revision.
    const fresh = (r.json as { metadata: { continue: string } }).metadata.continue;
    const rest = await call('GET', `/api/v1/namespaces/paging/pods?limit=1&continue=${fresh}`);
    expect(rest.status).toBe(200);
    expect(
      (rest.json as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name),
    ).toEqual(['web-7d4b9c8f6-fghij']);
  });

  it('the spec example token decodes to the apiserver format', () => {
    const token =
      'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiZGVmYXVsdC93ZWItN2Q0YjljOGY2LWFiY2RlXHUwMDAwIn0';
    expect(
      Buffer.from(
        JSON.stringify({ v: 'meta.k8s.io/v1', rv: -1, start: 'default/web-7d4b9c8f6-abcde\u0000' }),
      ).toString('base64url'),
    ).toBe(token);
  });

  it('9.8 415 for strategic merge patch on a custom resource', async () => {
    emu.store.put({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: { name: 'snap', namespace: 'default' },
      spec: { source: { persistentVolumeClaimName: 'data' } },
    });
    const r = await call(
      'PATCH',
      '/apis/snapshot.storage.k8s.io/v1/namespaces/default/volumesnapshots/snap',
      {
        body: { metadata: { labels: { a: 'b' } } },
        contentType: 'application/strategic-merge-patch+json',
      },
    );
    expect(r.status).toBe(415);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml","reason":"UnsupportedMediaType","code":415}',
    );
  });

  it('9.8 415 for an unknown patch content type on a built-in', async () => {
    const r = await call('PATCH', '/api/v1/namespaces/default/configmaps/bot-config', {
      body: {},
      contentType: 'text/plain',
    });
    expect(r.status).toBe(415);
    expect((r.json as { message: string }).message).toBe(
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
  });

  it('9.9 403 Forbidden when creating in a Terminating namespace', async () => {
    expect(
      (
        await call('POST', '/api/v1/namespaces', {
          body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
        })
      ).status,
    ).toBe(201);
    const del = await call('DELETE', '/api/v1/namespaces/team-a');
    expect(del.status).toBe(200);
    expect((del.json as { status: { phase: string } }).status.phase).toBe('Terminating');
    const r = await call('POST', '/api/v1/namespaces/team-a/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bot-config' } },
    });
    expect(r.status).toBe(403);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"bot-config\\" is forbidden: unable to create new content in namespace team-a because it is being terminated","reason":"Forbidden","details":{"name":"bot-config","kind":"configmaps","causes":[{"reason":"NamespaceTerminating","message":"namespace team-a is being terminated","field":"metadata.namespace"}]},"code":403}',
    );
  });

  it('9.10 400 when the body name does not match the URL', async () => {
    const r = await call('PUT', '/api/v1/namespaces/default/configmaps/b', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
    });
    expect(r.status).toBe(400);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the name of the object (a) does not match the name on the URL (b)","reason":"BadRequest","code":400}',
    );
  });

  it('9.10 404 for an unknown resource and an unknown group', async () => {
    const body =
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}';
    expect((await call('GET', '/api/v1/widgets')).text).toBe(body);
    expect((await call('GET', '/apis/example.com/v1/things')).text).toBe(body);
  });

  it('9.10 405 for watch and writes on metrics.k8s.io', async () => {
    const w = await call('GET', '/apis/metrics.k8s.io/v1beta1/nodes?watch=true');
    expect(w.status).toBe(405);
    expect(w.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"watch is not supported on resources of kind \\"nodes.metrics.k8s.io\\"","reason":"MethodNotAllowed","details":{"group":"metrics.k8s.io","kind":"nodes"},"code":405}',
    );
    const c = await call('POST', '/apis/metrics.k8s.io/v1beta1/nodes', { body: { metadata: { name: 'x' } } });
    expect(c.status).toBe(405);
  });

  it('§7 an invalid dryRun value is a 422 on the options kind of the verb', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=x', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } },
    });
    expect(r.status).toBe(422);
    expect(r.text).toBe(
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"CreateOptions.meta.k8s.io \\"\\" is invalid: dryRun: Unsupported value: [\\"x\\"]: supported values: \\"All\\"","reason":"Invalid","details":{"group":"meta.k8s.io","kind":"CreateOptions","causes":[{"reason":"FieldValueNotSupported","message":"Unsupported value: [\\"x\\"]: supported values: \\"All\\"","field":"dryRun"}]},"code":422}',
    );
    const d = await call('DELETE', '/api/v1/namespaces/default/configmaps/bot-config?dryRun=Some');
    expect((d.json as { message: string }).message).toMatch(
      /^DeleteOptions\.meta\.k8s\.io "" is invalid: dryRun/,
    );
  });

  it('401 Unauthorized without a token and with an unknown one', async () => {
    const body =
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}';
    expect((await rawRequest(emu.url, 'GET', '/api/v1/pods')).text).toBe(body);
    const r = await rawRequest(emu.url, 'GET', '/api/v1/pods', { token: 'nope' });
    expect(r.status).toBe(401);
    expect(r.text).toBe(body);
    // Health and version stay public, as on a real server.
    expect((await rawRequest(emu.url, 'GET', '/readyz')).status).toBe(200);
  });
});

describe('objects and verbs (wire spec §4, §5)', () => {
  it('create sets uid, creationTimestamp, generation and a monotonic global resourceVersion; items lose TypeMeta', async () => {
    const before = emu.store.resourceVersion;
    const a = (
      await call('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment('api') })
    ).json as {
      kind: string;
      metadata: {
        uid: string;
        resourceVersion: string;
        generation: number;
        creationTimestamp: string;
        namespace: string;
      };
    };
    expect(a.kind).toBe('Deployment');
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.generation).toBe(1);
    expect(a.metadata.namespace).toBe('default');
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(a.metadata.resourceVersion)).toBe(before + 1);
    const cm = (
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } },
      })
    ).json as {
      metadata: { resourceVersion: string };
    };
    expect(Number(cm.metadata.resourceVersion)).toBe(before + 2);
    const list = (await call('GET', '/apis/apps/v1/namespaces/default/deployments')).json as {
      kind: string;
      apiVersion: string;
      metadata: { resourceVersion: string };
      items: Array<Record<string, unknown>>;
    };
    expect(list.kind).toBe('DeploymentList');
    expect(list.apiVersion).toBe('apps/v1');
    expect(list.metadata.resourceVersion).toBe(String(emu.store.resourceVersion));
    expect(list.items[0]).not.toHaveProperty('kind');
    expect(list.items[0]).not.toHaveProperty('apiVersion');
  });

  it('generateName, and 422 when neither name nor generateName is given', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } },
    });
    expect(r.status).toBe(201);
    expect((r.json as { metadata: { name: string } }).metadata.name).toMatch(
      /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
    );
    const bad = await call('POST', '/api/v1/namespaces/default/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
    });
    expect(bad.status).toBe(422);
    expect((bad.json as { message: string }).message).toBe(
      'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
    );
  });

  it('400 for a namespace mismatch, an apiVersion mismatch and malformed JSON; 422 for a bad name', async () => {
    const mismatch = await call('POST', '/api/v1/namespaces/default/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'other' } },
    });
    expect(mismatch.status).toBe(400);
    expect((mismatch.json as { message: string }).message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    const version = await call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      body: { ...deployment('v'), apiVersion: 'apps/v1beta1' },
    });
    expect((version.json as { message: string }).message).toBe(
      'the API version in the data (apps/v1beta1) does not match the expected API version (apps/v1)',
    );
    const malformed = await call('POST', '/api/v1/namespaces/default/configmaps', { rawBody: '{nope' });
    expect(malformed.status).toBe(400);
    expect((malformed.json as { reason: string }).reason).toBe('BadRequest');
    const badName = await call('POST', '/api/v1/namespaces/default/configmaps', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } },
    });
    expect(badName.status).toBe(422);
    expect((badName.json as { message: string }).message).toContain(
      'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters',
    );
  });

  it('update: generation bumps on spec change only, status is ignored on the main resource, /status writes only status', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments/api';
    const cur = (await call('GET', path)).json as Record<string, unknown> & {
      metadata: { generation: number };
    };
    const put = (
      await call('PUT', path, {
        body: {
          ...cur,
          metadata: { ...cur.metadata, labels: { app: 'api', extra: 'x' } },
          status: { replicas: 99 },
        },
      })
    ).json as {
      metadata: { generation: number };
      status?: { replicas?: number };
    };
    expect(put.metadata.generation).toBe(1);
    expect(put.status?.replicas).toBeUndefined();
    const scaled = (
      await call('PATCH', path, {
        body: { spec: { replicas: 5 } },
        contentType: 'application/merge-patch+json',
      })
    ).json as { metadata: { generation: number } };
    expect(scaled.metadata.generation).toBe(2);
    const st = (
      await call('PATCH', `${path}/status`, {
        body: { status: { replicas: 5, readyReplicas: 4 }, spec: { replicas: 1 } },
        contentType: 'application/merge-patch+json',
      })
    ).json as {
      spec: { replicas: number };
      status: { readyReplicas: number };
      metadata: { generation: number };
    };
    expect(st.status.readyReplicas).toBe(4);
    expect(st.spec.replicas).toBe(5);
    expect(st.metadata.generation).toBe(2);
  });

  it('a no-op patch keeps the resourceVersion', async () => {
    const path = '/api/v1/namespaces/default/configmaps/bot-config';
    const before = (await call('GET', path)).json as { metadata: { resourceVersion: string } };
    const after = (
      await call('PATCH', path, { body: { data: { a: '1' } }, contentType: 'application/merge-patch+json' })
    ).json as { metadata: { resourceVersion: string } };
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('scale subresource reads and writes spec.replicas', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments/api/scale';
    const s = (await call('GET', path)).json as {
      kind: string;
      apiVersion: string;
      spec: { replicas: number };
      status: { selector: string };
    };
    expect(s.kind).toBe('Scale');
    expect(s.apiVersion).toBe('autoscaling/v1');
    expect(s.spec.replicas).toBe(5);
    expect(s.status.selector).toBe('app=api');
    const p = await call('PATCH', path, {
      body: { spec: { replicas: 1 } },
      contentType: 'application/merge-patch+json',
    });
    expect(p.status).toBe(200);
    expect(
      emu.store.get<{ metadata: { name: string }; spec: { replicas: number } }>(
        'deployments.apps',
        'api',
        'default',
      )?.spec.replicas,
    ).toBe(1);
  });

  it('create-on-update for Leases (201)', async () => {
    const r = await call('PUT', '/apis/coordination.k8s.io/v1/namespaces/default/leases/lock', {
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'lock' },
        spec: { holderIdentity: 'me' },
      },
    });
    expect(r.status).toBe(201);
  });

  it('delete: Status for most kinds, the object for pods; preconditions give 409', async () => {
    const d = (
      await call('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment('gone') })
    ).json as { metadata: { uid: string; resourceVersion: string } };
    const wrongUid = await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/gone', {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'other' } },
    });
    expect(wrongUid.status).toBe(409);
    expect((wrongUid.json as { message: string }).message).toBe(
      `Operation cannot be fulfilled on deployments.apps "gone": Precondition failed: UID in precondition: other, UID in object meta: ${d.metadata.uid}`,
    );
    const wrongRv = await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/gone', {
      body: { preconditions: { resourceVersion: '1' } },
    });
    expect(wrongRv.status).toBe(409);
    const ok = await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/gone', {
      body: { preconditions: { uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion } },
    });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe(
      `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"gone","group":"apps","kind":"deployments","uid":"${d.metadata.uid}"}}`,
    );
    emu.store.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p-del', namespace: 'default' },
      spec: { containers: [] },
    });
    const pod = await call('DELETE', '/api/v1/namespaces/default/pods/p-del');
    expect((pod.json as { kind: string; metadata: { name: string } }).kind).toBe('Pod');
    expect((await call('DELETE', '/api/v1/namespaces/default/pods/p-del')).status).toBe(404);
  });

  it('finalizers: delete marks deletionTimestamp; removing the last finalizer removes the object', async () => {
    emu.store.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace: 'default', finalizers: ['example.com/hold'] },
    });
    const del = (await call('DELETE', '/api/v1/namespaces/default/configmaps/held')).json as {
      metadata: { deletionTimestamp?: string };
    };
    expect(del.metadata.deletionTimestamp).toBeDefined();
    expect(emu.store.get('configmaps', 'held', 'default')).toBeDefined();
    const addMore = await call('PATCH', '/api/v1/namespaces/default/configmaps/held', {
      body: [{ op: 'add', path: '/metadata/finalizers/-', value: 'example.com/more' }],
      contentType: 'application/json-patch+json',
    });
    expect(addMore.status).toBe(422);
    const rel = await call('PATCH', '/api/v1/namespaces/default/configmaps/held', {
      body: [{ op: 'remove', path: '/metadata/finalizers' }],
      contentType: 'application/json-patch+json',
    });
    expect(rel.status).toBe(200);
    expect(emu.store.get('configmaps', 'held', 'default')).toBeUndefined();
  });

  it('background propagation deletes dependents; Orphan keeps them without the owner reference', async () => {
    const owner = emu.store.put({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs-a', namespace: 'gc' },
      spec: { replicas: 1 },
    });
    const ref = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'rs-a',
      uid: owner.metadata.uid as string,
      controller: true,
    };
    emu.store.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'child-a', namespace: 'gc', ownerReferences: [ref] },
      spec: { containers: [] },
    });
    expect(
      (await call('DELETE', '/apis/apps/v1/namespaces/gc/replicasets/rs-a?propagationPolicy=Background'))
        .status,
    ).toBe(200);
    expect(emu.store.get('pods', 'child-a', 'gc')).toBeUndefined();

    const owner2 = emu.store.put({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs-b', namespace: 'gc' },
      spec: { replicas: 1 },
    });
    emu.store.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'child-b',
        namespace: 'gc',
        ownerReferences: [{ ...ref, name: 'rs-b', uid: owner2.metadata.uid as string }],
      },
      spec: { containers: [] },
    });
    expect(
      (
        await call('DELETE', '/apis/apps/v1/namespaces/gc/replicasets/rs-b', {
          body: { propagationPolicy: 'Orphan' },
        })
      ).status,
    ).toBe(200);
    expect(emu.store.get('replicasets.apps', 'rs-b', 'gc')).toBeUndefined();
    expect(emu.store.get('pods', 'child-b', 'gc')?.metadata.ownerReferences).toBeUndefined();
  });

  it('deletecollection deletes the selected objects and lists them', async () => {
    for (const n of ['dc-1', 'dc-2', 'dc-3']) {
      emu.store.put({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: n, namespace: 'dc', labels: { sweep: n === 'dc-3' ? 'no' : 'yes' } },
      });
    }
    const r = await call('DELETE', '/api/v1/namespaces/dc/configmaps?labelSelector=sweep%3Dyes');
    expect(r.status).toBe(200);
    expect(
      (r.json as { kind: string; items: Array<{ metadata: { name: string } }> }).items.map(
        (i) => i.metadata.name,
      ),
    ).toEqual(['dc-1', 'dc-2']);
    expect(emu.store.list('configmaps', 'dc').map((c) => c.metadata.name)).toEqual(['dc-3']);
  });
});

describe('dryRun=All persists nothing and emits no revision', () => {
  it('on create, update, patch, delete and eviction', async () => {
    const rv = emu.store.resourceVersion;
    const c = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } },
    });
    expect(c.status).toBe(201);
    const created = c.json as {
      metadata: { uid?: string; creationTimestamp?: string; resourceVersion?: string };
    };
    expect(created.metadata.uid).toBeDefined();
    expect(created.metadata.creationTimestamp).toBeDefined();
    expect(created.metadata.resourceVersion).toBeUndefined();
    expect(emu.store.get('configmaps', 'dry', 'default')).toBeUndefined();
    // AlreadyExists is still reported in dry-run.
    expect(
      (
        await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', {
          body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bot-config' } },
        })
      ).status,
    ).toBe(409);
    const p = await call('PATCH', '/api/v1/namespaces/default/configmaps/bot-config?dryRun=All', {
      body: { data: { a: 'changed' } },
      contentType: 'application/merge-patch+json',
    });
    expect((p.json as { data: { a: string } }).data.a).toBe('changed');
    expect(
      emu.store.get<{ metadata: { name: string }; data: { a: string } }>(
        'configmaps',
        'bot-config',
        'default',
      )?.data.a,
    ).toBe('1');
    const d = await call('DELETE', '/api/v1/namespaces/default/configmaps/bot-config?dryRun=All');
    expect(d.status).toBe(200);
    expect(emu.store.get('configmaps', 'bot-config', 'default')).toBeDefined();
    const dBody = await call('DELETE', '/api/v1/namespaces/default/configmaps/bot-config', {
      body: { dryRun: ['All'] },
    });
    expect(dBody.status).toBe(200);
    expect(emu.store.get('configmaps', 'bot-config', 'default')).toBeDefined();
    emu.store.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'evict-dry', namespace: 'default' },
      spec: { containers: [] },
      status: { phase: 'Running' },
    });
    const rv2 = emu.store.resourceVersion;
    const e = await call('POST', '/api/v1/namespaces/default/pods/evict-dry/eviction?dryRun=All', {
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evict-dry' } },
    });
    expect(e.status).toBe(201);
    expect(emu.store.get('pods', 'evict-dry', 'default')).toBeDefined();
    expect(emu.store.resourceVersion).toBe(rv2);
    expect(rv2).toBe(rv + 1); // only the store.put above moved the counter
  });
});
