// eco-cache-bot: which tags are build cache, and node image bytes no pod on the node uses.
import { describe, expect, it } from 'vitest';
import {
  isCacheTag,
  nodeCacheDraft,
  nodeCaches,
  planCacheTags,
} from '../../functions/eco-cache-bot/caches.ts';

const D = `sha256:${'e'.repeat(64)}`;

describe('isCacheTag', () => {
  it.each([
    ['apps/web', 'buildcache', true],
    ['apps/web', 'cache', true],
    ['apps/web', 'main-cache', true],
    ['apps/web', 'cache-amd64', true],
    ['apps/web-cache', 'v1', true],
    ['cache/web', 'v1', false],
    ['apps/web', 'v1.2', false],
    ['apps/web', 'cachet', false],
  ])('%s:%s → %s', (repo, tag, expected) => {
    expect(isCacheTag(repo, tag)).toBe(expected);
  });
});

describe('nodeCaches', () => {
  const nodes = [
    {
      metadata: { name: 'node-1' },
      status: {
        images: [
          { names: [`docker.io/library/nginx@${D}`, 'docker.io/library/nginx:1.27'], sizeBytes: 70_000_000 },
          { names: ['registry.example.com/old:1'], sizeBytes: 900_000_000 },
          { names: ['registry.k8s.io/pause:3.10'], sizeBytes: 300_000 },
          { names: ['registry.example.com/web:2'], sizeBytes: 40_000_000 },
          { names: ['registry.example.com/tiny:1'], sizeBytes: 1_000_000 },
        ],
      },
    },
    { metadata: { name: 'node-2' } },
  ];
  const pods = [
    // Used by tag (short form) on node-1.
    { nodeName: 'node-1', containers: [{ image: 'nginx:1.27' }] },
    // Used by the running digest although the spec names another tag.
    {
      nodeName: 'node-1',
      containers: [
        {
          image: 'registry.example.com/web:latest',
          imageID: 'registry.example.com/web@sha256:' + 'f'.repeat(64),
        },
      ],
    },
    // registry.example.com/web:2 runs elsewhere: on node-1 it is unused.
    { nodeName: 'node-2', containers: [{ image: 'registry.example.com/web:2' }] },
    { nodeName: undefined, containers: [{ image: 'registry.example.com/old:1' }] },
  ];
  const [one, two] = nodeCaches(nodes, pods);

  it('counts images no pod on that node uses, never the sandbox image', () => {
    expect(one?.unused.map((u) => u.names[0])).toEqual([
      'registry.example.com/old:1',
      'registry.example.com/web:2',
      'registry.example.com/tiny:1',
    ]);
    expect(one?.unusedBytes).toBe(941_000_000);
    expect(one?.totalBytes).toBe(1_011_300_000);
    expect(two).toEqual({ node: 'node-2', totalBytes: 0, unusedBytes: 0, unused: [] });
  });

  it('reports a node over the minimum, with the reclaimable bytes', () => {
    expect(nodeCacheDraft(one!, 500_000_000)).toMatchObject({
      check: 'cache.unused-node-image',
      object: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
      message: 'node node-1 holds 941.0 MB of images no pod on it uses (3 images, of 1.01 GB in all)',
      evidence: { reclaimableBytes: 941_000_000 },
    });
    expect(nodeCacheDraft(one!, 1_000_000_000)).toBeUndefined();
  });
});

describe('planCacheTags', () => {
  const NOW = new Date('2026-06-01T00:00:00Z');
  const dg = (c: string): string => `sha256:${c.repeat(64)}`;
  const tag = (name: string, days: number, digest: string) => ({
    repository: 'apps/web',
    tag: name,
    digest,
    childDigests: [],
    created: new Date(NOW.getTime() - days * 86_400_000).toISOString(),
    bytes: 10,
  });
  it('keeps the newest cache tag, shared digests and release tags; deletes old cache tags', () => {
    const plan = planCacheTags(
      [
        tag('buildcache', 1, dg('1')),
        tag('cache-old', 30, dg('2')),
        tag('cache-shared', 40, dg('3')),
        tag('v1', 40, dg('3')),
        tag('v0', 400, dg('4')),
      ],
      { tags: new Set(), digests: new Set() },
      7 * 86_400_000,
      NOW,
    );
    expect(
      Object.fromEntries(
        plan.map((t) => [t.tag, t.verdict.action === 'delete' ? 'delete' : t.verdict.reason]),
      ),
    ).toEqual({
      buildcache: 'newest',
      'cache-old': 'delete',
      'cache-shared': 'shared-digest',
    });
  });
});
