import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll, writeCodeCache } from '../../scripts/build.ts';
import { alertPayload, post, startBundle } from './helpers.ts';

// The "done" check, on the real bundle: built, copied alone into an empty directory, run with node.
describe('the eco-alert-bot bundle, alone in a directory', () => {
  let out: string;
  let dir: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'eco-build-'));
    dir = await mkdtemp(join(tmpdir(), 'eco-run-'));
    await buildAll({ only: ['eco-alert-bot'], outDir: out });
    await copyFile(join(out, 'functions', 'eco-alert-bot', 'index.cjs'), join(dir, 'index.cjs'));
  }, 120_000);
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('is a minified CommonJS file with a source map beside it and its size in build-meta.json', async () => {
    const bundle = join(out, 'functions', 'eco-alert-bot', 'index.cjs');
    const text = await readFile(bundle, 'utf8');
    // No ESM syntax left: node:vm compiles it as a script for the code cache (start.cjs).
    expect(text).not.toMatch(/^import |\bimport\.meta\b/m);
    expect(text).toContain('//# sourceMappingURL=index.cjs.map');
    expect((await stat(`${bundle}.map`)).size).toBeGreaterThan(0);
    const meta = JSON.parse(await readFile(join(out, 'build-meta.json'), 'utf8')) as {
      functions: Record<string, number>;
    };
    expect(meta.functions['eco-alert-bot']).toBe((await stat(bundle)).size);
  });

  it('answers webhook, errors, cron, CloudEvent and metrics, and exits 0 on SIGTERM', async () => {
    const bundle = await startBundle('index.cjs', { cwd: dir });
    try {
      const url = bundle.url;
      const ok = await post(url, JSON.stringify(alertPayload()), { 'content-type': 'application/json' });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ bot: 'eco-alert-bot', trigger: 'alertmanager' });
      const malformed = await post(url, JSON.stringify(alertPayload({ alerts: [{ labels: {} }] })), {
        'content-type': 'application/json',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.json).toMatchObject({
        error: { code: expect.any(String), message: expect.any(String) },
      });
      expect(
        (await post(url, 'x'.repeat(2 * 1024 * 1024), { 'content-type': 'application/json' })).status,
      ).toBe(413);
      expect(
        (await post(url, undefined, { 'x-connector': 'cron-connector', 'x-topic': 'cron-function' })).status,
      ).toBe(200);
      const ce = await post(url, JSON.stringify({}), {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'b1',
        'ce-source': '/test',
        'ce-type': 'org.example.test.v1',
      });
      expect(ce.status).toBe(200);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      for (const name of ['bot_cpu_usage_percent', 'bot_memory_usage_bytes', 'bot_errors_total'])
        expect(metrics).toContain(name);
      expect(await bundle.stop()).toBe(0);
    } finally {
      bundle.kill();
    }
  });
});

// start.cjs, the image's entry point: the bundle with a V8 code cache written for this Node.
describe('start.cjs and the code cache', () => {
  let out: string;
  let dir: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'eco-build-'));
    dir = await mkdtemp(join(tmpdir(), 'eco-run-'));
    await buildAll({ only: ['eco-alert-bot'], outDir: out });
    for (const file of ['index.cjs', 'start.cjs'])
      await copyFile(join(out, 'functions', 'eco-alert-bot', file), join(dir, file));
  }, 120_000);
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts start.cjs, answers one webhook, stops it; returns its stderr. */
  async function runOnce(env: Record<string, string> = {}): Promise<string> {
    const bundle = await startBundle('start.cjs', { cwd: dir, env });
    try {
      const ok = await post(bundle.url, JSON.stringify(alertPayload()), {
        'content-type': 'application/json',
      });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ bot: 'eco-alert-bot', trigger: 'alertmanager' });
      expect(await bundle.stop()).toBe(0);
      return bundle.stderr();
    } finally {
      bundle.kill();
    }
  }

  it('runs the bundle without a cache, then writes one that V8 accepts on the next start', async () => {
    expect(await runOnce()).not.toContain('code cache');
    const bytes = await writeCodeCache(join(dir, 'index.cjs'));
    expect(bytes).toBeGreaterThan(100_000);
    expect((await stat(join(dir, 'index.cjs.cache'))).size).toBe(bytes);
    expect(await runOnce()).not.toContain('code cache');
  }, 60_000);

  it('starts without the cache, with one warning, when the flags, Node or file do not match it', async () => {
    await writeCodeCache(join(dir, 'index.cjs'));
    expect(await runOnce({ NODE_OPTIONS: '--max-semi-space-size=2' })).toContain(
      'was written by another Node version or with other V8 flags',
    );
    // The flags the cache was written with are the flags it is accepted with.
    await writeCodeCache(join(dir, 'index.cjs'), '--max-semi-space-size=2');
    expect(await runOnce({ NODE_OPTIONS: '--max-semi-space-size=2' })).not.toContain('code cache');
    await writeFile(join(dir, 'index.cjs.cache'), Buffer.alloc(4096, 7));
    expect(await runOnce()).toContain('was written by another Node version');
  }, 60_000);
});
