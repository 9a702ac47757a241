// npm run generate [-- --check]: writes (or checks) every file derived from the bots' declarations.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findStale } from './generate/check.ts';
import { generateAll } from './generate/index.ts';
import { docsCheckoutSettings } from './generate/docs-checkout.ts';
import type { DocsCheckoutSettings } from './generate/docs-checkout.ts';
import { loadFleet } from './generate/load.ts';
import { domainFromEnv } from './generate/platform.ts';
import { applySections, presentSections, readmeSections } from './generate/readme.ts';
import { docsSections } from './generate/docs-sections.ts';
import { readFile } from 'node:fs/promises';
import * as prettier from 'prettier';
import { PLANTED } from '../local/demo-cluster/planted.ts';
import { ReportSchema } from '../shared/report/schema.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Args {
  check: boolean;
  root: string;
}

/** `--check` and `--root <dir>` (another checkout; the tests use it); anything else is an error. */
function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { check: false, root: repoRoot };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--check') args.check = true;
    else if (arg === '--root' && argv[index + 1] !== undefined) args.root = resolve(argv[++index] ?? '');
    else return `unknown argument ${arg ?? ''}`;
  }
  return args;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    console.error(`usage: npm run generate [-- --check] [--root <dir>]  (${args})`);
    return 2;
  }
  const root = args.root;
  let domain: string;
  let docsCheckout: DocsCheckoutSettings | undefined;
  try {
    domain = domainFromEnv(process.env);
    docsCheckout = docsCheckoutSettings(process.env);
  } catch (error) {
    console.error(`npm run generate: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const fleet = { ...(await loadFleet(root)), domain, docsCheckout };
  const unknown = [...(docsCheckout?.bots ?? [])].filter(
    (name) => !fleet.bots.some((bot) => bot.name === name),
  );
  if (unknown.length > 0) {
    console.error(`npm run generate: ECO_DOCS_CHECKOUT_BOTS: no bot named ${unknown.join(', ')}`);
    return 2;
  }
  const files = generateAll(fleet);
  // The README and docs/ are hand-written except their marked sections, which come from the code.
  const fromCode = await docsSections(root, PLANTED);
  for (const doc of ['README.md', 'docs/kit.md', 'docs/runbooks/README.md']) {
    const text = await readFile(join(root, doc), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const sections =
      doc === 'README.md'
        ? { ...readmeSections(fleet, PLANTED), ...presentSections(text, fromCode) }
        : presentSections(text, fromCode);
    // Formatted as `npm run format` would, so the format check and the freshness check agree.
    const options = (await prettier.resolveConfig(join(root, doc))) ?? {};
    const content = await prettier.format(applySections(text, sections), { ...options, parser: 'markdown' });
    files.push({ path: doc, content });
  }
  files.push({
    path: 'docs/report.schema.json',
    content: `${JSON.stringify(ReportSchema, null, 2)}\n`,
  });
  if (args.check) {
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
