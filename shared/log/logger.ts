import { writeSync } from 'node:fs';
import type { Logger, LogLevel } from './types.ts';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Fields on every line (bot, runId, traceId...). */
  fields?: Record<string, unknown>;
  /** Where lines go; default process.stdout. One call per line, newline included. */
  write?: (line: string) => void;
  now?: () => Date;
}

/** Errors do not survive JSON.stringify; render them as plain objects. */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out['code'] = code;
    if (value.stack !== undefined) out['stack'] = value.stack;
    return out;
  }
  return value;
}

/** Plain values only (the common case): then JSON.stringify needs no replacer, which is much faster. */
function isPlain(record: Record<string, unknown>): boolean {
  for (const key in record) {
    const value = record[key];
    if (typeof value === 'object' ? value !== null : typeof value === 'bigint') return false;
  }
  return true;
}

function safeStringify(record: Record<string, unknown>): string {
  try {
    if (isPlain(record)) return JSON.stringify(record);
    return JSON.stringify(record, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : plain(value),
    );
  } catch {
    // A circular field must not lose the line.
    return JSON.stringify({
      level: record['level'],
      time: record['time'],
      msg: record['msg'],
      logError: 'unserialisable fields',
    });
  }
}

function flushTo(fd: number, text: string): void {
  let buffer = Buffer.from(text, 'utf8');
  try {
    while (buffer.length > 0) buffer = buffer.subarray(writeSync(fd, buffer));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') process.stdout.write(buffer);
    // Any other error (stdout closed): a log line is not worth the process.
  }
}

// Lines of one event-loop turn go out in one write: under load that is one syscall for many runs'
// lines instead of one each. They are flushed before the process exits, however it exits.
let pending = '';
let scheduled = false;
let exitHook = false;

function flushPending(): void {
  scheduled = false;
  if (pending === '') return;
  const text = pending;
  pending = '';
  flushTo(1, text);
}

/**
 * Straight to fd 1: setting up process.stdout costs 1-2 ms of a cold start, and on Linux it writes
 * files and pipes synchronously anyway. A non-blocking descriptor that is full (EAGAIN) falls back
 * to the stream, which queues.
 */
function writeStdout(line: string): void {
  pending += line;
  if (pending.length > 65_536) {
    flushPending();
    return;
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushPending);
  }
  if (!exitHook) {
    exitHook = true;
    process.on('exit', flushPending);
  }
}

interface Sink {
  min: number;
  level: LogLevel;
  write: (line: string) => void;
  now: () => Date;
}

// A class, not closures: a child logger is made per run, so it must cost one small object.
class JsonLogger implements Logger {
  readonly #sink: Sink;
  readonly #bound: Record<string, unknown>;

  constructor(sink: Sink, bound: Record<string, unknown>) {
    this.#sink = sink;
    this.#bound = bound;
  }

  #emit(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (RANK[level] < this.#sink.min) return;
    const record = { level, time: this.#sink.now().toISOString(), msg, ...this.#bound, ...fields };
    this.#sink.write(`${safeStringify(record)}\n`);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.#emit('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.#emit('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.#emit('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.#emit('error', msg, fields);
  }
  child(fields: Record<string, unknown>): Logger {
    return new JsonLogger(this.#sink, { ...this.#bound, ...fields });
  }
}

/** One JSON object per line: level, time, msg, then the bound and per-call fields. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const sink: Sink = {
    min: RANK[level],
    level,
    write: options.write ?? writeStdout,
    now: options.now ?? (() => new Date()),
  };
  return new JsonLogger(sink, options.fields ?? {});
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
