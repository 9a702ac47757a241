import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bots } from '../../../functions/index.generated.ts';
import { TIERS } from '../../generate/tiers.ts';
import { writeCodeCache } from '../../build.ts';

export interface StagedBot {
  /** start.cjs, as the image runs it. */
  starter: string;
  /** index.cjs's size. */
  bytes: number;
  /** index.cjs.cache's size. */
  cacheBytes: number;
  /** The folder it was laid out in (`<dir>/<bot>`). */
  dir: string;
  /** The bot's tier NODE_OPTIONS; every spawn must pass them, or V8 refuses the code cache. */
  env: { NODE_OPTIONS: string };
}

/**
 * A built bot laid out as in its image, in `<dir>/<bot>/`: index.cjs, start.cjs and a code cache
 * written by this Node with the bot's tier flags. Run `starter` with `env` added.
 */
export async function stageBot(root: string, name: string, dir: string): Promise<StagedBot> {
  const bot = bots.find((b) => b.name === name);
  if (bot === undefined) throw new Error(`${name} is not in the registry`);
  const nodeOptions = TIERS[bot.tier].nodeOptions ?? '';
  const out = join(dir, name);
  await mkdir(out, { recursive: true });
  for (const file of ['index.cjs', 'start.cjs'])
    await copyFile(join(root, 'dist', 'functions', name, file), join(out, file));
  const cacheBytes = await writeCodeCache(join(out, 'index.cjs'), nodeOptions);
  return {
    starter: join(out, 'start.cjs'),
    bytes: (await stat(join(out, 'index.cjs'))).size,
    cacheBytes,
    dir: out,
    env: { NODE_OPTIONS: nodeOptions },
  };
}
