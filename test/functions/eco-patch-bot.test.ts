// eco-patch-bot against a real registry (Debian docker-registry, images pushed with skopeo): newer
// patch tags resolved to digests (Kyverno resolve-image-to-digest), applied only inside a maintenance
// window, a failed rollout (Progressing=False, ProgressDeadlineExceeded) rolled back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import bot, { PREVIOUS_ANNOTATION } from '../../functions/eco-patch-bot/handler.ts';
import { newestPatch, parseSemverTag, rolloutOf } from '../../functions/eco-patch-bot/patches.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { buildImageLayout, startRegistry, type BuiltImage, type TestRegistry } from '../helpers/registry.ts';

const NOW = new Date('2026-12-05T03:00:00Z'); // a Saturday, 03:00 UTC
let registry: TestRegistry;
let layout: string;
let images: Record<string, BuiltImage>;

beforeAll(async () => {
  layout = await mkdtemp(path.join(tmpdir(), 'eco-patch-bot-'));
  const tags = ['1.4.2', '1.4.3', '1.4.10', '1.4.11-rc.1', '1.5.0', '2.0.0'];
  images = await buildImageLayout(
    layout,
    tags.map((tag, i) => ({ tag, platforms: [{ layers: [1_000 + i * 17] }] })),
  );
  registry = await startRegistry();
  for (const tag of tags) await registry.push(layout, tag, 'shop/api');
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  await rm(layout, { recursive: true, force: true });
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function deployment(image: string, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', annotations, generation: 1 },
    spec: {
      replicas: 2,
      progressDeadlineSeconds: 120,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: {
          containers: [
            { name: 'api', image },
            { name: 'sidecar', image: 'docker.io/library/envoy:1.30.1' },
          ],
        },
      },
    },
    status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
  };
}
const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const policy = (p: object): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'eco-maintenance', namespace: 'eco-bots' },
  data: { policy: JSON.stringify(p) },
});

async function start(objects: KubeObject[], env: Record<string, string> = {}): Promise<BotHarness> {
  harness = await startBotHarness(bot, {
    objects: [ns('shop'), ns('eco-bots'), ...objects],
    now: () => NOW,
    env: { ECO_REGISTRY_URL: registry.url, ...env },
  });
  return harness;
}
const stored = (h: BotHarness): KubeObject =>
  h.emulator.store.get({ group: 'apps', plural: 'deployments' }, 'api', 'shop') as KubeObject;
const imageOf = (d: KubeObject): string | undefined =>
  (d['spec'] as { template: { spec: { containers: { image?: string }[] } } }).template.spec.containers[0]
    ?.image;

describe('eco-patch-bot units', () => {
  it.each([
    ['1.4.2', '1.4.10'], // numeric, not lexical: 10 > 3
    ['1.4.10', undefined],
    ['v1.4.2', undefined], // a v-prefixed tag only moves to v-prefixed tags
    ['latest', undefined],
  ])('newest patch of %s (same major.minor, no pre-releases)', (current, expected) => {
    expect(newestPatch(current, ['1.4.2', '1.4.3', '1.4.10', '1.4.11-rc.1', '1.5.0', '2.0.0'])).toBe(
      expected,
    );
  });
  it('parses semver tags only', () => {
    expect(parseSemverTag('v2.3.4')).toEqual({ prefix: 'v', major: 2, minor: 3, patch: 4 });
    expect(parseSemverTag('2.3')).toBeUndefined();
  });
  it.each([
    [
      { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] },
      'failed',
    ],
    [{ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 'complete'],
    [{ observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2 }, 'progressing'],
  ])('rollout status as kubectl rollout status judges it: %j', (status, expected) => {
    expect(rolloutOf({ metadata: { name: 'd', generation: 2 }, spec: { replicas: 2 }, status })).toBe(
      expected,
    );
  });
});

