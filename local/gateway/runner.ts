import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './bots.ts';

/** How bot processes are started: the esbuild bundle (fast cold start) or the TypeScript source via tsx. */
export type RunnerKind = 'dist' | 'source';
export type RunnerChoice = RunnerKind | 'auto';

export function distEntry(bot: string, root = REPO_ROOT): string {
  return path.join(root, 'dist', 'functions', bot, 'index.cjs');
}

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * `auto` uses the bundle only when it is newer than every source file it was built from (the bot's
 * folder and shared/), so an edit is never hidden by a stale dist/; otherwise the source runs via tsx.
 */
export function chooseRunner(bot: string, choice: RunnerChoice, root = REPO_ROOT): RunnerKind {
  if (choice !== 'auto') return choice;
  const bundle = distEntry(bot, root);
  if (!existsSync(bundle)) return 'source';
  const built = statSync(bundle).mtimeMs;
  const sources = Math.max(
    newestMtime(path.join(root, 'functions', bot)),
    newestMtime(path.join(root, 'shared')),
  );
  return built >= sources ? 'dist' : 'source';
}

export function runnerCommand(
  bot: string,
  kind: RunnerKind,
  handler?: string,
  root = REPO_ROOT,
): { command: string; args: string[] } {
  if (kind === 'dist') return { command: process.execPath, args: [distEntry(bot, root)] };
  const entry = path.join(root, 'local', 'gateway', 'bot-entry.ts');
  return {
    command: process.execPath,
    args: ['--import', 'tsx', entry, bot, ...(handler !== undefined ? [handler] : [])],
  };
}
