// A reader for the block-style YAML subset kubeconfig files use (kubectl, kind, k3s, cloud CLIs
// write them this way): nested mappings, sequences of mappings, plain and quoted scalars, comments,
// empty `{}`/`[]`. It exists for cold start: the full `yaml` package costs ~9 ms to load on a bot's
// first cluster call. Anything outside the subset throws UnsupportedYaml and the caller falls back
// to the full parser, so correctness never depends on this file covering everything.

export class UnsupportedYaml extends Error {
  override readonly name = 'UnsupportedYaml';
}

interface Line {
  indent: number;
  text: string;
}

export function parseMiniYaml(source: string): unknown {
  const lines: Line[] = [];
  for (const raw of source.split(/\r?\n/)) {
    if (raw.includes('\t')) throw new UnsupportedYaml('tab');
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '') continue;
    if (text === '---' && lines.length === 0) continue;
    if (text.startsWith('---') || text.startsWith('...') || text.startsWith('%'))
      throw new UnsupportedYaml('document marker');
    const indent = text.length - text.trimStart().length;
    lines.push({ indent, text: text.trimStart() });
  }
  if (lines.length === 0) return null;
  const state = { lines, i: 0 };
  const first = lines[0] as Line;
  const value = parseBlock(state, first.indent);
  if (state.i !== lines.length)
    throw new UnsupportedYaml(`unexpected indentation at "${lines[state.i]?.text ?? ''}"`);
  return value;
}

interface State {
  lines: Line[];
  i: number;
}

const isSeqItem = (text: string): boolean => text === '-' || text.startsWith('- ');

function parseBlock(state: State, indent: number): unknown {
  const line = state.lines[state.i];
  if (!line || line.indent !== indent) throw new UnsupportedYaml('indentation');
  if (isSeqItem(line.text)) return parseSeq(state, indent);
  if (splitKey(line.text) === undefined) {
    // A lone scalar document (not a kubeconfig): only accept it as the whole input.
    state.i++;
    return scalar(line.text);
  }
  return parseMap(state, indent);
}

function parseMap(state: State, indent: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  while (state.i < state.lines.length) {
    const line = state.lines[state.i] as Line;
    if (line.indent < indent) break;
    if (line.indent > indent || isSeqItem(line.text))
      throw new UnsupportedYaml(`unexpected line "${line.text}"`);
    const entry = splitKey(line.text);
    if (!entry) throw new UnsupportedYaml(`not a mapping entry: "${line.text}"`);
    if (Object.hasOwn(out, entry.key)) throw new UnsupportedYaml(`duplicate key ${entry.key}`);
    state.i++;
    if (entry.rest !== '') {
      out[entry.key] = scalar(entry.rest);
      continue;
    }
    const next = state.lines[state.i];
    // A nested block: deeper, or a sequence at the same indentation (kubectl's `clusters:\n- name:`).
    if (next && (next.indent > indent || (next.indent === indent && isSeqItem(next.text)))) {
      out[entry.key] = parseBlock(state, next.indent);
    } else {
      out[entry.key] = null;
    }
  }
  return out;
}

function parseSeq(state: State, indent: number): unknown[] {
  const out: unknown[] = [];
  while (state.i < state.lines.length) {
    const line = state.lines[state.i] as Line;
    // A sequence under `key:` may sit at the key's own indentation; the next key ends it.
    if (line.indent < indent || (line.indent === indent && !isSeqItem(line.text))) break;
    if (line.indent > indent) throw new UnsupportedYaml(`unexpected line "${line.text}"`);
    const content = line.text.slice(1).trimStart();
    const offset = line.indent + (line.text.length - content.length);
    if (content === '') {
      state.i++;
      const next = state.lines[state.i];
      out.push(next && next.indent > indent ? parseBlock(state, next.indent) : null);
    } else if (isSeqItem(content)) {
      // `- - x` opens a sequence whose other items align with the inner dash.
      state.lines[state.i] = { indent: offset, text: content };
      out.push(parseSeq(state, offset));
    } else if (splitKey(content) !== undefined) {
      // `- key: value` opens a mapping whose other keys align with `key`.
      state.lines[state.i] = { indent: offset, text: content };
      out.push(parseMap(state, offset));
    } else {
      state.i++;
      out.push(scalar(content));
    }
  }
  return out;
}

/** `key: rest` or `key:`; undefined when the text is not a mapping entry. */
function splitKey(text: string): { key: string; rest: string } | undefined {
  if (text.startsWith('"') || text.startsWith("'")) {
    const end = closingQuote(text);
    if (end < 0) throw new UnsupportedYaml('unterminated quoted key');
    const after = text.slice(end + 1);
    if (after !== ':' && !after.startsWith(': ')) return undefined;
    return { key: String(scalar(text.slice(0, end + 1))), rest: after.slice(1).trim() };
  }
  if (/^[?&*!|>{[@`]/.test(text)) {
    if (text === '{}' || text === '[]') return undefined;
    throw new UnsupportedYaml(`indicator at "${text}"`);
  }
  const match = /^([^:]*?):(?:\s+(.*))?$/.exec(text) ?? /^(.*?):\s+(.*)$/.exec(text);
  if (!match || match[1] === undefined || match[1].trim() === '') return undefined;
  return { key: match[1].trim(), rest: (match[2] ?? '').trim() };
}

function closingQuote(text: string): number {
  const quote = text[0];
  for (let i = 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  return -1;
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  b: '\b',
  f: '\f',
  ' ': ' ',
};

function scalar(text: string): unknown {
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (text.startsWith('"')) {
    if (closingQuote(text) !== text.length - 1) throw new UnsupportedYaml('text after a quoted scalar');
    let out = '';
    for (let i = 1; i < text.length - 1; i++) {
      const c = text[i] as string;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = text[++i] ?? '';
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
        out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
        i += 4;
      } else if (ESCAPES[e] !== undefined) out += ESCAPES[e];
      else throw new UnsupportedYaml(`escape \\${e}`);
    }
    return out;
  }
  if (text.startsWith("'")) {
    if (closingQuote(text) !== text.length - 1) throw new UnsupportedYaml('text after a quoted scalar');
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[[{&*!|>%@`]/.test(text) || text.includes(' #')) throw new UnsupportedYaml(`scalar "${text}"`);
  // YAML 1.2 core schema, as the yaml package resolves plain scalars.
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^0x[0-9a-fA-F]+$|^0o[0-7]+$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/.test(text))
    throw new UnsupportedYaml(`special number ${text}`);
  return text;
}

/** Drops a `#` comment that starts a line or follows whitespace, outside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      // Quotes only open a scalar at its start (after `: `, `- ` or the indentation).
      const before = line.slice(0, i).trimEnd();
      if (before === '' || before.endsWith(':') || before.endsWith('-')) quote = c;
    } else if (c === '#' && (i === 0 || line[i - 1] === ' ')) {
      return line.slice(0, i);
    }
  }
  return line;
}
