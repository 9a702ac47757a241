import type { Logger, LogLevel } from '../../shared/log/index.ts';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function render(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * A Logger for people at a terminal: `HH:MM:SS level msg key=value`, to stderr so stdout stays
 * clean for `--json`. Bots' own JSON logs go to their log files, not here.
 */
export function consoleLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => void process.stderr.write(line),
  fields: Record<string, unknown> = {},
): Logger {
  const emit = (at: LogLevel, msg: string, extra?: Record<string, unknown>): void => {
    if (RANK[at] < RANK[level]) return;
    const all = { ...fields, ...extra };
    const pairs = Object.entries(all)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${render(value)}`)
      .join(' ');
    const time = new Date().toISOString().slice(11, 19);
    write(`${time} ${at.padEnd(5)} ${msg}${pairs ? ` ${pairs}` : ''}\n`);
  };
  return {
    debug: (msg, extra) => emit('debug', msg, extra),
    info: (msg, extra) => emit('info', msg, extra),
    warn: (msg, extra) => emit('warn', msg, extra),
    error: (msg, extra) => emit('error', msg, extra),
    child: (extra) => consoleLogger(level, write, { ...fields, ...extra }),
  };
}
