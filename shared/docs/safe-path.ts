// Every path the scanner opens goes through here: a catalogue entry, an id or a symlink must not
// lead outside the checkout (`../` escapes, absolute paths, symlinks pointing out).
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { DocsError } from './errors.ts';

/** Whether `child` is `parent` or lies below it (both absolute, normalised). */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The absolute path of `relative` inside `root`, refused when it is absolute, contains a NUL, climbs
 * out with `..`, or (when it exists) resolves through a symlink to somewhere outside the root.
 * `rootReal` is the root's own realpath (the checkout itself may be reached through a symlink).
 */
export async function resolveInside(root: string, rootReal: string, relative: string): Promise<string> {
  const refuse = (why: string): DocsError =>
    new DocsError('path-outside-checkout', `refused path "${relative}": ${why}`, { file: relative });
  if (relative.includes('\0')) throw refuse('it contains a NUL byte');
  if (path.isAbsolute(relative) || /^[a-zA-Z]:[\\/]/.test(relative) || relative.startsWith('\\'))
    throw refuse('absolute paths are not allowed');
  const absolute = path.resolve(root, relative);
  if (!isInside(root, absolute)) throw refuse('it leads outside the documentation checkout');
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return absolute;
    throw error;
  }
  if (!isInside(rootReal, real)) throw refuse('a symlink leads outside the documentation checkout');
  return real;
}
