import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A memory cgroup with the given limit, as a container runtime makes for a pod's limit: Node sizes
 * V8's heap from it (uv_get_constrained_memory), so a bot measured inside one uses memory as it does
 * in its pod. Needs root and a writable cgroup hierarchy (v2 unified or v1 `memory`); undefined
 * where there is none (the caller says so in its row).
 */
export interface MemoryCgroup {
  /** The file a process writes its pid to, to join. */
  procs: string;
  describe: string;
  remove(): void;
}

export function memoryCgroup(limitBytes: number): MemoryCgroup | undefined {
  const name = `eco-bench-${process.pid}`;
  const candidates = [
    { root: '/sys/fs/cgroup', limit: 'memory.max', marker: 'cgroup.controllers', version: 'v2' },
    {
      root: '/sys/fs/cgroup/memory',
      limit: 'memory.limit_in_bytes',
      marker: 'memory.limit_in_bytes',
      version: 'v1',
    },
  ];
  for (const c of candidates) {
    if (!existsSync(join(c.root, c.marker))) continue;
    const dir = join(c.root, name);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, c.limit), String(limitBytes));
      return {
        procs: join(dir, 'cgroup.procs'),
        describe: `cgroup ${c.version} memory limit ${Math.round(limitBytes / 1024 / 1024)} MiB`,
        remove: () => {
          try {
            rmdirSync(dir);
          } catch {
            // still has a process in it, or gone: the kernel removes it once empty and unreferenced
          }
        },
      };
    } catch {
      continue;
    }
  }
  return undefined;
}
