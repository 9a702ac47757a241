// eco-archive-bot's plan, pure: which objects under the hot prefixes are older than N days, and where
// each goes under the cold prefix. A backup folder (archive + manifest) moves as one unit, judged by
// its newest file, so a half-moved backup never exists in either place for long. The move itself
// (copy, verify the copy's sha256, delete the hot copy only then) is in the handler.
import type { ObjectHead, ObjectSummary } from '../../shared/storage/index.ts';

export interface Move {
  /** A backup folder's name or an object key, for the report. */
  unit: string;
  ageDays: number;
  objects: Array<{ hot: string; cold: string; size: number }>;
}

export interface PlanOptions {
  now: Date;
  olderThanDays: number;
  /** Folder-per-backup prefixes (e.g. `backups/`): the first path segment after it is a unit. */
  folderPrefixes: readonly string[];
  /** Prefixes of single objects (e.g. `reports/`). */
  objectPrefixes: readonly string[];
  coldPrefix: string;
}

export function planMoves(objects: readonly ObjectSummary[], options: PlanOptions): Move[] {
  const units = new Map<string, ObjectSummary[]>();
  for (const object of objects) {
    if (object.key.startsWith(options.coldPrefix)) continue;
    const folder = options.folderPrefixes.find((p) => object.key.startsWith(p));
    if (folder !== undefined) {
      const rest = object.key.slice(folder.length);
      const slash = rest.indexOf('/');
      if (slash <= 0) continue;
      const unit = `${folder}${rest.slice(0, slash)}/`;
      units.set(unit, [...(units.get(unit) ?? []), object]);
    } else if (options.objectPrefixes.some((p) => object.key.startsWith(p))) {
      units.set(object.key, [object]);
    }
  }
  const moves: Move[] = [];
  for (const [unit, members] of units) {
    const newest = Math.max(...members.map((m) => m.lastModified.getTime()));
    const ageDays = Math.floor((options.now.getTime() - newest) / 86_400_000);
    if (ageDays < options.olderThanDays) continue;
    moves.push({
      unit,
      ageDays,
      objects: members
        .map((m) => ({ hot: m.key, cold: `${options.coldPrefix}${m.key}`, size: m.size }))
        .sort((a, b) => a.hot.localeCompare(b.hot)),
    });
  }
  return moves.sort((a, b) => a.unit.localeCompare(b.unit));
}

export type CopyCheck = { ok: true } | { ok: false; reason: string };

/** The copy is good when it exists, has the source's size and the source's recorded sha256. */
export function checkCopy(source: ObjectHead | undefined, copy: ObjectHead | undefined): CopyCheck {
  if (source === undefined) return { ok: false, reason: 'the hot object vanished during the move' };
  if (copy === undefined) return { ok: false, reason: 'the copy is not there' };
  if (source.sha256 === undefined)
    return { ok: false, reason: 'the hot object has no recorded sha256 to verify against' };
  if (copy.sha256 !== source.sha256) {
    return { ok: false, reason: `copy sha256 ${copy.sha256 ?? 'none'} differs from ${source.sha256}` };
  }
  if (copy.size !== source.size)
    return { ok: false, reason: `copy has ${copy.size} bytes, the source ${source.size}` };
  return { ok: true };
}
