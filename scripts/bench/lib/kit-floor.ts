import { join } from 'node:path';
import { build } from 'esbuild';
import { buildStarter, leanBundle, singleBotRuntime } from '../../build.ts';

/**
 * A bot that does nothing, bundled like every bot: what the kit alone costs (runtime, validation,
 * report, metrics, logs), so a bot's own share of a figure can be told apart from the kit's.
 */
const SOURCE = `
import * as Type from './shared/schema/index.ts';
import { defineBot } from './shared/bot/index.ts';
import { serve } from './shared/runtime/serve.ts';
const bot = defineBot({
  name: 'eco-noop-bot', category: 'maintenance', tier: 'small', summary: 'does nothing (bench floor)',
  triggers: { http: true }, rbac: [], mutates: false,
  input: Type.Object({}, { additionalProperties: true }),
  async run() { return { summary: 'nothing to do', findings: [] }; },
});
void serve(bot);
`;

/** The no-op bot bundled like a bot's index.cjs, in `<dir>/noop/`; returns the bundle's path. */
export async function buildKitFloor(root: string, dir: string): Promise<string> {
  const outfile = join(dir, 'noop', 'index.cjs');
  await build({
    stdin: { contents: SOURCE, resolveDir: root, sourcefile: 'noop-bot.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: process.env['BENCH_NO_MINIFY'] !== '1',
    outfile,
    logLevel: 'warning',
    // As a real bundle of a bot without RBAC is made, with start.cjs beside it.
    plugins: [singleBotRuntime, leanBundle(true)],
  });
  await buildStarter(join(dir, 'noop', 'start.cjs'));
  return outfile;
}
