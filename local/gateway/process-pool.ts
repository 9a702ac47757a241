import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { GatewayError } from './errors.ts';
import { freePort } from './free-port.ts';

/** How to start one bot's process; PORT is added by the pool. */
export interface ProcessSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface PoolOptions {
  spec(bot: string): ProcessSpec;
  /** Upper bound on live bot processes (memory on a small machine). */
  maxProcesses: number;
  /** A process with nothing in flight for this long is stopped (scale to zero). */
  idleTimeoutMs: number;
  /** Spawn to first healthy `/_/health`. */
  startTimeoutMs: number;
  /** How long an invocation may wait for a free process slot. */
  queueTimeoutMs: number;
  onLine?(bot: string, stream: 'stdout' | 'stderr', line: string): void;
  onStart?(bot: string): void;
  onExit?(bot: string, reason: ExitReason, code: number | null, signal: NodeJS.Signals | null): void;
}

/** Why a process ended: stopped by the pool (idle, eviction, close) or on its own / killed for a hang. */
export type ExitReason = 'idle' | 'evicted' | 'shutdown' | 'killed' | 'crashed';

export interface Lease {
  readonly port: number;
  readonly pid: number;
  release(): void;
  /** Kill the process behind this lease (it hung); in-flight calls on it fail. */
  kill(): void;
}

interface Child {
  bot: string;
  proc: ChildProcess;
  port: number;
  ready: Promise<void>;
  inflight: number;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
  stopping?: ExitReason;
  exited: boolean;
  tail: string[];
}

const TAIL_LINES = 40;

/**
 * One process per bot, spawned on demand, reused while warm, stopped when idle. The pool never lets
 * a child's failure escape: a crash or a failed start becomes a GatewayError for that call only.
 */
export class ProcessPool {
  readonly #children = new Map<string, Child>();
  readonly #waiters: Array<() => void> = [];
  #closed = false;

  constructor(private readonly options: PoolOptions) {}

  /** 1 when the bot has a live process, else 0 (the OpenFaaS `replicas` field). */
  replicas(bot: string): 0 | 1 {
    return this.#children.has(bot) ? 1 : 0;
  }

  ready(bot: string): boolean {
    const child = this.#children.get(bot);
    return child !== undefined && !child.exited && child.stopping === undefined;
  }

