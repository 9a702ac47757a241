// eco-cache-bot with its own RBAC token: node image bytes no pod uses (the demo cluster's planted
// node), and build-cache tags in a real registry (docker-registry, pushed by skopeo) deleted by
// digest past retention, leaving the live cache, release tags and anything a pod runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-cache-bot/handler.ts';
import { createRegistryClient, isRegistryNotFound } from '../../shared/oci/index.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { buildImageLayout, startRegistry, type BuiltImage, type TestRegistry } from '../helpers/registry.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (d: number): string => new Date(NOW.getTime() - d * 86_400_000).toISOString();

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-cache-bot on the demo cluster', () => {
  it('finds the planted node with unused images; the registry part says it is not configured', async () => {
    const { PLANTED } = await import('../../local/demo-cluster/index.ts');
    harness = await startBotHarness(bot, { demo: true });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const found = new Set(
      report.findings.map((f) => `${f.check} ${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}`),
    );
    const mine = PLANTED.filter((p) => p.bot === bot.name);
    expect(mine.length).toBeGreaterThan(0);
    for (const planted of mine) {
      const o = planted.object;
      const key = `${planted.check} ${o.kind}/${o.namespace ?? ''}/${o.name}`;
      if (planted.expect === 'found') expect(found).toContain(key);
      else expect(found).not.toContain(key);
    }
    const node2 = report.findings.find((f) => f.object.name === 'eco-node-2');
    const names = (node2?.evidence?.images as { name: string }[]).map((i) => i.name).join(' ');
    expect(names).toContain('shop/storefront:3.7.9');
    expect(names).toContain('analytics/report-builder:2.3.0');
    expect(report.findings.some((f) => f.check === 'eco-cache-bot.unconfigured')).toBe(true);
    expect(report.actions).toEqual([]);
  });
});

describe('eco-cache-bot with a real registry', () => {
  let registry: TestRegistry;
  let layout: string;
  let images: Record<string, BuiltImage>;

  beforeAll(async () => {
    layout = await mkdtemp(path.join(tmpdir(), 'eco-cache-bot-'));
    images = await buildImageLayout(layout, [
      { tag: 'c-new', platforms: [{ layers: [1_500], created: daysAgo(1) }] },
      { tag: 'c-old', platforms: [{ layers: [1_600], created: daysAgo(20) }] },
      { tag: 'c-older', platforms: [{ layers: [1_700], created: daysAgo(40) }] },
      { tag: 'c-used', platforms: [{ layers: [1_800], created: daysAgo(50) }] },
      { tag: 'release', platforms: [{ layers: [1_900], created: daysAgo(90) }] },
    ]);
    registry = await startRegistry();
    await registry.push(layout, 'c-new', 'shop/web', 'buildcache');
    await registry.push(layout, 'c-old', 'shop/web', 'cache-2026-05-12');
    await registry.push(layout, 'c-older', 'shop/web', 'cache-2026-04-22');
    await registry.push(layout, 'c-used', 'shop/web', 'cache-debug');
    // A release tag on an old cache digest: deleting the digest would delete the release.
    await registry.push(layout, 'release', 'shop/web', 'v1.0.0');
    await registry.push(layout, 'release', 'shop/web', 'cache-v1');
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(layout, { recursive: true, force: true });
  });

  const cluster = (host: string): KubeObject[] => [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'debug', namespace: 'shop', uid: 'p1' },
      spec: { nodeName: 'n1', containers: [{ name: 'd', image: `${host}/shop/web:cache-debug` }] },
      status: { phase: 'Running' },
    },
  ];

  it('dry-run plans, apply deletes only the stale cache manifests', async () => {
    const env = { ECO_REGISTRY_URL: registry.url };
    harness = await startBotHarness(bot, { objects: cluster(registry.host), now: () => NOW, env });
    const dry = await harness.run({ checks: ['cache.stale-cache-tag'] });
    expect(dry.errors).toEqual([]);
    const planned = dry.findings.map((f) => (f.evidence?.tags as string[]).join('+')).sort();
    expect(planned).toEqual(['cache-2026-04-22', 'cache-2026-05-12']);
    expect(dry.actions.map((a) => a.status)).toEqual(['planned', 'planned']);
    await harness.close();

    harness = await startBotHarness(bot, {
      objects: cluster(registry.host),
      now: () => NOW,
      env: { ...env, ECO_MODE: 'apply' },
    });
    const applied = await harness.run({ checks: ['cache.stale-cache-tag'] });
    expect(applied.actions.map((a) => a.status)).toEqual(['applied', 'applied']);
    const client = createRegistryClient({ url: registry.url });
    for (const tag of ['c-old', 'c-older']) {
      expect(
        isRegistryNotFound(
          await client.headManifest('shop/web', images[tag]!.digest).catch((e: unknown) => e),
        ),
      ).toBe(true);
    }
    expect((await client.listTags('shop/web')).sort()).toEqual([
      'buildcache',
      'cache-debug',
      'cache-v1',
      'v1.0.0',
    ]);
  });
});
