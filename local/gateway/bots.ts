import { access } from 'node:fs/promises';
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
 * The fleet as declared: the generated registry (functions/index.generated.ts) is the one place bots
 * are discovered. A bot folder added without `npm run generate` is not part of the fleet yet (and
 * `npm run generate -- --check` fails in CI until it is).
 */
export async function loadBots(root: string = REPO_ROOT): Promise<Bot[]> {
  const registry = path.join(root, 'functions', 'index.generated.ts');
  if (!(await exists(registry)))
    throw new Error(`${path.relative(process.cwd(), registry)} is missing: run \`npm run generate\``);
  const mod = (await import(pathToFileURL(registry).href)) as { bots?: readonly unknown[] };
  const found = (mod.bots ?? []).filter(isBot);
  return [...found].sort((a, b) => a.name.localeCompare(b.name));
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
