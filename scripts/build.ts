// npm run build: one minified bundle per bot (dist/functions/<bot>/index.cjs) and one per category
// (dist/groups/<category>/index.cjs), each runnable with plain `node` and nothing beside it. Beside
// each goes start.cjs, the image's entry point, which runs the bundle with a V8 code cache
// (shared/runtime/start.ts); `--code-cache` also writes that cache here, with this machine's Node.
//
// CommonJS, not ESM: V8's code cache is reachable only for scripts (node:vm), and the bundle has
// no top-level await or import.meta, so the format changes nothing else.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import type { Bot } from '../shared/bot/types.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const defaultDist = join(root, 'dist');

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
export const singleBotRuntime: Plugin = {
  name: 'single-bot-runtime',
  setup(build) {
    build.onResolve({ filter: /^\.\/dispatch\.ts$/ }, (args) =>
      args.importer.includes(`${join('shared', 'runtime')}`)
        ? { path: join(root, 'shared', 'runtime', 'dispatch-single.ts') }
        : undefined,
    );
  },
};

const stub = (file: string): string => join(root, 'shared', 'runtime', 'bundle-stubs', file);

/**
 * Code no bundle runs, left out (each stub says why): @opentelemetry/api, which prom-client asks only
 * for exemplars, and json-bigint, which the CloudEvents SDK uses only under CE_USE_BIG_INT=true.
 * `clusterFree` (a bot with no RBAC): the cluster client too.
 */
export function leanBundle(clusterFree: boolean): Plugin {
  return {
    name: 'lean-bundle',
    setup(build) {
      build.onResolve({ filter: /^@opentelemetry\/api$/ }, () => ({ path: stub('otel-api.ts') }));
      build.onResolve({ filter: /^json-bigint$/ }, () => ({ path: stub('json-bigint.ts') }));
      if (clusterFree)
        build.onResolve({ filter: /^\.\.\/k8s\/index\.ts$/ }, (args) =>
          args.importer.endsWith(join('shared', 'runtime', 'cluster.ts'))
            ? { path: stub('no-cluster.ts') }
            : undefined,
        );
    },
  };
}

async function bundle(
  name: string,
  kind: BuiltBundle['kind'],
  contents: string,
  outfile: string,
  bots: string[],
  clusterFree = false,
): Promise<BuiltBundle> {
  const options: BuildOptions = {
    plugins: [...(kind === 'function' ? [singleBotRuntime] : []), leanBundle(clusterFree)],
    stdin: { contents, resolveDir: root, sourcefile: `${kind}-${name}-entry.ts`, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    outfile,
    logLevel: 'warning',
    // The bundle must not depend on anything beside it.
    packages: 'bundle',
  };
  await build(options);
  await buildStarter(join(dirname(outfile), 'start.cjs'));
  return { name, kind, file: relative(root, outfile), bytes: (await stat(outfile)).size, bots };
}

/** start.cjs: the code-cache loader beside a bundle (shared/runtime/start.ts, bundled alone). */
export async function buildStarter(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(root, 'shared', 'runtime', 'start.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    outfile,
    logLevel: 'warning',
    packages: 'bundle',
  });
}

/**
 * Writes index.cjs.cache beside a built bundle by running its start.cjs once with
 * `--write-code-cache` on this Node, with these NODE_OPTIONS (V8 accepts a cache only from the same
 * V8 with the same flags). The image does this in its own stage, on the runtime base.
 */
export async function writeCodeCache(bundleFile: string, nodeOptions = ''): Promise<number> {
  const { spawn } = await import('node:child_process');
  const { freePort } = await import('../local/gateway/free-port.ts');
  const port = await freePort();
  const starter = join(dirname(bundleFile), 'start.cjs');
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [starter, '--write-code-cache'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        PORT: String(port),
        NODE_OPTIONS: nodeOptions,
        ECO_MODE: 'dry-run',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`${starter} --write-code-cache exited ${code}: ${stderr.trim()}`)),
    );
  });
  return (await stat(`${bundleFile}.cache`)).size;
}

/** One bot's bundle at `outfile`, exactly as `npm run build` makes it (tests build into a temp dir). */
export async function buildBotBundle(name: string, outfile: string): Promise<BuiltBundle> {
  const declared = (await registeredBots()).find((b) => b.name === name);
  if (declared === undefined) throw new Error(`not in the registry: ${name} (run \`npm run generate\`)`);
  return bundleBot(declared, outfile);
}

function bundleBot(bot: Bot, outfile: string): Promise<BuiltBundle> {
  const handler = join(root, 'functions', bot.name, 'handler.ts');
  const runtime = join(root, 'shared', 'runtime', 'serve.ts');
  const entry = `import bot from ${importPath(handler)};\nimport { serve } from ${importPath(runtime)};\nvoid serve(bot);\n`;
  return bundle(bot.name, 'function', entry, outfile, [bot.name], bot.rbac.length === 0);
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
    built.push(await bundleBot(bot, join(dist, 'functions', name, 'index.cjs')));
  }

  if (options.only === undefined) {
    for (const [category, members] of [...byCategory].sort(([a], [b]) => a.localeCompare(b))) {
      const imports = members
        .map((m, i) => `import bot${i} from ${importPath(join(root, 'functions', m, 'handler.ts'))};`)
        .join('\n');
      const entry = `${imports}\nimport { serve } from ${importPath(runtime)};\nvoid serve([${members.map((_, i) => `bot${i}`).join(', ')}], { name: ${JSON.stringify(`eco-${category}-bots`)} });\n`;
      built.push(
        await bundle(category, 'group', entry, join(dist, 'groups', category, 'index.cjs'), members),
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
  const codeCache = process.argv.includes('--code-cache');
  const started = performance.now();
  const built = await buildAll(only.length > 0 ? { only } : {});
  for (const b of built) {
    const cache = codeCache
      ? `  code cache ${((await writeCodeCache(join(root, b.file), process.env['ECO_NODE_OPTIONS'] ?? '')) / 1024).toFixed(1)} KiB`
      : '';
    console.log(`${b.file.padEnd(48)} ${(b.bytes / 1024).toFixed(1).padStart(8)} KiB${cache}`);
  }
  console.log(`built ${built.length} bundle(s) in ${Math.round(performance.now() - started)} ms`);
}
