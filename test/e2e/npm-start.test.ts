// `npm start` from the repository, as a newcomer runs it, and the packaged CLI (bin/eco-bots.mjs).
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../shared/bot/index.ts';
import { loadBots } from '../../local/gateway/index.ts';
import { freePort, getJson, killAll, start, until } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;

/** The user's environment minus anything that would point the fleet at a real cluster. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['KUBECONFIG'];
  delete env['PORT'];
  delete env['KUBERNETES_SERVICE_HOST'];
  return env;
}

afterAll(async () => {
  await killAll();
});

describe('npm start (tsx local/main.ts up)', () => {
  it('comes up on the demo cluster, answers /healthz, refuses a second instance on the port, stops on Ctrl+C', async () => {
    const port = await freePort();
    const up = start(TSX, ['local/main.ts', 'up', '--port', String(port)], { cwd: ROOT, env: cleanEnv() });
    const health = await until(
      '/healthz',
      () => getJson<{ status: string; cluster: string; mode: string }>(`http://127.0.0.1:${port}/healthz`),
      60_000,
      up.output,
    );
    expect(health).toMatchObject({ status: 'ok', cluster: 'emulator', mode: 'dry-run' });
    expect(up.output()).toContain(`Status page  http://127.0.0.1:${port}/`);
    expect(up.output()).toContain('embedded emulator with the demo cluster');

    const functions = await getJson<Array<{ name: string }>>(`http://127.0.0.1:${port}/system/functions`);
    expect(functions?.map((fn) => fn.name).sort()).toEqual((await loadBots()).map((bot) => bot.name).sort());

    const second = start(TSX, ['local/main.ts', 'up', '--port', String(port)], {
      cwd: ROOT,
      env: cleanEnv(),
    });
    expect(await second.exited).toBe(1);
    expect(second.output().trim()).toBe(
      `eco-bots: port ${port} on 127.0.0.1 is already in use; pick another with --port or PORT`,
    );

    up.proc.kill('SIGINT');
    const code = await Promise.race([
      up.exited,
      new Promise((resolve) => setTimeout(() => resolve('still running'), 20_000)),
    ]);
    expect(code, up.output()).toBe(0);
  }, 120_000);
});

describe('eco-bots invoke (bin/eco-bots.mjs)', () => {
  it('runs every bot once against the demo cluster and returns a report for each, with progress', async () => {
    const bots = await loadBots();
    const run = start(process.execPath, ['bin/eco-bots.mjs', 'invoke', '--all', '--json'], {
      cwd: ROOT,
      env: cleanEnv(),
    });
    const code = await Promise.race([
      run.exited,
      new Promise((resolve) => setTimeout(() => resolve('timeout'), 90_000)),
    ]);
    const output = run.output();
    expect(code, output).toBe(0);
    const reports = JSON.parse(run.stdout()) as Report[];
    expect(reports.map((report) => report.bot).sort()).toEqual(bots.map((bot) => bot.name).sort());
    for (const report of reports) expect(report.errors, report.bot).toEqual([]);
    // Progress goes to stderr (the JSON reports to stdout).
    expect(run.stderr()).toMatch(new RegExp(`\\[1/${bots.length}\\] eco-`));
  }, 120_000);
});
