// eco-registry-bot against a real registry (docker-registry, tags pushed by skopeo with different
// ages) and the K8s emulator (its own RBAC token): what it deletes, and what it never deletes (a tag a
// pod runs, a digest a pod runs, a tag an old ReplicaSet names, the newest N, shared digests, over
// the cap), in dry-run and apply. No anchor tool garbage-collects a registry (BOTS.md); the rules
// are Harbor's retain-the-newest-N and GitLab's older-than, with the cluster as the source of truth.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-registry-bot/handler.ts';
import { freePort } from '../../local/gateway/free-port.ts';
import { createRegistryClient, isRegistryNotFound } from '../../shared/oci/index.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { buildImageLayout, startRegistry, type BuiltImage, type TestRegistry } from '../helpers/registry.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (d: number): string => new Date(NOW.getTime() - d * 86_400_000).toISOString();

let layout: string;
let images: Record<string, BuiltImage>;
let registry: TestRegistry;
let harness: BotHarness | undefined;

beforeAll(async () => {
  layout = await mkdtemp(path.join(tmpdir(), 'eco-registry-bot-'));
  images = await buildImageLayout(
    layout,
    ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'].map((tag, i) => ({
      tag,
      platforms: [{ layers: [1_000 + i], created: daysAgo([200, 150, 100, 90, 60, 2][i]!) }],
    })),
  );
});

beforeEach(async () => {
  registry = await startRegistry();
  for (const tag of ['v1', 'v2', 'v3', 'v4', 'v5', 'v6']) await registry.push(layout, tag, 'shop/web');
  await registry.push(layout, 'v3', 'shop/web', 'stable'); // the same digest as v3
  await registry.push(layout, 'v4', 'shop/api', 'old');
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await registry?.stop();
});

afterAll(async () => {
  await rm(layout, { recursive: true, force: true });
});

function cluster(host: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'ns-shop' } },
    // Runs shop/web:v5 by tag.
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-0', namespace: 'shop', uid: 'p1' },
      spec: { containers: [{ name: 'web', image: `${host}/shop/web:v5` }] },
      status: { phase: 'Running' },
    },
    // Names a moved tag, but runs v2's digest (imageID): v2 must stay.
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'shop', uid: 'p2' },
      spec: { containers: [{ name: 'web', image: `${host}/shop/web:canary` }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'web',
            image: `${host}/shop/web:canary`,
            imageID: `${host}/shop/web@${images.v2!.digest}`,
            ready: true,
            restartCount: 0,
          },
        ],
      },
    },
    // An old ReplicaSet (a rollback target) names v1.
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-old', namespace: 'shop', uid: 'rs1' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: `${host}/shop/web:v1` }] },
        },
      },
    },
  ];
}

const env = (extra: Record<string, string> = {}) => ({
  ECO_REGISTRY_URL: registry.url,
  ECO_REGISTRY_KEEP_LAST: '1',
  ...extra,
});

describe('eco-registry-bot (real registry, RBAC enforced)', () => {
  it('dry-run: plans the deletes by digest and changes nothing', async () => {
    harness = await startBotHarness(bot, { objects: cluster(registry.host), now: () => NOW, env: env() });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.mode).toBe('dry-run');
    const stale = report.findings
      .filter((f) => f.check === 'registry.stale-tag')
      .map((f) => (f.evidence?.tags as string[]).join('+'));
    // v6 is the newest (keep 1), v5/v2/v1 are used, shop/api:old is its repository's newest.
    expect(stale.sort()).toEqual(['stable+v3', 'v4']);
    expect(report.actions.map((a) => `${a.verb} ${a.status}`)).toEqual(['delete planned', 'delete planned']);
    expect(report.findings.some((f) => f.check === 'registry.gc-needed')).toBe(true);
    const client = createRegistryClient({ url: registry.url });
    expect((await client.listTags('shop/web')).sort()).toEqual([
      'stable',
      'v1',
      'v2',
      'v3',
      'v4',
      'v5',
      'v6',
    ]);
  });

  it('apply: the deleted manifests answer 404, every tag in use is still there', async () => {
    harness = await startBotHarness(bot, {
      objects: cluster(registry.host),
      now: () => NOW,
      env: env({ ECO_MODE: 'apply' }),
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.actions.map((a) => a.status)).toEqual(['applied', 'applied']);
    const client = createRegistryClient({ url: registry.url });
    for (const tag of ['v3', 'v4']) {
      const error = await client.headManifest('shop/web', images[tag]!.digest).catch((e: unknown) => e);
      expect(isRegistryNotFound(error)).toBe(true);
    }
    expect((await client.listTags('shop/web')).sort()).toEqual(['v1', 'v2', 'v5', 'v6']);
    expect(await client.listTags('shop/api')).toEqual(['old']);
    expect(report.actions[0]?.before).toMatchObject({ registry: registry.host, repository: 'shop/web' });
    expect(report.findings.find((f) => f.check === 'registry.gc-needed')?.message).toMatch(
      /^2 manifests deleted/,
    );
  });

  it('apply stops at the blast-radius cap', async () => {
    harness = await startBotHarness(bot, {
      objects: cluster(registry.host),
      now: () => NOW,
      env: env({ ECO_MODE: 'apply', ECO_MAX_ACTIONS: '1' }),
    });
    const report = await harness.run({});
    expect(report.actions.map((a) => `${a.status}${a.status === 'skipped' ? `:${a.reason}` : ''}`)).toEqual([
      'applied',
      'skipped:blast-radius',
    ]);
    expect((await createRegistryClient({ url: registry.url }).listTags('shop/web')).length).toBe(6);
  });

  it('a longer retention and a larger keep-last delete nothing', async () => {
    harness = await startBotHarness(bot, {
      objects: cluster(registry.host),
      now: () => NOW,
      env: env({ ECO_MODE: 'apply', ECO_REGISTRY_RETENTION: '365d' }),
    });
    const report = await harness.run({ repository: 'shop/web' });
    expect(report.actions).toEqual([]);
    expect(report.summary).toMatch(/^1 repositories, 7 tags: 0 manifests/);
  });
});

describe('eco-registry-bot without a usable registry', () => {
  it('unconfigured: one info finding, status 200', async () => {
    harness = await startBotHarness(bot, { objects: [], now: () => NOW });
    const report = await harness.run({});
    expect(report.findings.map((f) => [f.check, f.severity, f.object.name])).toEqual([
      ['eco-registry-bot.unconfigured', 'info', 'ECO_REGISTRY_URL'],
    ]);
  });

  it('registry down: a report error naming it, nothing planned, no crash', async () => {
    const port = await freePort();
    harness = await startBotHarness(bot, {
      objects: [],
      now: () => NOW,
      env: { ECO_REGISTRY_URL: `http://127.0.0.1:${port}` },
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([
      { code: 'registry-unavailable', message: expect.stringContaining(`OCI registry 127.0.0.1:${port}`) },
    ]);
    expect(report.actions).toEqual([]);
  });
});
