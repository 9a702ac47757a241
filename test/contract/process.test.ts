import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../shared/bot/types.ts';
import { post } from './helpers.ts';

const entry = fileURLToPath(new URL('./entry/serve-echo.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(env: Record<string, string>): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

async function listeningPort(stdout: () => string): Promise<number> {
  await expect.poll(() => /"msg":"listening"/.test(stdout()), { timeout: 20_000, interval: 50 }).toBe(true);
  const line =
    stdout()
      .split('\n')
      .find((l) => l.includes('"msg":"listening"')) ?? '{}';
  return (JSON.parse(line) as { port: number }).port;
}

describe('the process', () => {
  it('SIGTERM: in-flight work finishes with 200, then the process exits 0', async () => {
    const p = start({});
    const port = await listeningPort(p.stdout);
    const url = `http://127.0.0.1:${port}`;
    const slow = post(url, '{"sleepMs":1500}', { 'content-type': 'application/json' });
    await expect
      .poll(() =>
        fetch(`${url}/_/ready`)
          .then((r) => r.json() as Promise<{ inflight: number }>)
          .then((b) => b.inflight),
      )
      .toBe(1);
    const exited = once(p.child, 'exit');
    p.child.kill('SIGTERM');
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect((answer.json as Report).bot).toBe('eco-echo-bot');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(p.stdout()).toContain('"msg":"draining"');
  });

  it('a bad environment variable stops the process with one line naming it, exit 78', async () => {
    for (const [name, value] of [
      ['ECO_MAX_BODY_BYTES', 'lots'],
      ['PORT', '99999'],
      ['ECO_MODE', 'yolo'],
      ['K_SINK', 'not a url'],
      ['LOG_LEVEL', 'chatty'],
    ] as const) {
      const p = start({ [name]: value });
      const [code] = (await once(p.child, 'exit')) as [number | null];
      expect(code).toBe(78);
      const lines = p.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(name);
      expect(p.stderr()).not.toMatch(/\n\s+at /);
    }
  });
});
