import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/log/index.ts';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  const log = createLogger({
    ...(level ? { level } : {}),
    write: (l) => void lines.push(l),
    now: () => new Date('2026-01-01T00:00:00Z'),
  });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, time, msg and fields', () => {
    const c = capture();
    c.log.info('hello', { n: 1 });
    expect(c.lines).toEqual(['{"level":"info","time":"2026-01-01T00:00:00.000Z","msg":"hello","n":1}\n']);
  });

  it('filters below LOG_LEVEL', () => {
    const c = capture('warn');
    c.log.debug('d');
    c.log.info('i');
    c.log.warn('w');
    c.log.error('e');
    expect(c.parsed().map((l) => l['level'])).toEqual(['warn', 'error']);
  });

  it('child loggers carry bound fields (bot, runId, traceId) and keep the level', () => {
    const c = capture('info');
    const child = c.log.child({ bot: 'eco-x-bot', runId: 'r1' }).child({ traceId: 't1' });
    child.debug('hidden');
    child.info('run', { extra: true });
    expect(c.parsed()).toEqual([
      {
        level: 'info',
        time: '2026-01-01T00:00:00.000Z',
        msg: 'run',
        bot: 'eco-x-bot',
        runId: 'r1',
        traceId: 't1',
        extra: true,
      },
    ]);
  });

  it('renders errors, bigints and survives circular fields on one line', () => {
    const c = capture();
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    c.log.error('boom', { error: new Error('bad thing'), big: 10n });
    c.log.error('loop', { circular });
    const [first, second] = c.parsed();
    expect(first?.['error']).toMatchObject({ name: 'Error', message: 'bad thing' });
    expect(first?.['big']).toBe('10');
    expect(second).toMatchObject({ level: 'error', msg: 'loop' });
    expect(c.lines.every((l) => l.indexOf('\n') === l.length - 1)).toBe(true);
  });
});
