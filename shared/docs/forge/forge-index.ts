// The same DocIndex the checkout scanner builds, from a forge instead: the catalogue, metadata.json
// and the markdown files of the recursive tree (paths and sizes; contents are not fetched). It lets
// runbook links and document look-ups work with a forge setting and no checkout.
import path from 'node:path';
import { isDocsError } from '../errors.ts';
import { findDocumentIn, mergeDocument } from '../documents.ts';
import type { FileFacts } from '../documents.ts';
import { DEFAULT_DOMAINS } from '../types.ts';
import type { Catalogue, DocIndex, DocsProblem, DocumentInfo, Metadata } from '../types.ts';
import type { ForgeDocsClient } from './client.ts';
import { isForgeError } from './errors.ts';

export async function loadForgeIndex(forge: ForgeDocsClient): Promise<DocIndex> {
  const problems: DocsProblem[] = [];
  const note = (error: unknown, file: string): void => {
    if (!isDocsError(error) && !isForgeError(error)) throw error;
    problems.push({ code: error.code, file, message: error.message });
  };
  let catalogue: Catalogue | undefined;
  let metadata: Metadata | undefined;
  const catalogueFile = `${forge.docsFolder}/catalogue.yaml`;
  const metadataFile = `${forge.docsFolder}/metadata.json`;
  try {
    catalogue = await forge.getCatalogue();
  } catch (error) {
    note(error, catalogueFile);
  }
  try {
    metadata = await forge.getMetadata();
  } catch (error) {
    note(error, metadataFile);
  }
  const files: FileFacts[] = (await forge.listDirectory(forge.docsFolder, { recursive: true }))
    .filter((entry) => entry.type === 'file' && /\.md$/i.test(entry.path))
    .map((entry) => ({ path: entry.path, sizeBytes: entry.size }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const known = new Set([...DEFAULT_DOMAINS, ...(metadata?.domains ?? []).map((d) => d.id)]);
  const byPath = new Map(files.map((file) => [file.path, file]));
  const used = new Set<string>();
  const documents: DocumentInfo[] = [];
  for (const entry of catalogue?.documents ?? []) {
    const entryPath = path.posix.normalize(entry.path.replace(/\\/g, '/')).replace(/^\.\//, '');
    if (entryPath.startsWith('../') || entryPath.startsWith('/')) {
      problems.push({
        code: 'path-outside-checkout',
        file: catalogueFile,
        message: `${catalogueFile}: catalogue entry "${entry.id}": refused path "${entry.path}"`,
      });
      continue;
    }
    const file = byPath.get(entryPath);
    if (file !== undefined) used.add(entryPath);
    documents.push(mergeDocument(entry, entryPath, file, known));
  }
  for (const file of files)
    if (!used.has(file.path)) documents.push(mergeDocument(undefined, file.path, file, known));
  for (const id of catalogue?.scanning_recommendations?.initial_scan?.order ?? []) {
    if (typeof id === 'string' && findDocumentIn(documents, id) === undefined)
      problems.push({
        code: 'unknown-id',
        file: catalogueFile,
        message: `${catalogueFile}: scanning_recommendations.initial_scan.order names "${id}", which no document has`,
      });
  }
  return { root: await forge.webBase(), documents, catalogue, metadata, problems };
}
