// npm run generate [-- --check]: writes (or checks) every file derived from the bots' declarations.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findStale } from './generate/check.ts';
import { generateAll } from './generate/index.ts';
import { loadFleet } from './generate/load.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: npm run generate [-- --check]  (unknown: ${unknown.join(' ')})`);
    return 2;
  }
  const fleet = await loadFleet(root);
  const files = generateAll(fleet);
  if (argv.includes('--check')) {
    const stale = await findStale(root, files);
    for (const file of stale) console.error(`stale: ${file.path} (${file.reason}); run npm run generate`);
    if (stale.length > 0) return 1;
    console.log(`generate --check: ${files.length} files up to date (${fleet.bots.length} bots)`);
    return 0;
  }
  for (const file of files) {
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
  console.log(`generated ${files.length} files for ${fleet.bots.length} bots`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`generate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
