// Demo cluster invariants: deterministic from `now`, the promised size, consistent owner chains and
// metrics, every planted problem present, and served by the emulator (`demo: true`).
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCluster, demoPodLogs, PLANTED } from '../../local/demo-cluster/index.ts';
import { deploymentPodName } from '../../local/demo-cluster/planted.ts';
import { startEmulator } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import { rawRequest } from '../../local/k8s-emulator/http-client.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';

const NOW = new Date('2026-11-27T12:00:00Z');
const objects = demoCluster(NOW);
const ofKind = (kind: string): KubeObject[] => objects.filter((o) => o.kind === kind);
const find = (kind: string, name: string, namespace?: string): KubeObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
const days = (ms: number): number => Math.round(ms / 86_400_000);

describe('demo cluster content', () => {
  it('is deterministic for a given now, and moves with now', () => {
    expect(JSON.stringify(demoCluster(NOW))).toBe(JSON.stringify(objects));
    const later = demoCluster(new Date(NOW.getTime() + 3_600_000));
    const ns = (list: KubeObject[]) =>
      list.find((o) => o.kind === 'Namespace' && o.metadata.name === 'shop')?.metadata.creationTimestamp;
    expect(Date.parse(ns(later) as string) - Date.parse(ns(objects) as string)).toBe(3_600_000);
  });

  it('has 3 nodes, 10 namespaces, about 80 pods, and metrics for the running pods on Ready nodes', () => {
    expect(ofKind('Node').map((n) => n.metadata.name)).toEqual(['eco-node-1', 'eco-node-2', 'eco-node-3']);
    expect(ofKind('Namespace')).toHaveLength(10);
    const pods = ofKind('Pod');
    expect(pods.length).toBeGreaterThanOrEqual(75);
    expect(pods.length).toBeLessThanOrEqual(85);
    const metrics = new Set(ofKind('PodMetrics').map((m) => `${m.metadata.namespace}/${m.metadata.name}`));
    for (const p of pods) {
      const spec = p['spec'] as { nodeName: string };
      const phase = (p['status'] as { phase: string }).phase;
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      if (phase !== 'Running' || spec.nodeName === 'eco-node-3') expect(metrics.has(key), key).toBe(false);
    }
    expect(metrics.size).toBeGreaterThan(55);
    for (const m of metrics)
      expect(pods.some((p) => `${p.metadata.namespace}/${p.metadata.name}` === m)).toBe(true);
    expect(ofKind('NodeMetrics').map((m) => m.metadata.name)).toEqual(['eco-node-1', 'eco-node-2']);
  });

  it('is schedulable: requests fit each node, and no container uses more than its limits', () => {
    const cores = (q: string): number =>
      q.endsWith('n')
        ? Number(q.slice(0, -1)) / 1e9
        : q.endsWith('m')
          ? Number(q.slice(0, -1)) / 1e3
          : Number(q);
    const bytes = (q: string): number => {
      const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(q) as RegExpExecArray;
      return Number(m[1]) * ({ Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] as 'Ki'] ?? 1);
    };
    type Ctr = {
      name: string;
      resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    };
    for (const node of ofKind('Node')) {
      const alloc = (node['status'] as { allocatable: Record<string, string> }).allocatable;
      const pods = ofKind('Pod').filter((p) => {
        const phase = (p['status'] as { phase: string }).phase;
        return (
          (p['spec'] as { nodeName: string }).nodeName === node.metadata.name &&
          (phase === 'Running' || phase === 'Pending')
        );
      });
      const ctrs = pods.flatMap((p) => (p['spec'] as { containers: Ctr[] }).containers);
      const cpu = ctrs.reduce((n, c) => n + cores(c.resources?.requests?.['cpu'] ?? '0'), 0);
      const mem = ctrs.reduce((n, c) => n + bytes(c.resources?.requests?.['memory'] ?? '0'), 0);
      expect(cpu, node.metadata.name).toBeLessThanOrEqual(cores(alloc['cpu'] as string));
      expect(mem, node.metadata.name).toBeLessThanOrEqual(bytes(alloc['memory'] as string));
    }
    for (const m of ofKind('PodMetrics')) {
      const pod = find('Pod', m.metadata.name, m.metadata.namespace) as KubeObject;
      for (const c of m['containers'] as Array<{ name: string; usage: { cpu: string; memory: string } }>) {
        const limits =
          (pod['spec'] as { containers: Ctr[] }).containers.find((x) => x.name === c.name)?.resources
            ?.limits ?? {};
        if (limits['cpu']) expect(cores(c.usage.cpu)).toBeLessThanOrEqual(cores(limits['cpu']));
        if (limits['memory']) expect(bytes(c.usage.memory)).toBeLessThanOrEqual(bytes(limits['memory']));
      }
    }
  });

  it('every ownerReference points at an existing object with that uid', () => {
    const byUid = new Map(objects.filter((o) => o.metadata.uid).map((o) => [o.metadata.uid, o]));
    let refs = 0;
    for (const o of objects) {
      for (const ref of o.metadata.ownerReferences ?? []) {
        refs++;
        const owner = byUid.get(ref.uid);
        expect(owner, `${o.kind} ${o.metadata.name} -> ${ref.kind} ${ref.name}`).toBeDefined();
        expect(owner?.kind).toBe(ref.kind);
        expect(owner?.metadata.name).toBe(ref.name);
      }
    }
    expect(refs).toBeGreaterThan(80);
  });

  it('plants at least one finding for each of the 8 categories, and every planted object exists', () => {
    const categories = new Set(PLANTED.filter((p) => p.expect === 'found').map((p) => p.category));
    expect([...categories].sort()).toEqual([
      'container',
      'infrastructure',
      'maintenance',
      'network',
      'observability',
      'optimisation',
      'security',
      'storage',
    ]);
    for (const p of PLANTED) {
      const o = objects.find(
        (x) =>
          x.apiVersion === p.object.apiVersion &&
          x.kind === p.object.kind &&
          x.metadata.name === p.object.name &&
          x.metadata.namespace === p.object.namespace,
      );
      expect(o, `${p.check}: ${p.object.kind} ${p.object.namespace ?? ''}/${p.object.name}`).toBeDefined();
    }
  });

  it('plants the cleanup cases with the right ages and annotations', () => {
    const backfill = find('Job', 'backfill-2026-10', 'analytics') as KubeObject;
    expect(
      days(NOW.getTime() - Date.parse((backfill['status'] as { completionTime: string }).completionTime)),
    ).toBe(20);
    expect(backfill.metadata.ownerReferences).toBeUndefined();
    const cronOwned = ofKind('Job').filter((j) => j.metadata.ownerReferences?.[0]?.kind === 'CronJob');
    expect(cronOwned).toHaveLength(3);
    const evicted = ofKind('Pod').filter((p) => (p['status'] as { reason?: string }).reason === 'Evicted');
    expect(evicted).toHaveLength(3);
    const orphan = find('ReplicaSet', 'api-v1-7f9c6d5b8', 'legacy') as KubeObject;
    expect(orphan.metadata.ownerReferences).toBeUndefined();
    expect((orphan['spec'] as { replicas: number }).replicas).toBe(0);
    expect(find('Namespace', 'preview-pr-142')?.metadata.annotations).toEqual({
      'eco.bsw-arch.org/ttl': '7d',
    });
    expect(
      find('ConfigMap', 'pinned-report', 'default')?.metadata.annotations?.['eco.bsw-arch.org/exclude'],
    ).toBe('true');
    expect(
      Date.parse(
        find('ConfigMap', 'demo-config', 'default')?.metadata.annotations?.['janitor/expires'] as string,
      ),
    ).toBeLessThan(NOW.getTime());
  });

  it('plants container problems: crashloop with previous logs, OOMKilled, ImagePullBackOff, privileged', () => {
    const crashy = find('Pod', deploymentPodName('legacy', 'crashy-worker'), 'legacy') as KubeObject;
    const cs = (
      crashy['status'] as {
        containerStatuses: Array<{
          restartCount: number;
          state: { waiting: { reason: string } };
          lastState: { terminated: { exitCode: number } };
        }>;
      }
    ).containerStatuses[0];
    expect(cs?.restartCount).toBe(14);
    expect(cs?.state.waiting.reason).toBe('CrashLoopBackOff');
    expect(cs?.lastState.terminated.exitCode).toBe(1);
    const logs = demoPodLogs(NOW).filter((l) => l.pod === crashy.metadata.name);
    expect(logs.map((l) => l.previous ?? false).sort()).toEqual([false, true]);
    expect(logs.find((l) => l.previous)?.text).toContain('FATAL unhandled error: database unavailable');
    const memhog = find('Pod', deploymentPodName('legacy', 'memhog'), 'legacy') as KubeObject;
    expect(JSON.stringify(memhog['status'])).toContain('"reason":"OOMKilled"');
    expect(
      JSON.stringify(find('Pod', deploymentPodName('legacy', 'broken-image'), 'legacy')?.['status']),
    ).toContain('ImagePullBackOff');
    expect(JSON.stringify(find('Pod', 'net-tools', 'legacy')?.['spec'])).toContain('"privileged":true');
  });

  it('plants images: one over 50 MB in node status.images, prohibited registries and :latest', () => {
    const images = ofKind('Node').flatMap(
      (n) => (n['status'] as { images: Array<{ names: string[]; sizeBytes: number }> }).images,
    );
    const big = images.find((i) => i.names.includes('registry.eco.local/analytics/report-builder:2.4.1'));
    expect(big?.sizeBytes).toBeGreaterThan(50 * 1024 * 1024);
    const used = ofKind('Pod').flatMap((p) =>
      (p['spec'] as { containers: Array<{ image: string }> }).containers.map((c) => c.image),
    );
    expect(used.some((i) => i.startsWith('gcr.io/'))).toBe(true);
    expect(used.some((i) => /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//.test(i))).toBe(true);
    expect(used.some((i) => /\.azurecr\.io\//.test(i))).toBe(true);
    expect(used.some((i) => i.endsWith(':latest'))).toBe(true);
  });

  it('TLS secrets hold real X.509 certificates: one expiring in 10 days, one expired', () => {
    const cert = (ns: string, name: string): X509Certificate =>
      new X509Certificate(
        Buffer.from(
          (find('Secret', name, ns)?.['data'] as Record<string, string>)['tls.crt'] as string,
          'base64',
        ),
      );
    const shop = cert('shop', 'shop-tls');
    expect(shop.subject).toBe('CN=shop.example.com');
    expect(days(Date.parse(shop.validTo) - NOW.getTime())).toBe(10);
    expect(shop.verify(shop.publicKey)).toBe(true);
    expect(Date.parse(cert('legacy', 'old-portal-tls').validTo)).toBeLessThan(NOW.getTime());
    expect(days(Date.parse(cert('payments', 'payments-tls').validTo) - NOW.getTime())).toBe(80);
  });

  it('quota usage agrees with the pods: payments is at 95% of requests.cpu', () => {
    const q = find('ResourceQuota', 'compute', 'payments')?.['status'] as {
      used: Record<string, string>;
      hard: Record<string, string>;
    };
    expect(q.used['requests.cpu']).toBe('3800m');
    expect(q.hard['requests.cpu']).toBe('4');
    expect(find('ResourceQuota', 'compute', 'analytics')).toBeUndefined();
  });

  it('network plants: a Service with no endpoints, a pending LoadBalancer, an Ingress to a missing Service', () => {
    expect(find('Endpoints', 'reports-api', 'legacy')?.['subsets']).toBeUndefined();
    expect(
      (find('Endpoints', 'cart', 'shop')?.['subsets'] as Array<{ addresses: unknown[] }>)[0]?.addresses,
    ).toHaveLength(2);
    expect(find('Service', 'storefront-public', 'shop')?.['status']).toEqual({ loadBalancer: {} });
    expect(find('Service', 'old-portal-svc', 'legacy')).toBeUndefined();
  });
});

describe('the emulator serving the demo cluster', () => {
  let emu: Emulator;
  const call = (method: string, path: string, body?: unknown) =>
    rawRequest(emu.url, method, path, { token: emu.adminToken, ...(body ? { body } : {}) });
  beforeAll(async () => {
    emu = await startEmulator({ demo: true, now: () => NOW });
  });
  afterAll(async () => {
    await emu.close();
  });

  it('lists every demo pod and serves node and pod metrics', async () => {
    const pods = (await call('GET', '/api/v1/pods')).json as { items: unknown[] };
    expect(pods.items).toHaveLength(ofKind('Pod').length);
    const nm = (await call('GET', '/apis/metrics.k8s.io/v1beta1/nodes')).json as {
      items: Array<{ metadata: { name: string } }>;
    };
    expect(nm.items.map((i) => i.metadata.name)).toEqual(['eco-node-1', 'eco-node-2']);
    const pm = (
      await call('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Dcart')
    ).json as { items: unknown[] };
    expect(pm.items).toHaveLength(2);
  });

  it('serves the crashlooping pod logs, current and previous', async () => {
    const name = deploymentPodName('legacy', 'crashy-worker');
    const prev = await call('GET', `/api/v1/namespaces/legacy/pods/${name}/log?previous=true`);
    expect(prev.status).toBe(200);
    expect(prev.text).toContain('FATAL unhandled error: database unavailable');
    const cur = await call('GET', `/api/v1/namespaces/legacy/pods/${name}/log`);
    expect(cur.text).toContain('ECONNREFUSED');
  });

  it('the cart PDB blocks evicting a cart pod (429)', async () => {
    const name = deploymentPodName('shop', 'cart');
    const r = await call('POST', `/api/v1/namespaces/shop/pods/${name}/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace: 'shop' },
    });
    expect(r.status).toBe(429);
    expect((r.json as { details: { causes: Array<{ message: string }> } }).details.causes[0]?.message).toBe(
      'The disruption budget cart-pdb needs 2 healthy pods and has 2 currently',
    );
  });

  it('deleting the expired preview namespace removes everything in it', async () => {
    expect((await call('DELETE', '/api/v1/namespaces/preview-pr-142')).status).toBe(200);
    expect(emu.store.get('namespaces', 'preview-pr-142')).toBeUndefined();
    expect(emu.store.list('pods', 'preview-pr-142')).toEqual([]);
  });
});
