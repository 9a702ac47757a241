import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * A bot that does nothing, bundled like every bot: what the kit alone costs (runtime, validation,
 * report, metrics, logs), so a bot's own share of a figure can be told apart from the kit's.
 */
const SOURCE = `
import { Type } from '@sinclair/typebox';
import { defineBot } from './shared/bot/index.ts';
import { serve } from './shared/runtime/index.ts';
const bot = defineBot({
  name: 'eco-noop-bot', category: 'maintenance', tier: 'small', summary: 'does nothing (bench floor)',
  triggers: { http: true }, rbac: [], mutates: false,
  input: Type.Object({}, { additionalProperties: true }),
  async run() { return { summary: 'nothing to do', findings: [] }; },
});
void serve(bot);
`;

export async function buildKitFloor(root: string, dir: string): Promise<string> {
  const outfile = join(dir, 'noop-bot.mjs');
  await build({
    stdin: { contents: SOURCE, resolveDir: root, sourcefile: 'noop-bot.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    banner: {
      js: "import { createRequire as __ecoCreateRequire } from 'node:module'; const require = __ecoCreateRequire(import.meta.url);",
    },
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}
