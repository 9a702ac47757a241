// Seed files: YAML (multi-document) or JSON, single objects or `List`/`*List` kinds. A document of kind
// `PodLog` (apiVersion `emulator.eco.bsw-arch.org/v1`) seeds container logs instead of an object:
//   {kind: PodLog, metadata: {name: <pod>, namespace: <ns>}, container: c, previous: false, text: "..."}
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { PodLogEntry } from './pod-logs.ts';

export const POD_LOG_API_VERSION = 'emulator.eco.bsw-arch.org/v1';

export interface Seed {
  objects: KubeObject[];
  logs: PodLogEntry[];
}

function flatten(doc: unknown, out: Seed, source: string): void {
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new Error(`${source}: a seed document must be an object`);
  const o = doc as Record<string, unknown>;
  if (Array.isArray(o['items']) && typeof o['kind'] === 'string' && o['kind'].endsWith('List')) {
    for (const item of o['items']) flatten(item, out, source);
    return;
  }
  if (o['kind'] === 'PodLog') {
    const meta = (o['metadata'] ?? {}) as { name?: string; namespace?: string };
    if (!meta.name || typeof o['container'] !== 'string' || typeof o['text'] !== 'string') {
      throw new Error(`${source}: PodLog needs metadata.name, container and text`);
    }
    out.logs.push({
      namespace: meta.namespace ?? 'default',
      pod: meta.name,
      container: o['container'],
      previous: o['previous'] === true,
      text: o['text'],
    });
    return;
  }
  const meta = o['metadata'] as { name?: unknown } | undefined;
  if (
    typeof o['apiVersion'] !== 'string' ||
    typeof o['kind'] !== 'string' ||
    typeof meta?.name !== 'string'
  ) {
    throw new Error(`${source}: every object needs apiVersion, kind and metadata.name`);
  }
  out.objects.push(o as unknown as KubeObject);
}

/** Parses seed text (YAML or JSON). */
export function parseSeed(text: string, source = 'seed'): Seed {
  const out: Seed = { objects: [], logs: [] };
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    flatten(doc.toJS(), out, source);
  }
  return out;
}

export async function readSeedFiles(paths: readonly string[]): Promise<Seed> {
  const out: Seed = { objects: [], logs: [] };
  for (const p of paths) {
    const s = parseSeed(await readFile(p, 'utf8'), p);
    out.objects.push(...s.objects);
    out.logs.push(...s.logs);
  }
  return out;
}

/** Seeding order: namespaces and CRDs before the objects that need them. */
export function seedOrder(o: KubeObject): number {
  if (o.kind === 'Namespace') return 0;
  if (o.kind === 'CustomResourceDefinition') return 1;
  return 2;
}
