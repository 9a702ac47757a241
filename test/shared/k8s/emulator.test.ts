// The cluster client against the K8s API emulator over real HTTP: kubeconfig loading, paging,
// 410 relists, typed errors from Status bodies, and retries under injected faults.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../local/k8s-emulator/index.ts';
import { createK8s, type K8sClient } from '../../../shared/k8s/client.ts';
import {
  K8sApiError,
  K8sTransportError,
  isAlreadyExists,
  isConflict,
  isNotFound,
} from '../../../shared/k8s/errors.ts';
import { resources } from '../../../shared/k8s/resources.ts';
import type { KubeObject } from '../../../shared/k8s/types.ts';

let emulator: Emulator;
let dir: string;
let kubeconfig: string;
const configMaps = Array.from({ length: 25 }, (_, i) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `cm-${String(i).padStart(2, '0')}`, namespace: 'paging' },
  data: { i: String(i) },
}));

beforeAll(async () => {
  emulator = await startEmulator({ objects: configMaps });
  dir = await mkdtemp(join(tmpdir(), 'eco-k8s-emu-'));
  kubeconfig = join(dir, 'kubeconfig');
  await emulator.writeKubeconfig(kubeconfig);
});
afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  emulator.faults.clear();
});

function client(env: Record<string, string> = {}): { k8s: K8sClient; delays: number[] } {
  const delays: number[] = [];
  const k8s = createK8s({
    env: { KUBECONFIG: kubeconfig, ...env },
    serviceAccountDir: join(dir, 'none'),
    sleep: async (ms) => {
      delays.push(ms);
    },
  });
  return { k8s, delays };
}
async function names(iterable: AsyncIterable<KubeObject>): Promise<string[]> {
  const out: string[] = [];
  for await (const o of iterable) out.push(o.metadata.name);
  return out;
}
const since = (n: number) => emulator.requests.slice(n);

describe('against the emulator', () => {
  it('works from a kubeconfig pointing at plain http with insecure-skip-tls-verify', async () => {
    expect(emulator.kubeconfig()).toMatch(
      /server: http:\/\/127\.0\.0\.1:\d+[\s\S]*insecure-skip-tls-verify: true/,
    );
    const { k8s } = client();
    expect(await k8s.namespace()).toBe('default');
    const cm = await k8s.get(resources.configmaps, 'cm-00', 'paging');
    expect(cm).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { i: '0' } });
  });

  it('answers a wrong token with a typed 401', async () => {
    const bad = join(dir, 'bad');
    await emulator.writeKubeconfig(bad, 'not-a-token');
    const k8s = createK8s({ env: { KUBECONFIG: bad }, serviceAccountDir: join(dir, 'none') });
    const error = await k8s.get(resources.pods, 'x', 'default').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(K8sApiError);
    expect((error as K8sApiError).status).toBe(401);
  });

  it('pages with limit/continue in key order', async () => {
    const { k8s } = client();
    const start = emulator.requests.length;
    expect(await names(k8s.list(resources.configmaps, { namespace: 'paging', pageSize: 10 }))).toEqual(
      configMaps.map((c) => c.metadata.name),
    );
    expect(since(start).map((r) => r.query.includes('continue='))).toEqual([false, true, true]);
  });

  it('relists after 410 Expired on a continue token and yields each object once', async () => {
    const { k8s } = client();
    const seen: string[] = [];
    let compacted = false;
    for await (const cm of k8s.list(resources.configmaps, { namespace: 'paging', pageSize: 10 })) {
      seen.push(cm.metadata.name);
      if (!compacted) {
        // Every continue token issued so far is now too old.
        emulator.store.compact();
        compacted = true;
      }
    }
    expect(seen).toEqual(configMaps.map((c) => c.metadata.name));
    expect(emulator.requests.some((r) => r.status === 410)).toBe(true);
  });

  it('turns Status bodies into typed errors', async () => {
    const { k8s } = client();
    expect(await k8s.get(resources.configmaps, 'nope', 'paging')).toBeUndefined();
    const gone = await k8s.delete(resources.configmaps, 'nope', 'paging').catch((e: unknown) => e);
    expect(isNotFound(gone)).toBe(true);
    expect((gone as K8sApiError).serverMessage).toBe('configmaps "nope" not found');
    const taken = await k8s
      .create(resources.configmaps, { metadata: { name: 'cm-00', namespace: 'paging' } })
      .catch((e: unknown) => e);
    expect(isAlreadyExists(taken)).toBe(true);
    expect((taken as K8sApiError).serverMessage).toBe('configmaps "cm-00" already exists');
    const stale = await k8s
      .delete(resources.configmaps, 'cm-01', 'paging', { preconditions: { resourceVersion: '1' } })
      .catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect((stale as K8sApiError).reason).toBe('Conflict');
  });

  it('dry-run mutations are validated but not persisted', async () => {
    const { k8s } = client();
    await k8s.delete(resources.configmaps, 'cm-02', 'paging', {
      dryRun: true,
      propagationPolicy: 'Background',
    });
    await k8s.patch(
      resources.configmaps,
      'cm-03',
      'paging',
      { data: { i: 'x' } },
      { patchType: 'merge', dryRun: true },
    );
    expect(emulator.store.get('configmaps', 'cm-02', 'paging')).toBeDefined();
    expect(emulator.store.get('configmaps', 'cm-03', 'paging')?.data).toEqual({ i: '3' });
  });
});

