import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../scripts/build.ts';
import { alertPayload, post } from './helpers.ts';

// The "done" check, on the real bundle: built, copied alone into an empty directory, run with node.
describe('the eco-alert-bot bundle, alone in a directory', () => {
  let out: string;
  let dir: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'eco-build-'));
    dir = await mkdtemp(join(tmpdir(), 'eco-run-'));
    await buildAll({ only: ['eco-alert-bot'], outDir: out });
    await copyFile(join(out, 'functions', 'eco-alert-bot', 'index.mjs'), join(dir, 'index.mjs'));
  }, 120_000);
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('is a minified ESM file with a source map beside it and its size in build-meta.json', async () => {
    const bundle = join(out, 'functions', 'eco-alert-bot', 'index.mjs');
    const text = await readFile(bundle, 'utf8');
    expect(text.startsWith('import { createRequire')).toBe(true);
    expect(text).toContain('//# sourceMappingURL=index.mjs.map');
    expect((await stat(`${bundle}.map`)).size).toBeGreaterThan(0);
    const meta = JSON.parse(await readFile(join(out, 'build-meta.json'), 'utf8')) as {
      functions: Record<string, number>;
    };
    expect(meta.functions['eco-alert-bot']).toBe((await stat(bundle)).size);
  });

  it('answers webhook, errors, cron, CloudEvent and metrics, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['index.mjs'], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    try {
      await expect
        .poll(() => stdout.includes('"msg":"listening"'), { timeout: 20_000, interval: 50 })
        .toBe(true);
      const port = (
        JSON.parse(stdout.split('\n').find((l) => l.includes('"msg":"listening"')) ?? '{}') as {
          port: number;
        }
      ).port;
      const url = `http://127.0.0.1:${port}`;
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
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
