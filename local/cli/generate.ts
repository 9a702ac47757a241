import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../gateway/index.ts';

/** `eco-bots generate [--check]`: delegates to scripts/generate.ts (the packaging step). */
export function generateCommand(args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'generate.ts'), ...args],
      {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      },
    );
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
