// eco-image-bot through the kit with its own RBAC token: the demo cluster's planted image problems
// (node sizes), and a run against a real registry (docker-registry) named by ECO_REGISTRY_URL.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-image-bot/handler.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { buildImageLayout, startRegistry, type TestRegistry } from '../helpers/registry.ts';

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('eco-image-bot on the demo cluster', () => {
  it('finds the planted image problems and says the registry is not configured', async () => {
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
    expect(found).toContain('eco-image-bot.unconfigured Setting//ECO_REGISTRY_URL');
  });

  it('a bad option is a 400 naming the field', async () => {
    harness = await startBotHarness(bot, { objects: [] });
    await expect(harness.run({ maxMb: -1 })).rejects.toThrow(/maxMb/);
    await expect(harness.run({ bogus: 1 })).rejects.toThrow(/bogus/);
  });
});

describe('eco-image-bot with a real registry', () => {
  let registry: TestRegistry;
  let layout: string;

  beforeAll(async () => {
    layout = await mkdtemp(path.join(tmpdir(), 'eco-image-bot-run-'));
    await buildImageLayout(layout, [
      {
        tag: 'big',
        platforms: [
          { layers: [40_000, 30_000], history: ['/bin/sh -c #(nop) ADD file:1 in / # alpine-minirootfs'] },
        ],
      },
      {
        tag: 'small',
        platforms: [
          { layers: [2_000], labels: { 'org.opencontainers.image.base.name': 'cgr.dev/chainguard/static' } },
        ],
      },
    ]);
    registry = await startRegistry({ auth: { kind: 'htpasswd', users: { reader: 'pw' } } });
    const creds = { username: 'reader', password: 'pw' };
    await registry.push(layout, 'big', 'shop/api', '1.0.0', { creds });
    await registry.push(layout, 'small', 'shop/web', '1.0.0', { creds });
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(layout, { recursive: true, force: true });
  });

  const objects = (host: string): KubeObject[] =>
    ['api', 'web'].flatMap((app) => [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${app}-0`, namespace: 'shop', uid: `p-${app}` },
        spec: { nodeName: 'n1', containers: [{ name: 'app', image: `${host}/shop/${app}:1.0.0` }] },
        status: { phase: 'Running' },
      },
    ]);

  it('sizes from the manifests and the base from the config, with credentials from a file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eco-image-bot-creds-'));
    const file = path.join(dir, 'creds');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'reader:pw\n'));
    harness = await startBotHarness(bot, {
      objects: objects(registry.host),
      env: { ECO_REGISTRY_URL: registry.url, ECO_REGISTRY_CREDENTIALS_FILE: file },
    });
    // 50 kB instead of 50 MB: the test images are small.
    const report = await harness.run({ maxMb: 0.05 });
    await rm(dir, { recursive: true, force: true });
    expect(report.errors).toEqual([]);
    const checks = report.findings
      .filter((f) => f.check !== 'image.not-pinned')
      .map((f) => `${f.check} ${f.object.name}`);
    expect(checks.sort()).toEqual(['image.non-wolfi-base api-0', 'image.too-large api-0']);
    const large = report.findings.find((f) => f.check === 'image.too-large');
    expect(large?.evidence).toMatchObject({ source: 'registry manifest (compressed)' });
  });

  it('wrong credentials: a report error naming the registry and 401, status 200 with the rest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eco-image-bot-creds-'));
    const file = path.join(dir, 'creds');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'reader:wrong\n'));
    harness = await startBotHarness(bot, {
      objects: objects(registry.host),
      env: { ECO_REGISTRY_URL: registry.url, ECO_REGISTRY_CREDENTIALS_FILE: file },
    });
    const report = await harness.run({});
    await rm(dir, { recursive: true, force: true });
    expect(report.errors.length).toBeGreaterThan(0);
    expect(report.errors[0]).toMatchObject({
      code: 'registry-http-401',
      message: expect.stringContaining(`OCI registry ${registry.host}`),
    });
    expect(report.findings.some((f) => f.check === 'image.not-pinned')).toBe(true);
  });
});
