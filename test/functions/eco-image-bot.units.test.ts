// eco-image-bot's checks, one table row per anchor rule (Popeye 100/101/113, Kyverno
// disallow-latest-tag / restrict-image-registries / resolve-image-to-digest / block-large-images).
import { describe, expect, it } from 'vitest';
import { createRegistryAllowList, type ImageConfig } from '../../shared/index.ts';
import {
  baseCheck,
  classifyBase,
  nodeImageSizes,
  nodeSizeOf,
  policyChecks,
  sizeCheck,
  type ImageUse,
} from '../../functions/eco-image-bot/checks.ts';

const D = `sha256:${'c'.repeat(64)}`;
const object = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'apps', name: 'web' };
const use = (image: string, imageID?: string): ImageUse => ({ object, container: 'app', image, imageID });
const noList = { allowed: undefined, allowedPatterns: [] };
const withList = {
  allowed: createRegistryAllowList(['registry.example.com', '*.corp.example']),
  allowedPatterns: ['registry.example.com', '*.corp.example'],
};

describe('policyChecks', () => {
  it.each([
    ['Popeye 100 untagged', 'nginx', noList, ['image.not-pinned', 'image.untagged']],
    ['Popeye 101 latest', 'nginx:latest', noList, ['image.latest-tag', 'image.not-pinned']],
    [
      'Kyverno resolve-image-to-digest: a tag without digest',
      'registry.example.com/web:1.2',
      noList,
      ['image.not-pinned'],
    ],
    ['look-alike: latest pinned by digest is fine', `registry.example.com/web:latest@${D}`, noList, []],
    ['look-alike: digest only is pinned', `registry.example.com/web@${D}`, noList, []],
    ['FAGAM: Artifact Registry', `europe-docker.pkg.dev/p/r/web:1@${D}`, noList, ['image.cloud-registry']],
    [
      'FAGAM: ECR',
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1@${D}`,
      noList,
      ['image.cloud-registry'],
    ],
    ['FAGAM: MCR', `mcr.microsoft.com/dotnet/runtime:8.0@${D}`, noList, ['image.cloud-registry']],
    ['Popeye 113 registry not allowed', `ghcr.io/org/web:1@${D}`, withList, ['image.registry-not-allowed']],
    ['allowed by wildcard', `r1.corp.example/web:1@${D}`, withList, []],
    ['Docker Hub not on the list', `nginx:1.27@${D}`, withList, ['image.registry-not-allowed']],
    ['invalid reference', 'Nginx:1', noList, ['image.invalid-reference']],
  ])('%s: %s', (_name, image, config, expected) => {
    expect(
      policyChecks(use(image), config)
        .map((d) => d.check)
        .sort(),
    ).toEqual(expected);
  });

  it('suggests the running digest when the pod has one', () => {
    const [draft] = policyChecks(
      use('registry.example.com/web:1.2', `registry.example.com/web@${D}`),
      noList,
    );
    expect(draft?.fix).toBe(`pin the digest now running: registry.example.com/web:1.2@${D}`);
  });
});

describe('sizeCheck (seed target 50 MB)', () => {
  it.each([
    [50_000_000, []],
    [50_000_001, ['image.too-large']],
  ])('%d bytes', (bytes, expected) => {
    expect(sizeCheck(use('a:1'), { bytes, source: 'registry' }, 50_000_000).map((d) => d.check)).toEqual(
      expected,
    );
  });
  it('says the size and where it came from', () => {
    const [draft] = sizeCheck(use('a:1'), { bytes: 123_400_000, source: 'node' }, 50_000_000);
    expect(draft?.message).toBe('container app image a:1 is 123.4 MB, over the 50.0 MB target');
    expect(draft?.evidence?.source).toBe('node status.images sizeBytes');
  });
});

describe('classifyBase', () => {
  const config = (labels: Record<string, string>, history: string[] = []): ImageConfig => ({
    labels,
    history: history.map((created_by) => ({ created_by })),
  });
  it.each([
    [config({ 'org.opencontainers.image.base.name': 'cgr.dev/chainguard/wolfi-base:latest' }), 'wolfi'],
    [config({}, ['apko build']), 'wolfi'],
    [config({ 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.20' }), 'other'],
    [
      config({}, [
        '/bin/sh -c #(nop) ADD file:abc in / ',
        '/bin/sh -c apt-get update && apt-get install -y curl # debian',
      ]),
      'other',
    ],
    [config({}, ['COPY app /app']), 'unknown'],
  ])('%j → %s', (input, kind) => {
    expect(classifyBase(input).kind).toBe(kind);
  });
  it('only a known other base is a finding (unknown is not)', () => {
    expect(baseCheck(use('a:1'), config({}, ['COPY app /app']))).toEqual([]);
    expect(
      baseCheck(use('a:1'), config({ 'org.opencontainers.image.base.name': 'ubuntu:24.04' }))[0]?.check,
    ).toBe('image.non-wolfi-base');
  });
});

describe('node image sizes', () => {
  const sizes = nodeImageSizes([
    {
      status: {
        images: [
          { names: [`docker.io/library/nginx@${D}`, 'docker.io/library/nginx:1.27'], sizeBytes: 70_000_000 },
        ],
      },
    },
    {
      status: {
        images: [{ names: ['registry.example.com/web:1.2'], sizeBytes: 20_000_000 }, { sizeBytes: 5 }],
      },
    },
    {},
  ]);
  it.each([
    [use('nginx:1.27'), 70_000_000],
    [use('docker.io/library/nginx:1.27'), 70_000_000],
    [use('nginx:1.26', `docker.io/library/nginx@${D}`), 70_000_000],
    [use('registry.example.com/web:1.2'), 20_000_000],
    [use('registry.example.com/web:1.3'), undefined],
  ])('%j', (input, expected) => {
    expect(nodeSizeOf(input, sizes)).toBe(expected);
  });
});
