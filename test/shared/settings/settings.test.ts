import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineBot } from '../../../shared/bot/define-bot.ts';
import { checkSettingsSpec, parseDuration, readSettings, setting } from '../../../shared/settings/index.ts';

const SPECS = {
  threshold: setting.number({ env: 'X_THRESHOLD', default: 80, min: 1, max: 100, meaning: 'percent' }),
  count: setting.number({ env: 'X_COUNT', default: 3, min: 0, integer: true, meaning: 'how many' }),
  mode: setting.enum({ env: 'X_MODE', values: ['fast', 'safe'], default: 'safe', meaning: 'how' }),
  on: setting.boolean({ env: 'X_ON', default: false, meaning: 'switch' }),
  grace: setting.duration({ env: 'X_GRACE', default: '15m', min: '1m', meaning: 'grace' }),
  url: setting.url({ env: 'X_URL', meaning: 'a system' }),
  list: setting.list({ env: 'X_LIST', default: ['a'], pattern: /^[a-z]+$/, meaning: 'names' }),
  file: setting.file({ env: 'X_FILE', meaning: 'a file' }),
  book: setting.json({
    env: 'X_JSON',
    meaning: 'json',
    check: (v: unknown) => {
      if (typeof v !== 'object' || v === null) throw new Error('must be an object');
      return v as Record<string, number>;
    },
  }),
};

describe('settings declared as data', () => {
  it('applies defaults and parses every type', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    writeFileSync(join(dir, 'f'), 'x');
    const d = readSettings(SPECS, {});
    expect(d).toMatchObject({
      threshold: 80,
      count: 3,
      mode: 'safe',
      on: false,
      grace: 900_000,
      list: ['a'],
    });
    expect(d.url).toBeUndefined();
    const v = readSettings(SPECS, {
      X_THRESHOLD: '50.5',
      X_COUNT: '0',
      X_MODE: 'FAST',
      X_ON: 'yes',
      X_GRACE: '1h30m',
      X_URL: 'http://prom:9090/',
      X_LIST: 'b, c,,',
      X_FILE: join(dir, 'f'),
      X_JSON: '{"a":1}',
    });
    expect(v).toMatchObject({ threshold: 50.5, count: 0, mode: 'fast', on: true, grace: 5_400_000 });
    expect(v.url).toBe('http://prom:9090');
    expect(v.list).toEqual(['b', 'c']);
    expect(v.book).toEqual({ a: 1 });
  });

  it.each([
    ['X_THRESHOLD', '-3', /X_THRESHOLD: "-3" is out of range; allowed: number 1\.\.100/],
    ['X_THRESHOLD', 'lots', /X_THRESHOLD: "lots" is not a number/],
    ['X_COUNT', '1.5', /X_COUNT: "1.5" is not a whole number/],
    ['X_MODE', 'banana', /X_MODE: "banana" is not one of the values; allowed: fast \| safe/],
    ['X_ON', 'maybe', /X_ON: "maybe" is not a boolean; allowed: true \| false/],
    ['X_GRACE', '10s', /X_GRACE: "10s" is outside 1m/],
    ['X_GRACE', 'soon', /X_GRACE: "soon" is not a duration/],
    ['X_URL', 'ftp://x', /X_URL: "ftp:\/\/x" is not http\(s\)/],
    ['X_LIST', 'a,B', /X_LIST: "a,B" has an entry "B"/],
    ['X_FILE', '/missing.yml', /X_FILE: file "\/missing.yml" does not exist/],
    ['X_JSON', '{', /X_JSON: is not valid JSON/],
    ['X_JSON', '3', /X_JSON: must be an object/],
  ])('refuses %s=%s with one message naming the variable and what is allowed', (name, value, message) => {
    expect(() => readSettings(SPECS, { [name]: value })).toThrow(message);
  });

  it('parses durations the way operators write them', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('2h30m')).toBe(9_000_000);
    expect(parseDuration('5')).toBeUndefined();
    expect(parseDuration('5 m')).toBeUndefined();
  });

  it('checks a declaration: env names, duplicate variables, defaults within bounds', () => {
    expect(checkSettingsSpec(SPECS)).toEqual([]);
    expect(
      checkSettingsSpec({
        a: setting.number({ env: 'lower', default: 5, max: 1, meaning: 'x' }),
        b: setting.enum({ env: 'DUP', values: ['x'], default: 'y' as 'x', meaning: 'x' }),
        c: setting.string({ env: 'DUP', meaning: '' }),
      }),
    ).toEqual([
      'setting a: env "lower" is not UPPER_SNAKE',
      'setting a: default 5 is out of its bounds',
      'setting b: default "y" is not one of its values',
      'setting c: env DUP declared twice',
      'setting c: meaning is empty',
    ]);
  });
});

describe('defineBot', () => {
  const base = {
    name: 'eco-probe-bot',
    category: 'observability' as const,
    tier: 'small' as const,
    summary: 'probe',
    triggers: { http: true },
    input: Type.Object({}),
    run: async () => ({ summary: 'ok', findings: [] }),
  };

  it('refuses write verbs in the RBAC of a bot declared mutates: false', () => {
    expect(() =>
      defineBot({
        ...base,
        mutates: false,
        rbac: [{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] }],
      }),
    ).toThrow(/rbac grants delete on pods but the bot is declared mutates: false/);
    expect(() =>
      defineBot({
        ...base,
        mutates: true,
        rbac: [{ apiGroups: [''], resources: ['pods'], verbs: ['delete'] }],
      }),
    ).not.toThrow();
  });

  it('refuses a bad settings declaration at import time', () => {
    expect(() =>
      defineBot({
        ...base,
        mutates: false,
        rbac: [],
        settings: { x: setting.duration({ env: 'X_D', default: 'later', meaning: 'x' }) },
      }),
    ).toThrow(/"later" is not a duration/);
  });
});
