// Parsing docs/catalogue.yaml and docs/metadata.json from text: pure, so the checkout scanner and
// the forge client share it. A syntax error names the file, line and column; an entry of the wrong
// shape is skipped and reported with its line, the rest of the file stays usable.
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { DocsError } from './errors.ts';
import type { Catalogue, CatalogueEntry, DocsProblem, Metadata, MetadataDomain } from './types.ts';

export const CATALOGUE_FILE = 'docs/catalogue.yaml';
export const METADATA_FILE = 'docs/metadata.json';

export interface Parsed<T> {
  value: T;
  problems: DocsProblem[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list of strings from a list, a single scalar, or nothing; other items dropped. */
export function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items
    .filter((item) => typeof item === 'string' || typeof item === 'number')
    .map((item) => String(item).trim())
    .filter((item) => item !== '');
}

function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Parse catalogue.yaml. Throws DocsError on a syntax error or when the top level is not usable. */
export function parseCatalogue(text: string, file: string = CATALOGUE_FILE): Parsed<Catalogue> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const position = lineCounter.linePos(first.pos[0]);
    throw new DocsError('parse-error', `invalid YAML: ${firstLine(first.message)}`, {
      file,
      line: position.line,
      column: position.col,
    });
  }
  const root: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isRecord(root)) {
    throw new DocsError('invalid-shape', 'expected a mapping at the top level (version, documents, ...)', {
      file,
    });
  }
  const documentsNode = doc.get('documents', true) as Node | undefined;
  if (!isSeq(documentsNode) || !Array.isArray(root['documents'])) {
    throw new DocsError('invalid-shape', '`documents` must be a list of documents', {
      file,
      ...lineOf(documentsNode ?? (doc.contents as Node | null), lineCounter),
    });
  }
  const problems: DocsProblem[] = [];
  const documents: CatalogueEntry[] = [];
  const seen = new Set<string>();
  (root['documents'] as unknown[]).forEach((raw, index) => {
    const node = documentsNode.items[index] as Node | undefined;
    const where = (): string => {
      const at = lineOf(node, lineCounter);
      return at.line === undefined ? file : `${file}:${at.line}`;
    };
    const problem = (message: string): void => {
      problems.push({ code: 'invalid-entry', file, message: `${where()}: documents[${index}]: ${message}` });
    };
    if (!isRecord(raw) || !isMap(node)) return problem('expected a mapping with id and path; skipped');
    const id = scalarString(raw['id']);
    const entryPath = scalarString(raw['path']);
    if (id === undefined) return problem('missing `id`; skipped');
    if (entryPath === undefined) return problem(`"${id}" has no \`path\`; skipped`);
    if (seen.has(id.toLowerCase())) return problem(`duplicate id "${id}"; the first one is kept`);
    seen.add(id.toLowerCase());
    const entry: CatalogueEntry = { ...raw, id, path: entryPath };
    const title = scalarString(raw['title']);
    if (title !== undefined) entry.title = title;
    const category = scalarString(raw['category']);
    if (category !== undefined) entry.category = category;
    const priority = scalarString(raw['priority']);
    if (priority !== undefined) entry.priority = priority;
    entry.topics = stringList(raw['topics']);
    entry.domains = stringList(raw['domains']).map((d) => d.toUpperCase());
    entry.bot_relevance = stringList(raw['bot_relevance']);
    documents.push(entry);
  });
  return { value: { ...root, documents } as Catalogue, problems };
}

/** Parse metadata.json. Throws DocsError on a syntax error or a top level that is not an object. */
export function parseMetadata(text: string, file: string = METADATA_FILE): Parsed<Metadata> {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new DocsError('parse-error', `invalid JSON: ${jsonProblem((error as Error).message)}`, {
      file,
      ...jsonPosition((error as Error).message, text),
    });
  }
  if (!isRecord(root))
    throw new DocsError('invalid-shape', 'expected a JSON object at the top level', { file });
  const problems: DocsProblem[] = [];
  const domains: MetadataDomain[] = [];
  if (root['domains'] !== undefined && !Array.isArray(root['domains'])) {
    problems.push({ code: 'invalid-entry', file, message: `${file}: \`domains\` must be a list; ignored` });
  }
  for (const [index, raw] of (Array.isArray(root['domains']) ? root['domains'] : []).entries()) {
    const id = isRecord(raw) ? scalarString(raw['id']) : undefined;
    if (!isRecord(raw) || id === undefined) {
      problems.push({
        code: 'invalid-entry',
        file,
        message: `${file}: domains[${index}] has no \`id\`; skipped`,
      });
      continue;
    }
    domains.push({ ...raw, id: id.toUpperCase(), key_bots: stringList(raw['key_bots']) });
  }
  const statistics = isRecord(root['statistics']) ? root['statistics'] : undefined;
  return {
    value: { ...root, domains, ...(statistics !== undefined ? { statistics } : {}) } as Metadata,
    problems,
  };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function lineOf(node: Node | null | undefined, lineCounter: LineCounter): { line?: number; column?: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return {};
  const position = lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}

/** V8's message without the echo of the whole input it sometimes carries. */
function jsonProblem(message: string): string {
  return message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
}

/** Line and column from V8's "at position N" (or the end of input), 1-based. */
function jsonPosition(message: string, text: string): { line?: number; column?: number } {
  const match = / at position (\d+)/.exec(message);
  const offset = match
    ? Number(match[1])
    : /Unexpected end of JSON input/.test(message)
      ? text.length
      : undefined;
  if (offset === undefined) return {};
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
