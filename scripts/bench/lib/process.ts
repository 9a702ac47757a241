import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { freePort } from '../../../local/gateway/free-port.ts';

export interface Probe {
  /** POST (the default) sends `body`; GET sends nothing. */
  method?: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One request; resolves with the status, or 0 when the connection failed (not listening yet). */
export function probeOnce(port: number, probe: Probe): Promise<number> {
  const method = probe.method ?? 'POST';
  const body = method === 'GET' ? '' : probe.body;
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: probe.path,
        method,
        headers:
          method === 'GET' ? probe.headers : { ...probe.headers, 'content-length': Buffer.byteLength(body) },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export interface Spawned {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** `node file` on a free port; `cgroupProcs`: joined to that cgroup before node starts. */
export async function spawnNode(
  file: string,
  env: Record<string, string>,
  cwd?: string,
  cgroupProcs?: string,
): Promise<Spawned> {
  const port = await freePort();
  const options = {
    env: { PATH: process.env['PATH'] ?? '', ...env, PORT: String(port) },
    stdio: 'ignore' as const,
    ...(cwd === undefined ? {} : { cwd }),
  };
  // The shell joins the cgroup, then becomes node (exec), so the pid measured is node's.
  const child =
    cgroupProcs === undefined
      ? spawn(process.execPath, [file], options)
      : spawn(
          '/bin/sh',
          ['-c', 'echo $$ > "$1" && exec "$2" "$3"', 'sh', cgroupProcs, process.execPath, file],
          options,
        );
  return {
    child,
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/**
 * Cold start: from spawn to the first answer to `probe` (any HTTP status), polling every
 * millisecond or so. The same loop measures the bot and the bare baseline, so the polling cost
 * cancels out.
 */
export async function firstAnswer(
  file: string,
  env: Record<string, string>,
  probe: Probe,
  cwd?: string,
): Promise<{ ms: number; status: number }> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [file], {
    env: { PATH: process.env['PATH'] ?? '', ...env, PORT: String(port) },
    stdio: 'ignore',
    ...(cwd === undefined ? {} : { cwd }),
  });
  try {
    for (;;) {
      const status = await probeOnce(port, probe);
      if (status !== 0) return { ms: Number(process.hrtime.bigint() - started) / 1e6, status };
      if (child.exitCode !== null) throw new Error(`${file} exited with ${child.exitCode} before answering`);
      if (Number(process.hrtime.bigint() - started) > 30e9)
        throw new Error(`${file} did not answer within 30 s`);
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) =>
      child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r),
    );
  }
}

/** Spawn -> the first answer to `probe`, which must be a 200. */
export async function coldStartMs(
  file: string,
  env: Record<string, string>,
  probe: Probe,
  cwd?: string,
): Promise<number> {
  const { ms, status } = await firstAnswer(file, env, probe, cwd);
  if (status !== 200) throw new Error(`${file} answered ${status}, not 200`);
  return ms;
}

/** Peak resident set (VmHWM) of a live process, in bytes (Linux); `current` for VmRSS. */
export function peakRssBytes(
  pid: number | undefined,
  field: 'VmHWM' | 'VmRSS' = 'VmHWM',
): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export { freePort };
