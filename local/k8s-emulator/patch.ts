// The four PATCH content types: RFC 6902 JSON patch, RFC 7386 merge patch, strategic merge patch
// (lists merged by the merge keys the Kubernetes OpenAPI declares, `$patch` / `$deleteFromPrimitiveList`
// / `$retainKeys` directives), and a basic server-side apply (merge of the applied configuration).
import { badRequest, patchRejected } from './status-errors.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export type PatchKind = keyof typeof PATCH_TYPES;

export function patchKindOf(contentType: string | undefined): PatchKind | undefined {
  const ct = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  for (const [k, v] of Object.entries(PATCH_TYPES)) if (v === ct) return k as PatchKind;
  if (ct === 'application/apply-patch+cbor') return undefined;
  return undefined;
}

// ---------- RFC 6902 ----------

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchOpError();
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

class PatchOpError extends Error {}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function getAt(doc: Json, parts: string[]): Json {
  let cur: Json = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(p)) throw new PatchOpError();
      const i = Number(p);
      if (i >= cur.length) throw new PatchOpError();
      cur = cur[i] as Json;
    } else if (isObject(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, p)) throw new PatchOpError();
      cur = cur[p] as Json;
    } else throw new PatchOpError();
  }
  return cur;
}

function parentOf(doc: Json, parts: string[]): [Json, string] {
  if (parts.length === 0) throw new PatchOpError();
  return [getAt(doc, parts.slice(0, -1)), parts[parts.length - 1] as string];
}

function addAt(doc: Json, parts: string[], value: Json): Json {
  if (parts.length === 0) return value;
  const [parent, key] = parentOf(doc, parts);
  if (Array.isArray(parent)) {
    if (key === '-') parent.push(value);
    else {
      if (!/^(0|[1-9]\d*)$/.test(key)) throw new PatchOpError();
      const i = Number(key);
      if (i > parent.length) throw new PatchOpError();
      parent.splice(i, 0, value);
    }
  } else if (isObject(parent)) parent[key] = value;
  else throw new PatchOpError();
  return doc;
}

function removeAt(doc: Json, parts: string[]): Json {
  const [parent, key] = parentOf(doc, parts);
  getAt(doc, parts); // must exist
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (isObject(parent)) delete parent[key];
  return doc;
}

/** Applies an RFC 6902 patch to a copy of `doc`. Malformed patch: 400; a failing op: the apiserver's 422. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  if (patch.length > 10000) {
    throw badRequest(`The allowed maximum operations in a JSON patch is 10000, got ${patch.length}`);
  }
  const ops: Op[] = patch.map((raw: unknown) => {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      throw badRequest('json: invalid JSON patch operation: each operation needs "op" and "path"');
    }
    const op: Op = { op: raw['op'], path: raw['path'] };
    if (typeof raw['from'] === 'string') op.from = raw['from'];
    if ('value' in raw) op.value = raw['value'] as Json;
    return op;
  });
  let cur = structuredClone(doc) as Json;
  try {
    for (const op of ops) {
      const parts = parsePointer(op.path);
      switch (op.op) {
        case 'add':
          if (!('value' in op)) throw new PatchOpError();
          cur = addAt(cur, parts, structuredClone(op.value as Json));
          break;
        case 'remove':
          cur = removeAt(cur, parts);
          break;
        case 'replace':
          if (!('value' in op)) throw new PatchOpError();
          getAt(cur, parts);
          if (parts.length === 0) cur = structuredClone(op.value as Json);
          else {
            cur = removeAt(cur, parts);
            cur = addAt(cur, parts, structuredClone(op.value as Json));
          }
          break;
        case 'move': {
          if (op.from === undefined) throw new PatchOpError();
          const from = parsePointer(op.from);
          const v = getAt(cur, from);
          cur = removeAt(cur, from);
          cur = addAt(cur, parts, v);
          break;
        }
        case 'copy': {
          if (op.from === undefined) throw new PatchOpError();
          cur = addAt(cur, parts, structuredClone(getAt(cur, parsePointer(op.from))));
          break;
        }
        case 'test':
          if (!deepEqual(getAt(cur, parts), op.value ?? null)) throw new PatchOpError();
          break;
        default:
          throw badRequest(`Unexpected kind: ${op.op}`);
      }
    }
  } catch (e) {
    if (e instanceof PatchOpError) throw patchRejected();
    throw e;
  }
  return cur;
}

// ---------- RFC 7386 ----------

export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(doc) ? structuredClone(doc) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v)) out[k] = applyMergePatch(out[k], v) as Json;
    else out[k] = structuredClone(v);
  }
  return out;
}

// ---------- strategic merge patch ----------

/** Merge keys of the lists the Kubernetes API marks `x-kubernetes-patch-strategy: merge`. */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  addresses: 'type',
  hostAliases: 'ip',
  podIPs: 'ip',
  hostIPs: 'ip',
  topologySpreadConstraints: 'topologyKey',
  secrets: 'name',
  resourceClaims: 'name',
  resourceClaimStatuses: 'name',
  schedulingGates: 'name',
  allocatedResourcesStatus: 'name',
  ownerReferences: 'uid',
};

