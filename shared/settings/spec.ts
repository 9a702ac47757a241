// A bot's settings (environment variables) declared as data: name, meaning, type, default and
// bounds. The runtime, `npm start` and the CLI check every setting of every bot they load at start,
// and the README's environment table is generated from the same declarations.

interface Base {
  /** The environment variable, e.g. `ECO_NODE_NOT_READY_MINUTES`. */
  env: string;
  /** One line for the README's environment table. */
  meaning: string;
}

export interface NumberSetting extends Base {
  type: 'number';
  default?: number;
  min?: number;
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
}

export interface StringSetting extends Base {
  type: 'string';
  default?: string;
  /** The value must match; the message names the pattern. */
  pattern?: RegExp;
}

export interface EnumSetting<V extends string = string> extends Base {
  type: 'enum';
  values: readonly V[];
  default?: V;
}

export interface BooleanSetting extends Base {
  type: 'boolean';
  default?: boolean;
}

/** A duration such as `90s`, `15m`, `4h`, `7d`; the value is in milliseconds. */
export interface DurationSetting extends Base {
  type: 'duration';
  default?: string;
  min?: string;
  max?: string;
}

/** An http(s) URL of a system the bot talks to; unset means "not configured". */
export interface UrlSetting extends Base {
  type: 'url';
  default?: string;
}

/** A comma-separated list; empty entries dropped. */
export interface ListSetting extends Base {
  type: 'list';
  default?: readonly string[];
  /** Each entry must match. */
  pattern?: RegExp;
}

/** A path to a file (a token, a CA, a routes table) that must exist and be readable at start. */
export interface FileSetting extends Base {
  type: 'file';
  default?: string;
}

/** A JSON document (e.g. a price book); parsed at start; `check` may reject its shape. */
export interface JsonSetting<T = unknown> extends Base {
  type: 'json';
  /** Returns the parsed value or throws an Error whose message says what is wrong. */
  check?: (value: unknown) => T;
}

export type SettingSpec =
  | NumberSetting
  | StringSetting
  | EnumSetting
  | BooleanSetting
  | DurationSetting
  | UrlSetting
  | ListSetting
  | FileSetting
  | JsonSetting;

export type SettingsSpec = Readonly<Record<string, SettingSpec>>;

type HasDefault<S> = S extends { default: unknown } ? true : false;

type ValueOf<S extends SettingSpec> = S extends NumberSetting
  ? number
  : S extends EnumSetting<infer V>
    ? V
    : S extends BooleanSetting
      ? boolean
      : S extends DurationSetting
        ? number
        : S extends ListSetting
          ? readonly string[]
          : S extends JsonSetting<infer T>
            ? T
            : string;

/** The values a bot's run sees as `ctx.settings`: a setting without a default may be undefined. */
export type SettingValues<P extends SettingsSpec> = {
  readonly [K in keyof P]: HasDefault<P[K]> extends true ? ValueOf<P[K]> : ValueOf<P[K]> | undefined;
};

/**
 * Builders that keep the literal types (so `ctx.settings.x` is `number`, not `number | undefined`,
 * when a default is given, and an enum's value is its union).
 */
export const setting = {
  number: <S extends Omit<NumberSetting, 'type'>>(s: S): S & { type: 'number' } => ({ ...s, type: 'number' }),
  string: <S extends Omit<StringSetting, 'type'>>(s: S): S & { type: 'string' } => ({ ...s, type: 'string' }),
  enum: <const V extends string, S extends Omit<EnumSetting<V>, 'type'>>(
    s: S & { values: readonly V[] },
  ): S & { type: 'enum'; values: readonly V[] } => ({ ...s, type: 'enum' }),
  boolean: <S extends Omit<BooleanSetting, 'type'>>(s: S): S & { type: 'boolean' } => ({
    ...s,
    type: 'boolean',
  }),
  duration: <S extends Omit<DurationSetting, 'type'>>(s: S): S & { type: 'duration' } => ({
    ...s,
    type: 'duration',
  }),
  url: <S extends Omit<UrlSetting, 'type'>>(s: S): S & { type: 'url' } => ({ ...s, type: 'url' }),
  list: <S extends Omit<ListSetting, 'type'>>(s: S): S & { type: 'list' } => ({ ...s, type: 'list' }),
  file: <S extends Omit<FileSetting, 'type'>>(s: S): S & { type: 'file' } => ({ ...s, type: 'file' }),
  json: <T, S extends Omit<JsonSetting<T>, 'type'> = Omit<JsonSetting<T>, 'type'>>(
    s: S & { check?: (value: unknown) => T },
  ): S & { type: 'json'; check?: (value: unknown) => T } => ({ ...s, type: 'json' }),
};

/** What the README's environment table shows as a setting's default. */
export function defaultText(spec: SettingSpec): string {
  if (!('default' in spec) || spec.default === undefined) return '(unset)';
  const value = spec.default;
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(',');
  return String(value);
}

/** What the README's environment table shows as the allowed values. */
export function allowedText(spec: SettingSpec): string {
  switch (spec.type) {
    case 'number': {
      const kind = spec.integer === true ? 'integer' : 'number';
      if (spec.min !== undefined && spec.max !== undefined) return `${kind} ${spec.min}..${spec.max}`;
      if (spec.min !== undefined) return `${kind} >= ${spec.min}`;
      if (spec.max !== undefined) return `${kind} <= ${spec.max}`;
      return kind;
    }
    case 'enum':
      return spec.values.join(' | ');
    case 'boolean':
      return 'true | false';
    case 'duration':
      return `duration (e.g. 90s, 15m, 4h, 7d)${spec.min !== undefined ? `, >= ${spec.min}` : ''}`;
    case 'url':
      return 'http(s) URL';
    case 'list':
      return 'comma-separated list';
    case 'file':
      return 'path to a readable file';
    case 'json':
      return 'JSON';
    case 'string':
      return spec.pattern === undefined ? 'text' : `text matching ${spec.pattern.source}`;
  }
}