describe('eco-patch-bot against docker-registry (RBAC enforced)', () => {
  it('finds the newest patch tag, resolves it to its digest, and plans it in dry-run', async () => {
    const h = await start([deployment(`${registry.host}/shop/api:1.4.2`)]);
    const report = await h.run({});
    expect(report.errors).toEqual([]);
    const f = report.findings.find((x) => x.check === 'patch.available');
    expect(f?.evidence?.['updates']).toEqual([
      {
        container: 'api',
        current: `${registry.host}/shop/api:1.4.2`,
        tag: '1.4.10',
        digest: images['1.4.10']?.digest,
      },
    ]);
    expect(report.actions).toEqual([expect.objectContaining({ verb: 'patch', status: 'planned' })]);
    expect(imageOf(stored(h))).toBe(`${registry.host}/shop/api:1.4.2`);
  });

  it('outside a maintenance window plans only: the image patch is skipped by the rails', async () => {
    const h = await start(
      [
        deployment(`${registry.host}/shop/api:1.4.2`),
        policy({ windows: [{ days: 'Mon-Fri', start: '22:00', end: '23:00' }] }),
      ],
      { ECO_MODE: 'apply' },
    );
    const report = await h.run({});
    expect(report.actions[0]).toMatchObject({ verb: 'patch', status: 'skipped' });
    expect(report.actions[0]?.reason).toMatch(/^outside-maintenance-window/);
    expect(imageOf(stored(h))).toBe(`${registry.host}/shop/api:1.4.2`);
  });

  it('inside a window applies the digest, then rolls back when the rollout exceeds its progress deadline', async () => {
    const h = await start(
      [
        deployment(`${registry.host}/shop/api:1.4.2`),
        policy({ windows: [{ days: 'Sat,Sun', start: '02:00', end: '05:00' }] }),
      ],
      { ECO_MODE: 'apply' },
    );
    const first = await h.run({});
    expect(first.actions[0]).toMatchObject({ verb: 'patch', status: 'applied' });
    const patched = stored(h);
    expect(imageOf(patched)).toBe(`${registry.host}/shop/api:1.4.10@${images['1.4.10']?.digest ?? ''}`);
    expect(JSON.parse(patched.metadata.annotations?.[PREVIOUS_ANNOTATION] ?? '{}')).toEqual({
      api: `${registry.host}/shop/api:1.4.2`,
    });
    // The sidecar from another registry is left as it was.
    expect(
      (patched['spec'] as { template: { spec: { containers: { image: string }[] } } }).template.spec
        .containers[1]?.image,
    ).toBe('docker.io/library/envoy:1.30.1');

    // The deployment controller gives up: Progressing=False, ProgressDeadlineExceeded.
    h.emulator.store.put({
      ...patched,
      status: {
        observedGeneration: patched.metadata.generation,
        replicas: 3,
        updatedReplicas: 1,
        availableReplicas: 2,
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: 'ReplicaSet "api-7c9" has timed out progressing.',
          },
        ],
      },
    });
    const second = await h.run({});
    expect(second.findings.find((f) => f.check === 'patch.rollout-failed')).toMatchObject({
      severity: 'warning',
      evidence: { rollback: 'applied' },
    });
    const back = stored(h);
    expect(imageOf(back)).toBe(`${registry.host}/shop/api:1.4.2`);
    expect(back.metadata.annotations?.[PREVIOUS_ANNOTATION]).toBeUndefined();
  });

  it('forgets a patch whose rollout completed, without rolling back', async () => {
    const patched = deployment(`${registry.host}/shop/api:1.4.10@${images['1.4.10']?.digest ?? ''}`, {
      [PREVIOUS_ANNOTATION]: JSON.stringify({ api: `${registry.host}/shop/api:1.4.2` }),
    });
    const h = await start([patched], { ECO_MODE: 'apply' });
    const report = await h.run({});
    expect(report.findings.map((f) => f.check)).not.toContain('patch.rollout-failed');
    expect(imageOf(stored(h))).toContain('1.4.10@sha256:');
    expect(stored(h).metadata.annotations?.[PREVIOUS_ANNOTATION]).toBeUndefined();
  });

  it('without a registry returns the unconfigured finding; with one that is down, an error naming it', async () => {
    harness = await startBotHarness(bot, {
      objects: [ns('shop'), deployment('127.0.0.1:1/shop/api:1.4.2')],
      now: () => NOW,
    });
    const unset = await harness.run({});
    expect(unset.findings).toEqual([
      expect.objectContaining({ check: 'eco-patch-bot.unconfigured', severity: 'info' }),
    ]);
    await harness.close();
    harness = await startBotHarness(bot, {
      objects: [ns('shop'), deployment('127.0.0.1:1/shop/api:1.4.2')],
      now: () => NOW,
      env: { ECO_REGISTRY_URL: 'http://127.0.0.1:1' },
    });
    const down = await harness.run({});
    expect(down.errors[0]?.code).toMatch(/^registry-/);
  });
});
