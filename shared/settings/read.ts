import { accessSync, constants } from 'node:fs';
import { ConfigError } from '../errors/config-error.ts';
import type { SettingSpec, SettingValues, SettingsSpec } from './spec.ts';
import { allowedText } from './spec.ts';

type Env = Readonly<Record<string, string | undefined>>;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `90s`, `15m`, `4h`, `7d`, `2w` (or a compound such as `1h30m`) in milliseconds; undefined if not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const parts = trimmed.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d|w)/g);
  if (parts === null || parts.join('') !== trimmed) return undefined;
  let total = 0;
  for (const part of parts) {
    const m = DURATION.exec(part);
    if (m === null) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}

function bad(spec: SettingSpec, raw: string, why?: string): ConfigError {
  return new ConfigError(spec.env, `"${raw}" ${why ?? 'is not allowed'}; allowed: ${allowedText(spec)}`);
}

function parseOne(spec: SettingSpec, raw: string): unknown {
  const text = raw.trim();
  switch (spec.type) {
    case 'number': {
      const value = Number(text);
      if (text === '' || !Number.isFinite(value)) throw bad(spec, raw, 'is not a number');
      if (spec.integer === true && !Number.isInteger(value)) throw bad(spec, raw, 'is not a whole number');
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max))
        throw bad(spec, raw, 'is out of range');
      return value;
    }
    case 'string':
      if (spec.pattern !== undefined && !spec.pattern.test(text)) throw bad(spec, raw);
      return text;
    case 'enum': {
      const value = text.toLowerCase();
      const found = spec.values.find((v) => v.toLowerCase() === value);
      if (found === undefined) throw bad(spec, raw, 'is not one of the values');
      return found;
    }
    case 'boolean': {
      const value = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(value)) return true;
      if (['false', '0', 'no', 'off'].includes(value)) return false;
      throw bad(spec, raw, 'is not a boolean');
    }
    case 'duration': {
      const ms = parseDuration(text);
      if (ms === undefined) throw bad(spec, raw, 'is not a duration');
      const min = spec.min === undefined ? undefined : parseDuration(spec.min);
      const max = spec.max === undefined ? undefined : parseDuration(spec.max);
      if ((min !== undefined && ms < min) || (max !== undefined && ms > max))
        throw bad(spec, raw, `is outside ${spec.min ?? '0'}..${spec.max ?? '∞'}`);
      return ms;
    }
    case 'url': {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw bad(spec, raw, 'is not a URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(spec, raw, 'is not http(s)');
      return text.replace(/\/+$/, '');
    }
    case 'list': {
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const wrong = spec.pattern === undefined ? undefined : items.find((s) => !spec.pattern?.test(s));
      if (wrong !== undefined) throw bad(spec, raw, `has an entry "${wrong}" that does not match`);
      return Object.freeze(items);
    }
    case 'file':
      try {
        accessSync(text, constants.R_OK);
      } catch {
        throw new ConfigError(spec.env, `file "${text}" does not exist or cannot be read`);
      }
      return text;
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new ConfigError(spec.env, `is not valid JSON (${(error as Error).message})`);
      }
      if (spec.check === undefined) return value;
      try {
        return spec.check(value);
      } catch (error) {
        throw new ConfigError(spec.env, (error as Error).message);
      }
    }
  }
}

function defaultOf(spec: SettingSpec): unknown {
  if (spec.type === 'json' || !('default' in spec) || spec.default === undefined) return undefined;
  if (spec.type === 'duration') return parseDuration(spec.default);
  if (spec.type === 'list') return Object.freeze([...spec.default]);
  return spec.default;
}

/**
 * Reads every declared setting from the environment, checked against its type and bounds.
 * The first bad value throws a ConfigError naming the variable and the allowed values.
 */
export function readSettings<P extends SettingsSpec>(specs: P | undefined, env: Env): SettingValues<P> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs ?? {})) {
    const raw = env[spec.env];
    out[key] = raw === undefined || raw.trim() === '' ? defaultOf(spec) : parseOne(spec, raw);
  }
  return Object.freeze(out) as SettingValues<P>;
}

/** Checks a declaration's own defaults and bounds (at defineBot time): a typo fails the import. */
export function checkSettingsSpec(specs: SettingsSpec | undefined): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [key, spec] of Object.entries(specs ?? {})) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(spec.env))
      problems.push(`setting ${key}: env "${spec.env}" is not UPPER_SNAKE`);
    if (seen.has(spec.env)) problems.push(`setting ${key}: env ${spec.env} declared twice`);
    seen.add(spec.env);
    if (spec.meaning.trim() === '') problems.push(`setting ${key}: meaning is empty`);
    if (spec.type === 'duration') {
      for (const d of [spec.default, spec.min, spec.max]) {
        if (d !== undefined && parseDuration(d) === undefined)
          problems.push(`setting ${key}: "${d}" is not a duration`);
      }
    }
    if (spec.type === 'enum' && spec.default !== undefined && !spec.values.includes(spec.default))
      problems.push(`setting ${key}: default "${spec.default}" is not one of its values`);
    if (spec.type === 'number' && spec.default !== undefined) {
      if (
        (spec.min !== undefined && spec.default < spec.min) ||
        (spec.max !== undefined && spec.default > spec.max)
      )
        problems.push(`setting ${key}: default ${spec.default} is out of its bounds`);
    }
  }
  return problems;
}
