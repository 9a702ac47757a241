import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createK8s, type K8sClient } from '../../../shared/k8s/client.ts';
import { K8sApiError, K8sTransportError, isConflict, isNotFound } from '../../../shared/k8s/errors.ts';
import type { ClusterConfig } from '../../../shared/k8s/kubeconfig.ts';
import { resources } from '../../../shared/k8s/resources.ts';
import type { KubeObject } from '../../../shared/k8s/types.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Seen, res: http.ServerResponse, n: number) => void;

const servers: http.Server[] = [];
const clients: K8sClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A scripted API server on 127.0.0.1: `handler` sees every request with its sequence number. */
async function server(handler: Handler): Promise<{ seen: Seen[]; url: string }> {
  const seen: Seen[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(entry);
      handler(entry, res, seen.length);
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return { seen, url: `http://127.0.0.1:${port}` };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
function statusBody(code: number, reason: string, message: string, extra: Record<string, unknown> = {}) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...extra,
    code,
  };
}

function client(url: string, env: Record<string, string> = {}, token = 't0k') {
  const delays: number[] = [];
  const config: ClusterConfig = {
    server: url,
    source: 'kubeconfig',
    namespace: 'default',
    insecureSkipTlsVerify: true,
    authHeaders: async () => ({ authorization: `Bearer ${token}` }),
  };
  const k8s = createK8s({
    env,
    config,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
  });
  clients.push(k8s);
  return { k8s, delays };
}

const pod = (name: string, uid = `uid-${name}`): KubeObject => ({
  metadata: { name, namespace: 'default', uid, resourceVersion: '1' },
});

describe('createK8s requests', () => {
  it('sends the bearer token, fills kind/apiVersion and returns undefined for 404 on get', async () => {
    const { url, seen } = await server((req, res) => {
      if (req.url.endsWith('/missing'))
        json(
          res,
          404,
          statusBody(404, 'NotFound', 'pods "missing" not found', {
            details: { name: 'missing', kind: 'pods' },
          }),
        );
      else json(res, 200, pod('web'));
    });
    const { k8s } = client(url);
    const got = await k8s.get(resources.pods, 'web', 'default');
    expect(got).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } });
    expect(await k8s.get(resources.pods, 'missing', 'default')).toBeUndefined();
    expect(seen[0]?.url).toBe('/api/v1/namespaces/default/pods/web');
    expect(seen[0]?.headers.authorization).toBe('Bearer t0k');
  });

  it('turns Status bodies into typed errors', async () => {
    const { url } = await server((req, res) => {
      if (req.method === 'DELETE')
        json(
          res,
          409,
          statusBody(
            409,
            'Conflict',
            'Operation cannot be fulfilled on jobs.batch "j": the object has been modified; please apply your changes to the latest version and try again',
          ),
        );
      else
        json(
          res,
          403,
          statusBody(
            403,
            'Forbidden',
            'pods is forbidden: User "x" cannot list resource "pods" in API group "" at the cluster scope',
          ),
        );
    });
    const { k8s } = client(url);
    const error = await k8s.delete(resources.jobs, 'j', 'default').catch((e: unknown) => e);
    expect(isConflict(error)).toBe(true);
    expect((error as K8sApiError).reason).toBe('Conflict');
    const listError = await (async () => {
      for await (const _ of k8s.list(resources.pods)) void _;
    })().catch((e: unknown) => e);
    expect(listError).toBeInstanceOf(K8sApiError);
    expect((listError as K8sApiError).status).toBe(403);
    expect((listError as K8sApiError).serverMessage).toMatch(/cannot list resource "pods"/);
    expect(isNotFound(listError)).toBe(false);
  });

  it('keeps a non-JSON error body as text', async () => {
    const { url } = await server((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    const { k8s } = client(url, { ECO_K8S_RETRIES: '0' });
    const error = (await k8s.get(resources.pods, 'a', 'default').catch((e: unknown) => e)) as K8sApiError;
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/bad gateway/);
  });

  it('sends delete options, preconditions and dryRun', async () => {
    const { url, seen } = await server((_req, res) => json(res, 200, { kind: 'Status', status: 'Success' }));
    const { k8s } = client(url);
    await k8s.delete(resources.jobs, 'old', 'team-a', {
      propagationPolicy: 'Background',
      preconditions: { uid: 'u1', resourceVersion: '7' },
      dryRun: true,
    });
    expect(seen[0]?.method).toBe('DELETE');
    expect(seen[0]?.url).toBe('/apis/batch/v1/namespaces/team-a/jobs/old');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      preconditions: { uid: 'u1', resourceVersion: '7' },
      dryRun: ['All'],
    });
  });

  it('uses the right content type per patch type and a field manager for apply', async () => {
    const { url, seen } = await server((_req, res) => json(res, 200, pod('p')));
    const { k8s } = client(url);
    await k8s.patch(
      resources.pods,
      'p',
      'default',
      { metadata: { labels: { a: 'b' } } },
      { patchType: 'merge' },
    );
    await k8s.patch(resources.pods, 'p', 'default', [{ op: 'add', path: '/x', value: 1 }], {
      patchType: 'json',
    });
    await k8s.patch(resources.pods, 'p', 'default', {}, { patchType: 'strategic' });
    await k8s.patch(resources.pods, 'p', 'default', {}, { patchType: 'apply' });
    expect(seen.map((s) => s.headers['content-type'])).toEqual([
      'application/merge-patch+json',
      'application/json-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
    ]);
    expect(seen[3]?.url).toContain('fieldManager=eco-bots');
  });
});

