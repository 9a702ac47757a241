// A bot's process when run from source (no dist bundle): the same two lines the build writes into
// dist/functions/<bot>/index.cjs, with the bot chosen by argv. Started by the gateway as
// `node --import tsx local/gateway/bot-entry.ts <bot> [handler-file]` (tests pass fixture handlers).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve } from '../../shared/runtime/index.ts';
import type { Bot } from '../../shared/bot/index.ts';
import { REPO_ROOT } from './bots.ts';

const name = process.argv[2] ?? '';
if (!/^[a-z][-a-z0-9]*$/.test(name)) {
  process.stderr.write(`usage: bot-entry.ts <bot-name> (got "${name}")\n`);
  process.exit(2);
}
const file = process.argv[3] ?? path.join(REPO_ROOT, 'functions', name, 'handler.ts');
const mod = (await import(pathToFileURL(file).href)) as { default: Bot };
await serve(mod.default);
