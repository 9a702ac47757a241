// The retention plan against a real registry: tags of different ages pushed by skopeo, described by
// describeTags, planned with pods' images, deleted by digest; then the deleted manifests answer 404
// and the kept tags (in use, newest, shared digests) are all still there.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistryClient,
  describeTags,
  digestsToDelete,
  inUseFrom,
  isRegistryNotFound,
  planRepository,
} from '../../../shared/oci/index.ts';
import {
  buildImageLayout,
  startRegistry,
  type BuiltImage,
  type TestRegistry,
} from '../../helpers/registry.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (d: number): string => new Date(NOW.getTime() - d * 86_400_000).toISOString();

let registry: TestRegistry;
let layout: string;
let images: Record<string, BuiltImage>;

beforeAll(async () => {
  layout = await mkdtemp(path.join(tmpdir(), 'eco-retention-'));
  images = await buildImageLayout(layout, [
    { tag: 'v1', platforms: [{ layers: [2_000], created: daysAgo(120) }] },
    { tag: 'v2', platforms: [{ layers: [2_100], created: daysAgo(90) }] },
    { tag: 'v3', platforms: [{ layers: [2_200], created: daysAgo(60) }] },
    { tag: 'v4', platforms: [{ layers: [2_300], created: daysAgo(45) }] },
    {
      tag: 'v5',
      platforms: [
        { layers: [2_400], created: daysAgo(40) },
        { architecture: 'arm64', layers: [2_450], created: daysAgo(40) },
      ],
    },
    { tag: 'v6', platforms: [{ layers: [2_500], created: daysAgo(5) }] },
    { tag: 'v7', platforms: [{ layers: [2_600], created: daysAgo(1) }] },
  ]);
  registry = await startRegistry();
  for (const tag of ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']) await registry.push(layout, tag, 'shop/web');
  // `stable` points at v2's manifest: deleting v2's digest would delete it too.
  await registry.push(layout, 'v2', 'shop/web', 'stable');
});

afterAll(async () => {
  await registry?.stop();
  await rm(layout, { recursive: true, force: true });
});

describe('retention on a real registry', () => {
  it('plans, deletes by digest, and leaves in-use, newest and shared tags', async () => {
    const client = createRegistryClient({ url: registry.url });
    const tags = await describeTags(client, 'shop/web');
    expect(tags.find((t) => t.tag === 'v5')?.childDigests).toEqual(images.v5!.platforms.map((p) => p.digest));
    expect(tags.find((t) => t.tag === 'v1')?.created).toBe(daysAgo(120));
    // A pod runs v3 by tag; another runs the arm64 manifest of v5 (its imageID names the child).
    const inUse = inUseFrom(
      [
        { image: `${registry.host}/shop/web:v3` },
        {
          image: `${registry.host}/shop/web:old-name`,
          imageID: `${registry.host}/shop/web@${images.v5!.platforms[1]!.digest}`,
        },
      ],
      registry.host,
    );
    const plan = planRepository(tags, inUse, { keepLast: 2, retentionMs: 30 * 86_400_000 }, NOW);
    const verdicts = Object.fromEntries(
      plan.map((t) => [t.tag, t.verdict.action === 'delete' ? 'delete' : t.verdict.reason]),
    );
    expect(verdicts).toEqual({
      v7: 'newest',
      v6: 'newest',
      v5: 'in-use-digest',
      v4: 'delete',
      v3: 'in-use-tag',
      v2: 'delete',
      stable: 'delete',
      v1: 'delete',
    });
    const deletes = digestsToDelete(plan);
    expect(deletes.map((d) => d.tags.sort().join('+')).sort()).toEqual(['stable+v2', 'v1', 'v4']);
    for (const d of deletes) await client.deleteManifest(d.repository, d.digest);

    for (const d of deletes) {
      const error = await client.headManifest('shop/web', d.digest).catch((e: unknown) => e);
      expect(isRegistryNotFound(error)).toBe(true);
    }
    expect((await client.listTags('shop/web')).sort()).toEqual(['v3', 'v5', 'v6', 'v7']);
    expect((await client.headManifest('shop/web', 'v5')).digest).toBe(images.v5!.digest);
  });
});
