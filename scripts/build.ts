// npm run build: one minified ESM bundle per bot (dist/functions/<bot>/index.mjs) and one per
// category (dist/groups/<category>/index.mjs), each runnable with plain `node` and nothing beside it.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import type { Bot } from '../shared/bot/types.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const defaultDist = join(root, 'dist');

// CJS dependencies call require(); an ESM bundle has none, so give it one.
const banner =
  "import { createRequire as __ecoCreateRequire } from 'node:module'; const require = __ecoCreateRequire(import.meta.url);";

export interface BuiltBundle {
  name: string;
  kind: 'function' | 'group';
  file: string;
  bytes: number;
  bots: string[];
}

/** The fleet from the generated registry, the one place bots are discovered (`npm run generate`). */
async function registeredBots(): Promise<readonly Bot[]> {
  const registry = join(root, 'functions', 'index.generated.ts');
  if (!existsSync(registry))
    throw new Error('functions/index.generated.ts is missing: run `npm run generate`');
  const mod = (await import(pathToFileURL(registry).href)) as { bots: readonly Bot[] };
  return [...mod.bots].sort((a, b) => a.name.localeCompare(b.name));
}

const importPath = (file: string): string => JSON.stringify(file.split('\\').join('/'));

/**
 * A single-bot bundle never dispatches cron ticks (its process runs its one bot on an empty cron
 * POST), so it links shared/runtime/dispatch-single.ts instead of the dispatcher and its cron parser.
 */
const singleBotRuntime: Plugin = {
  name: 'single-bot-runtime',
  setup(build) {
    build.onResolve({ filter: /^\.\/dispatch\.ts$/ }, (args) =>
      args.importer.includes(`${join('shared', 'runtime')}`)
        ? { path: join(root, 'shared', 'runtime', 'dispatch-single.ts') }
        : undefined,
    );
  },
};

async function bundle(
  name: string,
  kind: BuiltBundle['kind'],
  contents: string,
  outfile: string,
  bots: string[],
): Promise<BuiltBundle> {
  const options: BuildOptions = {
    ...(kind === 'function' ? { plugins: [singleBotRuntime] } : {}),
    stdin: { contents, resolveDir: root, sourcefile: `${kind}-${name}-entry.ts`, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    banner: { js: banner },
    outfile,
    logLevel: 'warning',
    // The bundle must not depend on anything beside it.
    packages: 'bundle',
  };
  await build(options);
  return { name, kind, file: relative(root, outfile), bytes: (await stat(outfile)).size, bots };
}

/** One bot's bundle at `outfile`, exactly as `npm run build` makes it (tests build into a temp dir). */
export function buildBotBundle(name: string, outfile: string): Promise<BuiltBundle> {
  const handler = join(root, 'functions', name, 'handler.ts');
  const runtime = join(root, 'shared', 'runtime', 'serve.ts');
  const entry = `import bot from ${importPath(handler)};\nimport { serve } from ${importPath(runtime)};\nvoid serve(bot);\n`;
  return bundle(name, 'function', entry, outfile, [name]);
}

export async function buildAll(options: { only?: string[]; outDir?: string } = {}): Promise<BuiltBundle[]> {
  const dist = options.outDir ?? defaultDist;
  const fleet = (await registeredBots()).filter(
    (b) => options.only === undefined || options.only.includes(b.name),
  );
  const unknown = (options.only ?? []).filter((n) => !fleet.some((b) => b.name === n));
  if (unknown.length > 0)
    throw new Error(`not in the registry: ${unknown.join(', ')} (run \`npm run generate\`)`);
  if (options.only === undefined) await rm(dist, { recursive: true, force: true });
  const runtime = join(root, 'shared', 'runtime', 'index.ts');
  const built: BuiltBundle[] = [];
  const byCategory = new Map<string, string[]>();

  for (const bot of fleet) {
    const name = bot.name;
    byCategory.set(bot.category, [...(byCategory.get(bot.category) ?? []), name]);
    built.push(await buildBotBundle(name, join(dist, 'functions', name, 'index.mjs')));
  }

  if (options.only === undefined) {
    for (const [category, members] of [...byCategory].sort(([a], [b]) => a.localeCompare(b))) {
      const imports = members
        .map((m, i) => `import bot${i} from ${importPath(join(root, 'functions', m, 'handler.ts'))};`)
        .join('\n');
      const entry = `${imports}\nimport { serve } from ${importPath(runtime)};\nvoid serve([${members.map((_, i) => `bot${i}`).join(', ')}], { name: ${JSON.stringify(`eco-${category}-bots`)} });\n`;
      built.push(
        await bundle(category, 'group', entry, join(dist, 'groups', category, 'index.mjs'), members),
      );
    }
  }

  await mkdir(dist, { recursive: true });
  // A partial build (`npm run build -- <bot>`) updates its entries and keeps the others.
  const metaFile = join(dist, 'build-meta.json');
  const previous =
    options.only !== undefined && existsSync(metaFile)
      ? (JSON.parse(await readFile(metaFile, 'utf8')) as {
          bundles?: Record<string, unknown>;
          functions?: Record<string, number>;
        })
      : {};
  const meta = {
    builtAt: new Date().toISOString(),
    node: process.version,
    bundles: {
      ...previous.bundles,
      ...Object.fromEntries(
        built.map((b) => [
          `${b.kind === 'function' ? 'functions' : 'groups'}/${b.name}`,
          { file: b.file, bytes: b.bytes, bots: b.bots },
        ]),
      ),
    },
    functions: {
      ...previous.functions,
      ...Object.fromEntries(built.filter((b) => b.kind === 'function').map((b) => [b.name, b.bytes])),
    },
  };
  await writeFile(join(dist, 'build-meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return built;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const started = performance.now();
  const built = await buildAll(only.length > 0 ? { only } : {});
  for (const b of built) console.log(`${b.file.padEnd(48)} ${(b.bytes / 1024).toFixed(1).padStart(8)} KiB`);
  console.log(`built ${built.length} bundle(s) in ${Math.round(performance.now() - started)} ms`);
}
