// The "Done means" for eco-alert-bot, against the real bundle: built the way scripts/build.ts
// builds it (one minified ESM file), copied alone into an empty directory, run with plain `node`.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBotBundle } from '../../scripts/build.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from './eco-alert-bot.helpers.ts';

let dir: string;
let child: ChildProcess;
let base: string;
let exit: Promise<number | null>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eco-alert-bundle-'));
  // Built exactly as `npm run build` builds it.
  await buildBotBundle('eco-alert-bot', join(dir, 'index.cjs'));
  // Only the bundle in an empty directory: nothing to resolve beside it.
  child = spawn(process.execPath, [join(dir, 'index.cjs')], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exit = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  base = await new Promise<string>((resolvePort, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`bundle did not start: ${buffered}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        if (!line.includes('"listening"')) continue;
        const { port } = JSON.parse(line) as { port: number };
        clearTimeout(timer);
        resolvePort(`http://127.0.0.1:${port}`);
      }
    });
    child.once('exit', (code) => reject(new Error(`bundle exited with ${code}: ${buffered}`)));
  });
}, 60_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(base, { method: 'POST', headers, body });

describe('the eco-alert-bot bundle', () => {
  it('answers an Alertmanager payload with a JSON report', async () => {
    const response = await post(JSON.stringify(loadFixture('am-0.27-seed-alerts.json')), {
      'content-type': 'application/json',
      'user-agent': 'Alertmanager/0.27.0',
    });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { bot: string; trigger: string; summary: string };
    expect(report).toMatchObject({ bot: 'eco-alert-bot', trigger: 'alertmanager' });
    expect(report.summary).toMatch(/^6 alerts received .*5 routed, 1 unrouted/);
  });

  it('answers a malformed payload with a 400 JSON error', async () => {
    const response = await post(JSON.stringify({ version: '4', alerts: [{ status: 'firing', labels: {} }] }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/startsAt/);
  });

  it('answers a 2 MiB body with 413', async () => {
    const response = await post('a'.repeat(2 * 1024 * 1024));
    expect(response.status).toBe(413);
  });

  it('answers an empty cron-connector POST and a binary CloudEvent with 200', async () => {
    const cron = await post('', { 'x-connector': 'cron-connector', 'x-topic': 'cron-function' });
    expect(cron.status).toBe(200);
    const ce = await post(JSON.stringify(loadFixture('am-resolved-no-fingerprint.json')), {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'done-check-1',
      'ce-source': '/done-check',
      'ce-type': 'org.example.alertmanager.notification',
    });
    expect(ce.status).toBe(200);
    expect(((await ce.json()) as { trigger: string }).trigger).toBe('cloudevent');
  });

  it("shows the seed's metric names at /metrics", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'bot_cpu_usage_percent',
      'bot_memory_usage_bytes',
      'bot_errors_total',
      'eco_bot_invocations_total',
    ]) {
      expect(text).toMatch(new RegExp(`^${name}\\{`, 'm'));
    }
  });

  it.each([
    ['ECO_ALERT_ROUTES', '/missing.yml', /ECO_ALERT_ROUTES: file "\/missing.yml" does not exist/],
    ['ECO_MAX_ACTIONS', '-3', /ECO_MAX_ACTIONS: "-3" is not a whole number >= 0/],
    ['ECO_MODE', 'banana', /ECO_MODE: "banana" is not one of dry-run, apply/],
    ['ECO_ALERT_CONCURRENCY', '0', /ECO_ALERT_CONCURRENCY: "0" is out of range; allowed: integer 1\.\.256/],
  ])('refuses to start with %s=%s: one line on stderr, exit 78', async (name, value, message) => {
    const bad = spawn(process.execPath, [join(dir, 'index.cjs')], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', PORT: '0', [name]: value },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    bad.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolveExit) => bad.once('exit', resolveExit));
    expect(code).toBe(78);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 0 on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
