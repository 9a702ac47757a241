import { parseAllDocuments } from 'yaml';
import type { GeneratedFile } from '../../scripts/generate/index.ts';

/** Repository root (tests run from it). */
export const ROOT = new URL('../../', import.meta.url).pathname;

export function file(files: readonly GeneratedFile[], path: string): GeneratedFile {
  const found = files.find((candidate) => candidate.path === path);
  if (found === undefined) throw new Error(`no generated file ${path}`);
  return found;
}

/** Every YAML document of a text, as plain JSON (null documents dropped). */
export function yamlDocs(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`YAML error: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as unknown;
    })
    .filter((doc): doc is Record<string, unknown> => typeof doc === 'object' && doc !== null);
}

export function docsOf(files: readonly GeneratedFile[], path: string): Record<string, unknown>[] {
  return yamlDocs(file(files, path).content);
}

/** Reads a nested value by dotted path (numbers index arrays). */
export function at(value: unknown, path: string): unknown {
  let node: unknown = value;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** The Kubernetes objects of a list of generated files (anything with apiVersion + kind + metadata). */
export function kubeObjects(files: readonly GeneratedFile[]): Record<string, unknown>[] {
  return files
    .filter((f) => f.path.startsWith('deploy/') && f.path.endsWith('.yml'))
    .flatMap((f) => yamlDocs(f.content))
    .filter(
      (doc) => typeof doc['apiVersion'] === 'string' && typeof doc['kind'] === 'string' && 'metadata' in doc,
    );
}

/** Negative tests poke arbitrary nested fields of generated objects. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = Record<string, any>;
