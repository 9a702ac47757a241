// Field ownership for server-side apply, reduced to what the wire spec asks for: every write records
// which manager set which leaf field (`Update` for create/update/patch, `Apply` for apply patches);
// an apply that would change a leaf another manager owns is a 409 with FieldManagerConflict causes
// (apimachinery pkg/util/managedfields/internal/conflict.go) unless `force=true`; leaves a manager
// applied before and dropped from its new configuration are removed. Kept beside the objects (not
// as metadata.managedFields, which the emulator does not write).
import type { KubeObject } from '../../shared/k8s/types.ts';
import { ApiError, statusBody } from './status-errors.ts';

export interface Owner {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  /** Set when the write went through a subresource (scale). */
  subresource?: string;
}

/** Lists merged by key in SSA (list-type=map), as in the strategic merge patch table. */
const LIST_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
};

const SERVER_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

type Json = unknown;
const isObject = (v: unknown): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function keyOf(field: string, items: Json[]): string | undefined {
  if (field === 'ports')
    return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  return LIST_KEYS[field];
}

/** A path segment: a field name, or a keyed list element `[name="web"]`. */
type Segment = { field: string } | { key: string; value: Json };

function segString(s: Segment): string {
  return 'field' in s ? `.${s.field}` : `[${s.key}=${JSON.stringify(s.value)}]`;
}

export interface Leaf {
  path: Segment[];
  value: string;
}

/** Leaf fields of an object (values as JSON text); keyed lists are walked element by element. */
export function leaves(obj: KubeObject, withStatus: boolean): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const walk = (v: Json, path: Segment[], field: string): void => {
    if (isObject(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, { field: k }], k);
      return;
    }
    if (Array.isArray(v) && v.length > 0) {
      const key = keyOf(field, v);
      if (key && v.every((i) => isObject(i) && i[key] !== undefined)) {
        for (const item of v as Array<Record<string, Json>>) {
          const seg: Segment = { key, value: item[key] };
          for (const [k, child] of Object.entries(item)) {
            if (k !== key) walk(child, [...path, seg, { field: k }], k);
          }
          // The key itself marks the element as present.
          out.set([...path, seg].map(segString).join(''), {
            path: [...path, seg],
            value: JSON.stringify(item[key]),
          });
        }
        return;
      }
    }
    out.set(path.map(segString).join(''), { path, value: JSON.stringify(v) });
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'status' && !withStatus) continue;
    if (k === 'metadata' && isObject(v)) {
      for (const [mk, mv] of Object.entries(v))
        if (!SERVER_META.has(mk)) walk(mv, [{ field: 'metadata' }, { field: mk }], mk);
      continue;
    }
    walk(v, [{ field: k }], k);
  }
  return out;
}

/** Managers are identified by name, operation and subresource together (as in managedFields). */
function sameManager(a: Owner, b: Owner): boolean {
  return (
    a.manager === b.manager && a.operation === b.operation && (a.subresource ?? '') === (b.subresource ?? '')
  );
}

function printManager(o: Owner): string {
  const name = o.subresource ? `"${o.manager}" with subresource "${o.subresource}"` : `"${o.manager}"`;
  return o.operation === 'Update' ? `${name} using ${o.apiVersion}` : name;
}

/** The 409 of wire spec §9.4. */
export function applyConflict(conflicts: Array<{ owner: Owner; path: string }>): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.owner)}`,
    field: c.path,
  }));
  let message: string;
  if (conflicts.length === 1) {
    const c = conflicts[0] as { owner: Owner; path: string };
    message = `Apply failed with 1 conflict: conflict with ${printManager(c.owner)}: ${c.path}`;
  } else {
    const byManager = new Map<string, { owner: Owner; paths: string[] }>();
    for (const c of conflicts) {
      const id = printManager(c.owner);
      const e = byManager.get(id) ?? { owner: c.owner, paths: [] };
      e.paths.push(c.path);
      byManager.set(id, e);
    }
    const parts: string[] = [];
    for (const m of [...byManager.keys()].sort()) {
      const e = byManager.get(m) as { owner: Owner; paths: string[] };
      parts.push(`conflicts with ${printManager(e.owner)}:`);
      for (const p of e.paths) parts.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${parts.join('\n')}`;
  }
  return new ApiError(statusBody(409, 'Conflict', message, { causes }));
}

