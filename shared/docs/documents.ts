// One document record from a catalogue entry and/or a file's facts: shared by the checkout scanner
// and the forge index, so both answer the same questions the same way.
import path from 'node:path';
import { stringList } from './index-files.ts';
import { PRIORITIES } from './types.ts';
import type { CatalogueEntry, DocumentInfo, Priority } from './types.ts';

/** What is known of one file: the path always; contents facts when the file was read. */
export interface FileFacts {
  path: string;
  sizeBytes?: number;
  sizeLines?: number;
  sha256?: string;
  lastModified?: string;
  title?: string | undefined;
  frontMatter?: Record<string, unknown>;
  /** The front matter is not valid YAML (the file is still listed, without it). */
  frontMatterError?: string;
}

const lower = (value: string): string => value.toLowerCase();

/** Catalogue id, then file stem, then path; case-insensitive. */
export function findDocumentIn(documents: readonly DocumentInfo[], id: string): DocumentInfo | undefined {
  const wanted = lower(id.trim());
  if (wanted === '') return undefined;
  return (
    documents.find((doc) => lower(doc.id) === wanted) ??
    documents.find((doc) => lower(path.posix.parse(doc.path).name) === wanted) ??
    documents.find((doc) => lower(doc.path) === wanted)
  );
}

function frontMatterString(frontMatter: Record<string, unknown>, key: string): string | undefined {
  const value = frontMatter[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The domains a path names: a `domains/<D>/` folder, or a `<D>-` prefix of a known domain on the file name. */
function domainsFromPath(relative: string, knownDomains: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const segments = relative.split('/');
  segments.forEach((segment, index) => {
    const next = segments[index + 1];
    if (lower(segment) === 'domains' && next !== undefined && index + 1 < segments.length - 1)
      out.push(next.toUpperCase());
  });
  const prefix = (path.posix.parse(relative).name.split('-')[0] ?? '').toUpperCase();
  if (knownDomains.has(prefix)) out.push(prefix);
  return out;
}

function toPriority(value: string | undefined): Priority | 'unknown' {
  const candidate = lower(value ?? '');
  return (PRIORITIES as readonly string[]).includes(candidate) ? (candidate as Priority) : 'unknown';
}

export function mergeDocument(
  entry: CatalogueEntry | undefined,
  relative: string,
  file: FileFacts | undefined,
  knownDomains: ReadonlySet<string>,
): DocumentInfo {
  const fm = file?.frontMatter ?? {};
  const parsed = path.posix.parse(relative);
  const domains = unique(
    [
      ...(entry?.domains ?? []),
      ...stringList(fm['domains']),
      ...stringList(fm['domain']),
      ...domainsFromPath(relative, knownDomains),
    ].map((d) => d.toUpperCase()),
  );
  const doc: DocumentInfo = {
    id: entry?.id ?? frontMatterString(fm, 'id') ?? parsed.name,
    title: entry?.title ?? file?.title ?? parsed.name,
    path: relative,
    category:
      entry?.category ?? frontMatterString(fm, 'category') ?? (path.posix.basename(parsed.dir) || 'root'),
    priority: toPriority(entry?.priority ?? frontMatterString(fm, 'priority')),
    domains,
    topics: unique([...(entry?.topics ?? []), ...stringList(fm['topics']), ...stringList(fm['tags'])]),
    botRelevance: unique([
      ...(entry?.bot_relevance ?? []),
      ...stringList(fm['bot_relevance']),
      ...stringList(fm['bots']),
    ]),
    source: entry === undefined ? 'scan' : file === undefined ? 'catalogue' : 'catalogue+scan',
    present: file !== undefined,
  };
  if (file?.sizeBytes !== undefined) doc.sizeBytes = file.sizeBytes;
  if (file?.sizeLines !== undefined) doc.sizeLines = file.sizeLines;
  if (file?.sha256 !== undefined) doc.sha256 = file.sha256;
  if (file?.lastModified !== undefined) doc.lastModified = file.lastModified;
  if (entry !== undefined) doc.catalogue = entry;
  return doc;
}
