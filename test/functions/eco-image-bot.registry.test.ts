// eco-image-bot's analysis against a real registry (docker-registry, images pushed by skopeo):
// sizes from the manifests for the node's platform, the base from the image config, node sizes as
// the fallback, and a registry that is down reported as an error naming it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseImages } from '../../functions/eco-image-bot/analyse.ts';
import { freePort } from '../../local/gateway/free-port.ts';
import { createRegistryClient, type KubeObject } from '../../shared/index.ts';
import { buildImageLayout, startRegistry, type BuiltImage, type TestRegistry } from '../helpers/registry.ts';

let registry: TestRegistry;
let layout: string;
let images: Record<string, BuiltImage>;

beforeAll(async () => {
  layout = await mkdtemp(path.join(tmpdir(), 'eco-image-bot-'));
  images = await buildImageLayout(layout, [
    {
      tag: 'fat',
      platforms: [
        {
          architecture: 'amd64',
          layers: [30_000, 12_000],
          labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:bookworm' },
        },
        {
          architecture: 'arm64',
          layers: [8_000],
          labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:bookworm' },
        },
      ],
    },
    {
      tag: 'slim',
      platforms: [
        {
          layers: [3_000],
          labels: { 'org.opencontainers.image.base.name': 'cgr.dev/chainguard/wolfi-base' },
        },
      ],
    },
  ]);
  registry = await startRegistry();
  await registry.push(layout, 'fat', 'shop/api', '2.0.0');
  await registry.push(layout, 'slim', 'shop/web', '1.0.0');
});

afterAll(async () => {
  await registry?.stop();
  await rm(layout, { recursive: true, force: true });
});

function pod(name: string, node: string, image: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-rs`, uid: `u-${name}`, controller: true },
      ],
    },
    spec: { nodeName: node, containers: [{ name: 'app', image }] },
  };
}
const rs = (name: string, deployment: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: `${name}-rs`,
    namespace: 'shop',
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployment,
        uid: `d-${deployment}`,
        controller: true,
      },
    ],
  },
});
const node = (name: string, architecture: string, images: { names: string[]; sizeBytes: number }[] = []) => ({
  metadata: { name },
  status: { nodeInfo: { architecture }, images },
});

describe('eco-image-bot analysis with a real registry', () => {
  const policy = { allowed: undefined, allowedPatterns: [] };

  it('sizes from the manifests for the node architecture, base from the config', async () => {
    const result = await analyseImages({
      pods: [
        pod('api-x', 'node-amd', `${registry.host}/shop/api:2.0.0`),
        pod('api-arm', 'node-arm', `${registry.host}/shop/api:2.0.0`),
        pod('web-x', 'node-amd', `${registry.host}/shop/web:1.0.0`),
        pod('other-x', 'node-amd', 'quay.io/org/other:1'),
      ],
      replicaSets: [rs('api-x', 'api'), rs('api-arm', 'api-arm'), rs('web-x', 'web'), rs('other-x', 'other')],
      jobs: [],
      nodes: [
        node('node-amd', 'amd64', [{ names: ['quay.io/org/other:1'], sizeBytes: 90_000_000 }]),
        node('node-arm', 'arm64'),
      ],
      policy,
      maxBytes: 20_000,
      registry: { client: createRegistryClient({ url: registry.url }), host: registry.host },
    });
    expect(result.errors).toEqual([]);
    const amd = images.fat!.platforms[0]!;
    const arm = images.fat!.platforms[1]!;
    expect(result.sizes[`${registry.host}/shop/api:2.0.0`]).toBeDefined();
    const large = result.drafts.filter((d) => d.check === 'image.too-large');
    expect(large.map((d) => [d.object.name, d.evidence?.bytes, d.evidence?.platform])).toEqual([
      ['api', amd.compressedSize, 'linux/amd64'],
      ['other', 90_000_000, undefined],
    ]);
    // The arm64 build is under the limit: only the amd64 deployment is flagged.
    expect(arm.compressedSize).toBeLessThan(20_000);
    const bases = result.drafts.filter((d) => d.check === 'image.non-wolfi-base').map((d) => d.object.name);
    expect(bases.sort()).toEqual(['api', 'api-arm']);
  });

  it('a registry that is down is one error naming it; node sizes still count', async () => {
    const port = await freePort();
    const result = await analyseImages({
      pods: [pod('a-x', 'n', `127.0.0.1:${port}/shop/a:1`), pod('b-x', 'n', `127.0.0.1:${port}/shop/b:1`)],
      replicaSets: [],
      jobs: [],
      nodes: [node('n', 'amd64', [{ names: [`127.0.0.1:${port}/shop/a:1`], sizeBytes: 70_000_000 }])],
      policy,
      maxBytes: 50_000_000,
      registry: {
        client: createRegistryClient({ url: `http://127.0.0.1:${port}`, retry: { attempts: 1 } }),
        host: `127.0.0.1:${port}`,
      },
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      code: 'registry-unavailable',
      message: expect.stringContaining(`OCI registry 127.0.0.1:${port}`),
    });
    expect(result.drafts.filter((d) => d.check === 'image.too-large').map((d) => d.evidence?.source)).toEqual(
      ['node status.images sizeBytes'],
    );
  });
});