function removeAt(obj: Record<string, Json>, path: Segment[]): void {
  const stack: Array<{ container: Record<string, Json> | Json[]; at: string | number }> = [];
  let cur: Json = obj;
  for (const seg of path) {
    if ('field' in seg) {
      if (!isObject(cur) || !(seg.field in cur)) return;
      stack.push({ container: cur, at: seg.field });
      cur = cur[seg.field];
    } else {
      if (!Array.isArray(cur)) return;
      const i = cur.findIndex((x) => isObject(x) && JSON.stringify(x[seg.key]) === JSON.stringify(seg.value));
      if (i < 0) return;
      stack.push({ container: cur, at: i });
      cur = cur[i];
    }
  }
  if (stack.length === 0) return;
  const drop = (e: { container: Record<string, Json> | Json[]; at: string | number }): void => {
    if (Array.isArray(e.container)) e.container.splice(e.at as number, 1);
    else delete e.container[e.at as string];
  };
  drop(stack[stack.length - 1] as (typeof stack)[number]);
  // Prune what the removal emptied: empty maps and lists, and list elements left with only their key.
  for (let i = stack.length - 1; i > 0; i--) {
    const node = (stack[i] as (typeof stack)[number]).container;
    const seg = path[i - 1] as Segment;
    const emptied = Array.isArray(node) ? node.length === 0 : Object.keys(node).length === 0;
    const onlyKey = !Array.isArray(node) && 'key' in seg && Object.keys(node).length === 1 && seg.key in node;
    if (!emptied && !onlyKey) break;
    drop(stack[i - 1] as (typeof stack)[number]);
  }
}

export class FieldOwners {
  private readonly byUid = new Map<string, Map<string, Owner>>();

  /** Ownership after a create/update/patch: changed or added leaves go to `owner`. */
  recordUpdate(
    uid: string,
    prev: KubeObject | undefined,
    next: KubeObject,
    owner: Owner,
    withStatus: boolean,
  ): void {
    const before = prev ? leaves(prev, withStatus) : new Map<string, Leaf>();
    const after = leaves(next, withStatus);
    const owners = this.byUid.get(uid) ?? new Map<string, Owner>();
    for (const [p, leaf] of after) if (before.get(p)?.value !== leaf.value) owners.set(p, owner);
    for (const p of [...owners.keys()]) if (!after.has(p)) owners.delete(p);
    this.byUid.set(uid, owners);
  }

  /**
   * Checks an apply of `applied` by `owner` against `live`; throws the 409 on conflicts unless `force`.
   * Returns the leaves this manager applied before and no longer applies (to be removed).
   */
  checkApply(
    uid: string | undefined,
    live: KubeObject | undefined,
    applied: KubeObject,
    owner: Owner,
    force: boolean,
  ): Leaf[] {
    const owners = uid ? this.byUid.get(uid) : undefined;
    if (!owners || !live) return [];
    const current = leaves(live, false);
    const config = leaves(applied, false);
    const conflicts: Array<{ owner: Owner; path: string }> = [];
    for (const [p, leaf] of config) {
      const o = owners.get(p);
      if (o && !sameManager(o, owner) && current.has(p) && current.get(p)?.value !== leaf.value)
        conflicts.push({ owner: o, path: p });
    }
    if (conflicts.length > 0 && !force)
      throw applyConflict(conflicts.sort((a, b) => a.path.localeCompare(b.path)));
    const dropped: Leaf[] = [];
    for (const [p, o] of owners) {
      if (sameManager(o, owner) && !config.has(p)) {
        const leaf = current.get(p);
        if (leaf) dropped.push(leaf);
      }
    }
    return dropped;
  }

  /** Ownership after an apply: every applied leaf belongs to the applier. */
  recordApply(uid: string, result: KubeObject, applied: KubeObject, owner: Owner): void {
    const owners = this.byUid.get(uid) ?? new Map<string, Owner>();
    const config = leaves(applied, false);
    for (const p of config.keys()) owners.set(p, owner);
    const present = leaves(result, false);
    for (const p of [...owners.keys()]) if (!present.has(p)) owners.delete(p);
    this.byUid.set(uid, owners);
  }

  forget(uid: string | undefined): void {
    if (uid) this.byUid.delete(uid);
  }

  /** Removes leaves from an object (in place). */
  static prune(obj: KubeObject, dropped: readonly Leaf[]): void {
    for (const leaf of dropped) removeAt(obj as unknown as Record<string, Json>, leaf.path);
  }

  ownersOf(uid: string): ReadonlyMap<string, Owner> {
    return this.byUid.get(uid) ?? new Map();
  }
}
