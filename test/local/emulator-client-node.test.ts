// @kubernetes/client-node 1.4 (the client the bots use) against the emulator through a kubeconfig:
// typed APIs, ApiException bodies, the generic object API (discovery + strategic merge patch),
// Metrics, pod logs, and an informer (list, then watch from the list's resourceVersion).
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, serviceAccountUser } from '../../local/k8s-emulator/index.ts';
import type { Emulator } from '../../local/k8s-emulator/index.ts';
import { deploymentPodName } from '../../local/demo-cluster/planted.ts';

let emu: Emulator;
let kc: k8s.KubeConfig;

beforeAll(async () => {
  emu = await startEmulator({
    demo: true,
    now: () => new Date('2026-11-27T12:00:00Z'),
    tokens: {
      reader: {
        user: serviceAccountUser('eco-bots', 'eco-reader'),
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
      },
    },
  });
  kc = new k8s.KubeConfig();
  kc.loadFromString(emu.kubeconfig());
});
afterAll(async () => {
  await emu.close();
});

describe('@kubernetes/client-node against the emulator', () => {
  it('pages a typed list with limit/continue', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const names: string[] = [];
    let cont: string | undefined;
    do {
      const page = await core.listPodForAllNamespaces({ limit: 25, ...(cont ? { _continue: cont } : {}) });
      names.push(...page.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`));
      cont = page.metadata?._continue || undefined;
    } while (cont);
    expect(names).toHaveLength(emu.store.count('pods'));
    expect(names).toEqual([...names].sort());
  });

  it('surfaces Status errors as ApiException with the raw body', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const err = await core.readNamespacedPod({ name: 'nope', namespace: 'shop' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(k8s.ApiException);
    const body = JSON.parse((err as k8s.ApiException<string>).body) as { reason: string; code: number };
    expect(body).toMatchObject({ reason: 'NotFound', code: 404 });
    const denied = new k8s.KubeConfig();
    denied.loadFromString(emu.kubeconfig('reader'));
    const forbidden = await denied
      .makeApiClient(k8s.AppsV1Api)
      .listDeploymentForAllNamespaces()
      .catch((e: unknown) => e);
    expect((forbidden as k8s.ApiException<string>).code).toBe(403);
  });

  it('KubernetesObjectApi discovers resources and patches with strategic merge by default', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const patched = await objects.patch({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: 'shop', labels: { patched: 'yes' } },
    });
    expect(patched.metadata?.labels).toMatchObject({ app: 'cart', patched: 'yes' });
    const snaps = await objects.list('snapshot.storage.k8s.io/v1', 'VolumeSnapshot', 'payments');
    expect(snaps.items).toHaveLength(5);
  });

  it('Metrics reads node and pod usage', async () => {
    const metrics = new k8s.Metrics(kc);
    const nodes = await metrics.getNodeMetrics();
    expect(nodes.items.map((n) => n.metadata.name)).toEqual(['eco-node-1', 'eco-node-2']);
    const pods = await metrics.getPodMetrics('shop');
    expect(pods.items.length).toBeGreaterThan(10);
  });

  it('reads current and previous container logs', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const log = await core.readNamespacedPodLog({
      name: deploymentPodName('legacy', 'crashy-worker'),
      namespace: 'legacy',
      previous: true,
    });
    expect(String(log)).toContain('FATAL unhandled error: database unavailable');
  });

  it('an informer lists, then sees adds, updates and deletes from the watch', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const events: string[] = [];
    informer.on('add', (o) => events.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) => events.push(`update:${o.metadata?.name}`));
    informer.on('delete', (o) => events.push(`delete:${o.metadata?.name}`));
    await informer.start();
    const initial = informer.list().length;
    expect(initial).toBe(emu.store.list('configmaps', 'default').length);
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'informed' }, data: { a: '1' } },
    });
    await core.patchNamespacedConfigMap(
      { name: 'informed', namespace: 'default', body: { data: { a: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: 'informed', namespace: 'default' });
    for (let i = 0; i < 100 && !events.includes('delete:informed'); i++)
      await new Promise((r) => setTimeout(r, 20));
    await informer.stop();
    expect(events.filter((e) => e.endsWith(':informed'))).toEqual([
      'add:informed',
      'update:informed',
      'delete:informed',
    ]);
    expect(informer.list()).toHaveLength(initial);
  });
});