describe('retries', () => {
  it('honours Retry-After on 429 and then succeeds', async () => {
    const { url, seen } = await server((_req, res, n) => {
      if (n === 1)
        json(
          res,
          429,
          statusBody(429, 'TooManyRequests', 'too many requests', { details: { retryAfterSeconds: 2 } }),
          { 'retry-after': '2' },
        );
      else json(res, 200, pod('p'));
    });
    const { k8s, delays } = client(url);
    expect(await k8s.get(resources.pods, 'p', 'default')).toBeDefined();
    expect(seen).toHaveLength(2);
    expect(delays).toEqual([2000]);
  });

  it('gives up at once on a 429 whose Retry-After exceeds 30 s, instead of coming back early', async () => {
    const { url, seen } = await server((_req, res) =>
      json(
        res,
        429,
        statusBody(429, 'TooManyRequests', 'too many requests', { details: { retryAfterSeconds: 60 } }),
        { 'retry-after': '60' },
      ),
    );
    const { k8s, delays } = client(url);
    const error = await k8s.get(resources.pods, 'p', 'default').catch((e: unknown) => e);
    expect((error as K8sApiError).status).toBe(429);
    expect(seen).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('does not retry a 429 that is a PodDisruptionBudget refusal', async () => {
    const { url, seen } = await server((_req, res) =>
      json(
        res,
        429,
        statusBody(
          429,
          'TooManyRequests',
          "Cannot evict pod as it would violate the pod's disruption budget.",
          { details: { causes: [{ reason: 'DisruptionBudget', message: 'x' }] } },
        ),
      ),
    );
    const { k8s } = client(url);
    const error = await k8s
      .request('POST', '/api/v1/namespaces/default/pods/p/eviction', { metadata: { name: 'p' } })
      .catch((e: unknown) => e);
    expect((error as K8sApiError).status).toBe(429);
    expect(seen).toHaveLength(1);
  });

  it('retries 500s for reads with growing jittered backoff, up to the retry budget', async () => {
    const { url, seen } = await server((_req, res) =>
      json(res, 500, statusBody(500, 'InternalError', 'boom')),
    );
    const { k8s, delays } = client(url, { ECO_K8S_RETRIES: '3' });
    const error = await k8s.get(resources.pods, 'p', 'default').catch((e: unknown) => e);
    expect((error as K8sApiError).reason).toBe('InternalError');
    expect(seen).toHaveLength(4);
    // random() = 0.5 => half the exponential ceiling: 200*2^n/2.
    expect(delays).toEqual([100, 200, 400]);
  });

  it('retries a read after a connection reset', async () => {
    const { url, seen } = await server((req, res, n) => {
      if (n === 1) res.socket?.destroy();
      else json(res, 200, pod('p'));
    });
    const { k8s } = client(url);
    expect(await k8s.get(resources.pods, 'p', 'default')).toMatchObject({ metadata: { name: 'p' } });
    expect(seen).toHaveLength(2);
  });

  it('does not repeat a create without a fixed name after a reset (could create twice)', async () => {
    const { url, seen } = await server((_req, res) => res.socket?.destroy());
    const { k8s } = client(url);
    const error = await k8s
      .create(resources.pods, {
        metadata: { generateName: 'x-', namespace: 'default' },
      } as unknown as KubeObject)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(K8sTransportError);
    expect(seen).toHaveLength(1);
  });

  it('repeats a named create after a reset and marks a resulting AlreadyExists as ambiguous', async () => {
    const { url, seen } = await server((_req, res, n) => {
      if (n === 1) res.socket?.destroy();
      else json(res, 409, statusBody(409, 'AlreadyExists', 'events "e1" already exists'));
    });
    const { k8s } = client(url);
    const error = (await k8s
      .create(resources.events, { metadata: { name: 'e1', namespace: 'default' } })
      .catch((e: unknown) => e)) as K8sApiError;
    expect(seen).toHaveLength(2);
    expect(error.reason).toBe('AlreadyExists');
    expect(error.afterAmbiguousRetry).toBe(true);
  });

  it('times out a slow request (ECO_K8S_TIMEOUT_MS) and retries it', async () => {
    const { url, seen } = await server((_req, res, n) => {
      if (n === 1) setTimeout(() => json(res, 200, pod('late')), 2_000).unref();
      else json(res, 200, pod('fast'));
    });
    const { k8s } = client(url, { ECO_K8S_TIMEOUT_MS: '100' });
    expect(await k8s.get(resources.pods, 'p', 'default')).toMatchObject({ metadata: { name: 'fast' } });
    expect(seen).toHaveLength(2);
  });

  it('re-reads credentials once after a 401', async () => {
    let token = 'old';
    const { url, seen } = await server((req, res) => {
      if (req.headers.authorization !== 'Bearer new') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(statusBody(401, 'Unauthorized', 'Unauthorized')));
      } else json(res, 200, pod('p'));
    });
    const config: ClusterConfig = {
      server: url,
      source: 'in-cluster',
      namespace: 'default',
      insecureSkipTlsVerify: false,
      authHeaders: async () => ({ authorization: `Bearer ${token}` }),
      invalidate: () => {
        token = 'new';
      },
    };
    const k8s = createK8s({ env: {}, config });
    clients.push(k8s);
    expect(await k8s.get(resources.pods, 'p', 'default')).toBeDefined();
    expect(seen).toHaveLength(2);
  });
});