/** Lists of scalars merged as sets. */
const PRIMITIVE_MERGE = new Set(['finalizers', 'podCIDRs']);

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  if (field === 'ports') {
    // Container ports merge by containerPort, Service ports by port.
    return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

function mergeList(field: string, original: Json | undefined, patch: Json[]): Json[] {
  const orig = Array.isArray(original) ? original : [];
  if (PRIMITIVE_MERGE.has(field)) {
    const out = [...orig];
    for (const v of patch) if (!out.some((o) => deepEqual(o, v))) out.push(v);
    return out;
  }
  const key = mergeKeyFor(field, [...orig, ...patch]);
  if (!key || !patch.every(isObject)) return patch.filter((p) => !(isObject(p) && p['$patch'] !== undefined));
  // A `$patch: replace` element replaces the whole list with the other elements.
  if (patch.some((p) => isObject(p) && p['$patch'] === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p['$patch'] === 'replace'));
  }
  const out: Json[] = orig.map((o) => structuredClone(o));
  for (const p of patch as JsonObject[]) {
    const idx = out.findIndex((o) => isObject(o) && deepEqual(o[key], p[key]));
    if (p['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMerge(out[idx], p) as Json;
    else out.push(strategicMerge(undefined, p) as Json);
  }
  return out;
}

/** Applies a strategic merge patch (built-in kinds only; CRs get 415 before this). */
export function strategicMerge(original: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: JsonObject = isObject(original) ? structuredClone(original) : {};
  let retain: string[] | undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (k === '$retainKeys') {
      if (Array.isArray(v)) retain = v.filter((x): x is string => typeof x === 'string');
      continue;
    }
    if (k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const list = out[field];
      if (Array.isArray(list) && Array.isArray(v))
        out[field] = list.filter((x) => !v.some((d) => deepEqual(d, x)));
      continue;
    }
    if (v === null) delete out[k];
    else if (isObject(v) && v['$patch'] === 'delete') delete out[k];
    else if (isObject(v)) out[k] = strategicMerge(out[k], v) as Json;
    else if (Array.isArray(v)) out[k] = mergeList(k, out[k], v);
    else out[k] = structuredClone(v);
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k) && !(k in patch)) delete out[k];
  return out;
}

// ---------- server-side apply (basic) ----------

/**
 * Basic server-side apply: the applied configuration is merged over the live object (strategic for
 * built-ins, JSON merge for CRs). Field ownership and conflicts are not tracked (see LIMITATIONS.md).
 */
export function applyConfiguration(live: unknown, applied: unknown, custom: boolean): unknown {
  if (live === undefined) return structuredClone(applied);
  return custom ? applyMergePatch(live, applied) : strategicMerge(live, applied);
}
