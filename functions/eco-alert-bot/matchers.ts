// Label matchers in Alertmanager's own syntax (`name="value"`, `!=`, `=~`, `!~`), so routes read like
// the `matchers:` of an Alertmanager route. Regexes are fully anchored, as in Alertmanager.

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  /** Present for `=~` and `!~`. */
  readonly regex?: RegExp;
  /** The matcher as written, for messages. */
  readonly text: string;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

function unquote(raw: string): string {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    // JSON string rules are a close match for Go's strconv.Unquote on the escapes people write.
    return JSON.parse(raw) as string;
  }
  return raw;
}

/** Parses one matcher; throws an Error whose message says what is wrong with it. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m)
    throw new Error(
      `"${text}" is not a matcher like name="value", name!="value", name=~"regex" or name!~"regex"`,
    );
  const [, name = '', op = '=', rawValue = ''] = m;
  let value: string;
  try {
    value = unquote(rawValue);
  } catch {
    throw new Error(`"${text}": the quoted value is not a valid string`);
  }
  if (op === '=~' || op === '!~') {
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${value})$`, 'u');
    } catch (error) {
      throw new Error(`"${text}": invalid regular expression (${(error as Error).message})`);
    }
    return { name, op: op as MatchOp, value, regex, text };
  }
  return { name, op: op as MatchOp, value, text };
}

export function matches(matcher: Matcher, labels: Readonly<Record<string, string>>): boolean {
  // A missing label matches as the empty string, as in Alertmanager.
  const actual = labels[matcher.name] ?? '';
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return matcher.regex?.test(actual) ?? false;
    case '!~':
      return !(matcher.regex?.test(actual) ?? false);
  }
}