describe('paged lists', () => {
  it('streams every page with limit/continue and selectors', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `p${i}`);
    const { url, seen } = await server((req, res) => {
      const u = new URL(req.url, 'http://x');
      const start = Number(u.searchParams.get('continue') ?? '0');
      const limit = Number(u.searchParams.get('limit'));
      const items = names.slice(start, start + limit).map((n) => pod(n));
      const next = start + limit < names.length ? String(start + limit) : undefined;
      json(res, 200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '5', ...(next ? { continue: next } : {}) },
        items,
      });
    });
    const { k8s } = client(url);
    const got: string[] = [];
    for await (const item of k8s.list(resources.pods, {
      pageSize: 3,
      labelSelector: 'app=web',
      namespace: 'default',
    })) {
      expect(item.kind).toBe('Pod');
      got.push(item.metadata.name);
    }
    expect(got).toEqual(names);
    expect(seen).toHaveLength(3);
    expect(seen[0]?.url).toBe('/api/v1/namespaces/default/pods?limit=3&labelSelector=app%3Dweb');
    expect(seen[1]?.url).toContain('continue=3');
  });

  it('relists from scratch on 410 Expired continue and yields each object once', async () => {
    let expiredOnce = false;
    const { url, seen } = await server((req, res) => {
      const u = new URL(req.url, 'http://x');
      const token = u.searchParams.get('continue');
      if (token === null) {
        // The relist's first page repeats p0 and p1, which the consumer already saw.
        json(res, 200, { kind: 'PodList', metadata: { continue: 'page2' }, items: [pod('p0'), pod('p1')] });
      } else if (!expiredOnce) {
        expiredOnce = true;
        json(
          res,
          410,
          statusBody(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result.',
          ),
        );
      } else {
        json(res, 200, { kind: 'PodList', metadata: {}, items: [pod('p2'), pod('p3')] });
      }
    });
    const { k8s } = client(url);
    const got: string[] = [];
    for await (const item of k8s.list(resources.pods, { pageSize: 2 })) got.push(item.metadata.name);
    expect(got).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(seen.map((s) => new URL(s.url, 'http://x').searchParams.get('continue'))).toEqual([
      null,
      'page2',
      null,
      'page2',
    ]);
  });

  it('gives up after repeated 410s with the typed error', async () => {
    const { url } = await server((req, res) => {
      if (req.url.includes('continue=')) json(res, 410, statusBody(410, 'Expired', 'too old'));
      else json(res, 200, { kind: 'PodList', metadata: { continue: 'x' }, items: [pod('a')] });
    });
    const { k8s } = client(url);
    const got: string[] = [];
    const error = await (async () => {
      for await (const item of k8s.list(resources.pods)) got.push(item.metadata.name);
    })().catch((e: unknown) => e);
    expect((error as K8sApiError).reason).toBe('Expired');
    expect(got).toEqual(['a']);
  });
});

describe('configuration errors', () => {
  it('throws a clear error on first use when no cluster is configured', async () => {
    const k8s = createK8s({ env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
    expect(k8s).toBeDefined(); // creating it never throws
    await expect(k8s.get(resources.pods, 'x', 'default')).rejects.toThrow(/no cluster configured/);
  });
});