describe('retries under injected faults', () => {
  const path = '/api/v1/namespaces/paging/configmaps/cm-04';

  it('429 with Retry-After: waits what the server asks, then succeeds', async () => {
    const { k8s, delays } = client();
    emulator.faults.add({ path, status: 429, retryAfterSeconds: 2 });
    expect(await k8s.get(resources.configmaps, 'cm-04', 'paging')).toBeDefined();
    expect(delays).toEqual([2000]);
  });

  it('500s: retried with backoff until it succeeds', async () => {
    const { k8s, delays } = client();
    emulator.faults.add({ path, status: 500, times: 2 });
    expect(await k8s.get(resources.configmaps, 'cm-04', 'paging')).toBeDefined();
    expect(delays).toHaveLength(2);
  });

  it('500s beyond the retry budget surface as the typed error', async () => {
    const { k8s } = client({ ECO_K8S_RETRIES: '1' });
    emulator.faults.add({ path, status: 500, times: 5 });
    const error = await k8s.get(resources.configmaps, 'cm-04', 'paging').catch((e: unknown) => e);
    expect((error as K8sApiError).reason).toBe('InternalError');
  });

  it('connection reset: a read is retried', async () => {
    const { k8s } = client();
    emulator.faults.add({ path, reset: true });
    expect(await k8s.get(resources.configmaps, 'cm-04', 'paging')).toBeDefined();
  });

  it('connection reset: a create without a fixed name is not repeated', async () => {
    const { k8s } = client();
    emulator.faults.add({
      method: 'POST',
      path: '/api/v1/namespaces/paging/configmaps',
      reset: true,
      times: 5,
    });
    const before = emulator.store.count('configmaps');
    const error = await k8s
      .create(resources.configmaps, {
        metadata: { generateName: 'gen-', namespace: 'paging' },
      } as unknown as KubeObject)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(K8sTransportError);
    expect(emulator.faults.list()[0]?.hits).toBe(1);
    expect(emulator.store.count('configmaps')).toBe(before);
  });

  it('latency past ECO_K8S_TIMEOUT_MS: the attempt times out and is retried', async () => {
    const { k8s } = client({ ECO_K8S_TIMEOUT_MS: '150' });
    emulator.faults.add({ path, latencyMs: 1500 });
    expect(await k8s.get(resources.configmaps, 'cm-04', 'paging')).toBeDefined();
    expect(emulator.faults.list()[0]?.hits).toBe(1);
  });
});
