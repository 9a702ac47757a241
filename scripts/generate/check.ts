import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedFile } from './types.ts';

export interface StaleFile {
  path: string;
  reason: 'missing' | 'differs';
}

/** Compares generated content with the files on disk, in memory (no git involved). */
export async function findStale(root: string, files: readonly GeneratedFile[]): Promise<StaleFile[]> {
  const stale: StaleFile[] = [];
  for (const file of files) {
    const current = await readFile(join(root, file.path), 'utf8').catch(() => undefined);
    if (current === undefined) stale.push({ path: file.path, reason: 'missing' });
    else if (current !== file.content) stale.push({ path: file.path, reason: 'differs' });
  }
  return stale;
}
