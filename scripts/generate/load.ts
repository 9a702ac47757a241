import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Bot } from '../../shared/bot/types.ts';
import type { Fleet } from './types.ts';

/** `functions/<bot>/handler.ts` for every bot folder, sorted. */
export async function findHandlers(root: string): Promise<string[]> {
  const dir = join(root, 'functions');
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const file = join(dir, entry.name, 'handler.ts');
    if (
      await stat(file).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      found.push(`functions/${entry.name}/handler.ts`);
  }
  return found.sort();
}

function isBot(value: unknown): value is Bot {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate['name'] === 'string' &&
    typeof candidate['run'] === 'function' &&
    typeof candidate['triggers'] === 'object'
  );
}

/** Imports each handler and checks its default export is a bot named after its folder. */
export async function loadFleet(root: string): Promise<Fleet> {
  const handlerFiles = await findHandlers(root);
  const bots: Bot[] = [];
  for (const file of handlerFiles) {
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(join(root, file)).href)) as { default?: unknown };
    } catch (error) {
      throw new Error(`${file}: cannot be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
    const bot = module.default;
    if (!isBot(bot))
      throw new Error(`${file}: the default export is not a bot (export default defineBot({...}))`);
    const folder = file.split('/')[1];
    if (bot.name !== folder)
      throw new Error(`${file}: bot name "${bot.name}" differs from its folder "${folder}"`);
    bots.push(bot);
  }
  return { bots, handlerFiles };
}
