// Shared plumbing of the end-to-end tests: child processes that are always killed, bounded waits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../local/gateway/free-port.ts';

export interface Spawned {
  proc: ChildProcess;
  /** stdout and stderr interleaved. */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();

/** Starts a program; its output is kept for failure messages. Every process is killed by killAll(). */
export function start(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Spawned {
  const proc = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  let out = '';
  let stdout = '';
  let stderr = '';
  const keep = (chunk: Buffer): void => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    keep(chunk);
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    keep(chunk);
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.once('error', (error) => {
      out += `\nspawn error: ${error.message}`;
      live.delete(proc);
      resolve(-1);
    });
    proc.once('exit', (code) => {
      live.delete(proc);
      resolve(code);
    });
  });
  return { proc, output: () => out, stdout: () => stdout, stderr: () => stderr, exited };
}

/** SIGTERM, then SIGKILL after 5 s, for every process still alive. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...live].map(
      (proc) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          const force = setTimeout(() => proc.kill('SIGKILL'), 5_000);
          proc.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          proc.kill('SIGTERM');
        }),
    ),
  );
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  detail: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}\n${detail()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const dirs: string[] = [];

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `eco-e2e-${prefix}-`));
  dirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** GET returning parsed JSON, or undefined on a connection error or non-2xx (for polling). */
export async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return undefined;
    return (await res.json()) as T;
  } catch {
    return undefined;
  }
}

export { freePort };
