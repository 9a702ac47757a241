import { readdir, access } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Bot } from '../../shared/bot/index.ts';

/** Repository root (local/gateway/ is two levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function isBot(value: unknown): value is Bot {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Bot>;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.run === 'function' &&
    typeof candidate.triggers === 'object'
  );
}

/**
 * The fleet as declared. The generated registry (functions/index.generated.ts) is the source of truth;
 * when it does not exist yet (a bot added before `npm run generate`), each functions/<bot>/handler.ts is
 * imported directly so a newcomer's bot still shows up locally.
 */
export async function loadBots(root: string = REPO_ROOT): Promise<Bot[]> {
  const registry = path.join(root, 'functions', 'index.generated.ts');
  const found = new Map<string, Bot>();
  if (await exists(registry)) {
    const mod = (await import(pathToFileURL(registry).href)) as { bots?: readonly unknown[] };
    for (const bot of mod.bots ?? []) if (isBot(bot)) found.set(bot.name, bot);
  }
  const dir = path.join(root, 'functions');
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || found.has(entry.name)) continue;
    const handler = path.join(dir, entry.name, 'handler.ts');
    if (!(await exists(handler))) continue;
    const mod = (await import(pathToFileURL(handler).href)) as { default?: unknown };
    if (isBot(mod.default)) found.set(mod.default.name, mod.default);
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