  /** The last lines the bot wrote, for error messages. */
  tail(bot: string): string[] {
    return [...(this.#children.get(bot)?.tail ?? this.#lastTails.get(bot) ?? [])];
  }

  readonly #lastTails = new Map<string, string[]>();
  readonly #starting = new Map<string, Promise<Child>>();
  /** Slots taken by starts between #makeRoom and the child entering #children. */
  #reserved = 0;

  get size(): number {
    return this.#children.size;
  }

  async acquire(bot: string): Promise<Lease> {
    if (this.#closed) throw new GatewayError(503, 'shutting-down', 'the gateway is shutting down');
    let child = this.#children.get(bot);
    if (child === undefined || child.stopping !== undefined) {
      // Concurrent first calls to one bot share one start (never two processes for one bot).
      let starting = this.#starting.get(bot);
      if (starting === undefined) {
        starting = this.#makeRoom().then(() => this.#spawn(bot));
        this.#starting.set(bot, starting);
        const done = (): void => {
          this.#starting.delete(bot);
        };
        starting.then(done, done);
      }
      child = await starting;
    }
    child.inflight += 1;
    child.lastUsed = Date.now();
    if (child.idleTimer) clearTimeout(child.idleTimer);
    try {
      await child.ready;
    } catch (error) {
      child.inflight -= 1;
      throw error;
    }
    const held = child;
    let released = false;
    return {
      port: held.port,
      pid: held.proc.pid ?? 0,
      release: () => {
        if (released) return;
        released = true;
        held.inflight -= 1;
        held.lastUsed = Date.now();
        if (held.inflight === 0 && !held.exited) this.#armIdle(held);
      },
      kill: () => this.#stop(held, 'killed'),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter();
    await Promise.all([...this.#children.values()].map((child) => this.#stop(child, 'shutdown')));
  }

  /** Waits until a slot is free, evicting the least recently used idle process when full. */
  async #makeRoom(): Promise<void> {
    const deadline = Date.now() + this.options.queueTimeoutMs;
    while (this.#children.size + this.#reserved >= this.options.maxProcesses) {
      const idle = [...this.#children.values()]
        .filter((child) => child.inflight === 0 && child.stopping === undefined)
        .sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (idle) {
        await this.#stop(idle, 'evicted');
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.#closed) {
        throw new GatewayError(
          503,
          'capacity',
          `all ${this.options.maxProcesses} bot process slots are busy (ECO_GATEWAY_MAX_PROCESSES); try again`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 250));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // Taken in the same synchronous step as the check above; released by #spawn.
    this.#reserved += 1;
  }

  async #spawn(bot: string): Promise<Child> {
    let port: number;
    try {
      port = await freePort();
    } finally {
      this.#reserved -= 1;
    }
    // close() may have run while the port was being found: a process started now would outlive the pool.
    if (this.#closed) throw new GatewayError(503, 'shutting-down', 'the gateway is shutting down');
    const spec = this.options.spec(bot);
    const proc = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...spec.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child: Child = {
      bot,
      proc,
      port,
      ready: Promise.resolve(),
      inflight: 0,
      lastUsed: Date.now(),
      exited: false,
      tail: [],
    };
    this.#children.set(bot, child);
    this.options.onStart?.(bot);
    for (const stream of ['stdout', 'stderr'] as const) {
      let partial = '';
      proc[stream]?.setEncoding('utf8');
      proc[stream]?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          child.tail.push(line);
          if (child.tail.length > TAIL_LINES) child.tail.shift();
          this.options.onLine?.(bot, stream, line);
        }
      });
    }
    const exited = new Promise<never>((_, reject) => {
      const fail = (message: string) =>
        reject(new GatewayError(502, 'bot-start-failed', `${bot}: ${message}${formatTail(child.tail)}`));
      proc.once('error', (error) => fail(`could not start: ${error.message}`));
      proc.once('exit', (code, signal) =>
        fail(`exited during start (code ${code ?? 'none'}, signal ${signal ?? 'none'})`),
      );
    });
    exited.catch(() => undefined);
    proc.once('exit', (code, signal) => {
      child.exited = true;
      if (child.idleTimer) clearTimeout(child.idleTimer);
      if (this.#children.get(bot) === child) this.#children.delete(bot);
      this.#lastTails.set(bot, child.tail);
      this.options.onExit?.(bot, child.stopping ?? 'crashed', code, signal);
      for (const waiter of this.#waiters.splice(0)) waiter();
    });
    child.ready = Promise.race([exited, waitHealthy(port, this.options.startTimeoutMs)]).catch(
      (error: unknown) => {
        this.#stop(child, 'killed');
        throw error instanceof GatewayError
          ? error
          : new GatewayError(
              504,
              'bot-start-timeout',
              `${bot}: not healthy after ${this.options.startTimeoutMs} ms${formatTail(child.tail)}`,
            );
      },
    );
    child.ready.catch(() => undefined);
    return child;
  }

  #armIdle(child: Child): void {
    if (child.idleTimer) clearTimeout(child.idleTimer);
    child.idleTimer = setTimeout(() => {
      if (child.inflight === 0) void this.#stop(child, 'idle');
    }, this.options.idleTimeoutMs);
    child.idleTimer.unref();
  }

  /** SIGTERM (the kit drains), SIGKILL after a grace period; resolves when the process is gone. */
  #stop(child: Child, reason: ExitReason): Promise<void> {
    if (child.exited) return Promise.resolve();
    child.stopping ??= reason;
    if (this.#children.get(child.bot) === child) this.#children.delete(child.bot);
    return new Promise((resolve) => {
      child.proc.once('exit', () => resolve());
      if (reason === 'killed') {
        child.proc.kill('SIGKILL');
        return;
      }
      child.proc.kill('SIGTERM');
      const force = setTimeout(() => child.proc.kill('SIGKILL'), 5_000);
      force.unref();
      child.proc.once('exit', () => clearTimeout(force));
    });
  }
}

function formatTail(tail: string[]): string {
  const last = tail.filter((line) => line.trim() !== '').slice(-5);
  return last.length > 0 ? `\n  last output:\n    ${last.join('\n    ')}` : '';
}

/** Polls the OpenFaaS health endpoint the kit serves until it answers 200. */
async function waitHealthy(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error('start timeout');
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/_/health', method: 'GET', timeout: 1_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
