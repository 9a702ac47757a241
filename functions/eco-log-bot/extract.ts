// Error extraction from a container log: JSON lines by their level field, text lines by the
// patterns runtimes print (ERROR/FATAL/CRITICAL levels, Go `panic:`, Python `Traceback`, Java and
// JavaScript exceptions), with the lines that continue an error (a stack trace, `Caused by:`,
// a Python traceback up to its exception line, a Go goroutine dump) kept in one entry.

export interface LogEntry {
  /** The error line and its continuation lines, joined by `\n`. */
  text: string;
  /** 1-based line number of the first line in the log read. */
  line: number;
  /** The level the line declared (JSON `level`, or the text level word), lower-case. */
  level: string;
  /** RFC 3339 time at the start of the line or in a JSON `time`/`ts`/`timestamp`, when present. */
  time?: string;
}

export interface Extracted {
  entries: LogEntry[];
  /** Lines read (after tailLines/limitBytes on the server). */
  lines: number;
  /** Error entries beyond `maxEntries`, counted but not kept. */
  dropped: number;
}

const ERROR_LEVELS = new Set([
  'error',
  'err',
  'fatal',
  'panic',
  'critical',
  'crit',
  'alert',
  'emerg',
  'emergency',
  'severe',
  'dpanic',
]);
const LEVEL_KEYS = ['level', 'lvl', 'severity', 'log.level', 'levelname', 'loglevel'];
const TIME_KEYS = ['time', 'ts', 'timestamp', '@timestamp', 't'];
const RFC3339 = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s/;

/** Text patterns of an error line, with the level they stand for. */
const TEXT_PATTERNS: readonly [RegExp, string][] = [
  [/\b(?:FATAL|Fatal)\b/, 'fatal'],
  [/^panic: |\bpanic\(|\bPANIC\b/, 'panic'],
  [/\b(?:CRITICAL|CRIT)\b/, 'critical'],
  [/^Traceback \(most recent call last\):/, 'error'],
  [/\b(?:ERROR|ERR|Error|E\d{4} )\b|\[error\]|level=error\b|level=fatal\b/, 'error'],
  [/\b[A-Z][\w.$]*(?:Exception|Error)(?::|$|\s)/, 'error'],
];

/** Lines that continue the error above them. */
function isContinuation(line: string, inTraceback: boolean): boolean {
  if (line.trim() === '') return false;
  if (inTraceback) return true;
  return (
    /^\s+/.test(line) || // indented: `    at f (file:1:2)`, `  File "x.py", line 3`, Go's `\tmain.go:12`
    /^(?:Caused by|Suppressed): /.test(line) ||
    /^\.\.\. \d+ (?:more|common frames omitted)/.test(line) ||
    /^goroutine \d+ \[/.test(line) ||
    /^(?:[\w./-]+)\(.*\)$/.test(line) // a Go frame's function line: `main.main()`
  );
}

function jsonLevel(record: Record<string, unknown>): { level?: string; time?: string; message?: string } {
  const get = (key: string): unknown =>
    key.includes('.')
      ? key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], record)
      : record[key];
  let level: string | undefined;
  for (const key of LEVEL_KEYS) {
    const v = get(key);
    if (typeof v === 'string') {
      level = v.toLowerCase();
      break;
    }
    // bunyan/pino numeric levels: 50 error, 60 fatal.
    if (typeof v === 'number') {
      level = v >= 60 ? 'fatal' : v >= 50 ? 'error' : 'info';
      break;
    }
  }
  const t = TIME_KEYS.map(get).find((v) => typeof v === 'string') as string | undefined;
  const message = ['msg', 'message', 'error', 'err'].map(get).find((v) => typeof v === 'string') as
    string | undefined;
  return {
    ...(level === undefined ? {} : { level }),
    ...(t === undefined ? {} : { time: t }),
    ...(message === undefined ? {} : { message }),
  };
}

/** The error level of one line, or undefined for a line that is not an error. */
function classify(line: string): { level: string; time?: string } | undefined {
  const trimmed = line.trim();
  const stamp = RFC3339.exec(line)?.[1];
  const body = stamp === undefined ? trimmed : line.slice(stamp.length).trim();
  if (body.startsWith('{') && body.endsWith('}')) {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        const j = jsonLevel(parsed as Record<string, unknown>);
        const time = stamp ?? j.time;
        // A JSON record says its level: trust it, and do not pattern-match its message.
        if (j.level !== undefined)
          return ERROR_LEVELS.has(j.level)
            ? { level: j.level, ...(time === undefined ? {} : { time }) }
            : undefined;
      }
    } catch {
      // not JSON after all: read as text
    }
  }
  for (const [pattern, level] of TEXT_PATTERNS) {
    if (pattern.test(body)) return { level, ...(stamp === undefined ? {} : { time: stamp }) };
  }
  return undefined;
}

/**
 * The error entries of a log, oldest first, at most `maxEntries` (the latest ones: what happened
 * just before a crash matters most), each at most `maxEntryLines` lines.
 */
export function extractErrors(log: string, maxEntries = 20, maxEntryLines = 40): Extracted {
  const lines = log.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const entries: LogEntry[] = [];
  let current: { lines: string[]; line: number; level: string; time?: string } | undefined;
  let inTraceback = false;
  const close = (): void => {
    if (current === undefined) return;
    entries.push({
      text: current.lines.join('\n'),
      line: current.line,
      level: current.level,
      ...(current.time === undefined ? {} : { time: current.time }),
    });
    current = undefined;
    inTraceback = false;
  };
  lines.forEach((line, i) => {
    // A Go panic is the last thing the process prints: the signal line, a blank line and the
    // goroutine dump all belong to it.
    if (current !== undefined && (current.level === 'panic' || isContinuation(line, inTraceback))) {
      if (current.lines.length < maxEntryLines) current.lines.push(line);
      // A Python traceback ends at its exception line (`ValueError: ...`, not indented).
      if (inTraceback && /^\S/.test(line)) inTraceback = false;
      return;
    }
    close();
    const verdict = classify(line);
    if (verdict === undefined) return;
    current = { lines: [line], line: i + 1, ...verdict };
    inTraceback = /Traceback \(most recent call last\):/.test(line);
  });
  close();
  const dropped = Math.max(0, entries.length - maxEntries);
  return { entries: entries.slice(dropped), lines: lines.length, dropped };
}
