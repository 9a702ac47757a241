// The object store: a Map per resource keyed `ns/name` (or `name`), a sorted key array per resource so
// a page of a list costs O(log n + page) (etcd key order, which paging depends on), and one global
// resourceVersion counter standing in for the etcd revision. Stored objects are never mutated in place:
// every write stores a fresh object, so the watch history can share them safely, and copies go out.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { groupVersion, resourceId } from './resources.ts';
import type { Registry, ResourceDef } from './resources.ts';
import type { WatchHub, ChangeType } from './watch-hub.ts';

/** RFC 3339 at second precision, UTC, as the apiserver writes metav1.Time. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

class Bucket {
  readonly map = new Map<string, KubeObject>();
  readonly keys: string[] = [];

  /** Index of the first key > k (or >= k when inclusive). */
  bound(k: string, inclusive: boolean): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.keys[mid] as string;
      if (m < k || (!inclusive && m === k)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set(k: string, obj: KubeObject): void {
    if (!this.map.has(k)) this.keys.splice(this.bound(k, true), 0, k);
    this.map.set(k, obj);
  }

  delete(k: string): void {
    if (!this.map.delete(k)) return;
    const i = this.bound(k, true);
    if (this.keys[i] === k) this.keys.splice(i, 1);
  }
}

export interface Page {
  items: KubeObject[];
  /** Key of the last item examined, for the continue token; undefined when the range is exhausted. */
  nextStart: string | undefined;
  /** Keys left in the range after this page (remainingItemCount when no selector was given). */
  remaining: number;
}

/** ObjectMeta fields in Go struct order, so responses read like the real server's. */
const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

function orderMeta(meta: KubeObject['metadata'], rv: string): KubeObject['metadata'] {
  const src = { ...meta, resourceVersion: rv } as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of META_ORDER) if (src[k] !== undefined) out[k] = src[k];
  for (const [k, v] of Object.entries(src))
    if (!(k in out) && k !== 'selfLink' && v !== undefined) out[k] = v;
  return out as unknown as KubeObject['metadata'];
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class Store {
  private counter: number;
  private compacted = 0;
  private readonly buckets = new Map<string, Bucket>();
  private readonly itemJsonCache = new WeakMap<KubeObject, string>();
  /** owner uid -> dependents (resourceId + key), so garbage collection never scans the store. */
  private readonly owners = new Map<string, Map<string, { def: ResourceDef; key: string }>>();

  constructor(
    readonly registry: Registry,
    readonly hub: WatchHub,
    readonly now: () => Date,
    initialRv = 1000,
  ) {
    this.counter = initialRv;
  }

  /** The current revision (what a list reports as its resourceVersion). */
  get rv(): number {
    return this.counter;
  }

  /** Continue tokens and list RVs below this are gone (410 Expired); moved only by compact(). */
  get compactedRv(): number {
    return this.compacted;
  }

  private bucket(def: ResourceDef): Bucket {
    const id = resourceId(def);
    let b = this.buckets.get(id);
    if (!b) {
      b = new Bucket();
      this.buckets.set(id, b);
    }
    return b;
  }

  find(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets
      .get(resourceId(def))
      ?.map.get(objectKey(def.namespaced ? namespace : undefined, name));
  }

  count(def: ResourceDef): number {
    return this.buckets.get(resourceId(def))?.keys.length ?? 0;
  }

  /** Objects of one resource in key order, optionally one namespace; internal (not copies). */
  *scan(def: ResourceDef, namespace?: string): Generator<KubeObject> {
    const b = this.buckets.get(resourceId(def));
    if (!b) return;
    const [from, to] = this.range(b, def, namespace);
    for (let i = from; i < to; i++) {
      const o = b.map.get(b.keys[i] as string);
      if (o) yield o;
    }
  }

  private range(b: Bucket, def: ResourceDef, namespace: string | undefined): [number, number] {
    if (!def.namespaced || namespace === undefined) return [0, b.keys.length];
    // '0' is the character after '/', so [ns/, ns0) is exactly the namespace's keys.
    return [b.bound(`${namespace}/`, true), b.bound(`${namespace}0`, true)];
  }

  /**
   * One page: up to `limit` objects passing `filter`, starting after key `after`. Cost is the keys
   * examined, not the collection size.
   */
  page(
    def: ResourceDef,
    namespace: string | undefined,
    after: string | undefined,
    limit: number,
    filter: (o: KubeObject) => boolean,
  ): Page {
    const b = this.buckets.get(resourceId(def));
    if (!b) return { items: [], nextStart: undefined, remaining: 0 };
    const [from, to] = this.range(b, def, namespace);
    let i = after === undefined ? from : Math.max(from, b.bound(after, false));
    const items: KubeObject[] = [];
    let last: string | undefined;
    while (i < to && items.length < limit) {
      const k = b.keys[i] as string;
      const o = b.map.get(k) as KubeObject;
      if (filter(o)) items.push(o);
      last = k;
      i++;
    }
    return { items, nextStart: i < to ? last : undefined, remaining: to - i };
  }

  private normalise(def: ResourceDef, obj: KubeObject, rv: number): KubeObject {
    const { kind: _k, apiVersion: _a, metadata, ...rest } = obj;
    return {
      kind: def.kind,
      apiVersion: groupVersion(def),
      metadata: orderMeta(metadata, String(rv)),
      ...rest,
    };
  }

  private index(def: ResourceDef, obj: KubeObject | undefined, present: boolean): void {
    if (!obj) return;
    const key = objectKey(def.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name);
    const id = `${resourceId(def)}|${key}`;
    for (const ref of obj.metadata.ownerReferences ?? []) {
      if (!ref?.uid) continue;
      let deps = this.owners.get(ref.uid);
      if (present) {
        if (!deps) {
          deps = new Map();
          this.owners.set(ref.uid, deps);
        }
        deps.set(id, { def, key });
      } else if (deps) {
        deps.delete(id);
        if (deps.size === 0) this.owners.delete(ref.uid);
      }
    }
  }

  /** Current objects whose ownerReferences name `uid`. */
  dependents(uid: string): Array<{ def: ResourceDef; obj: KubeObject }> {
    const out: Array<{ def: ResourceDef; obj: KubeObject }> = [];
    for (const { def, key } of this.owners.get(uid)?.values() ?? []) {
      const obj = this.buckets.get(resourceId(def))?.map.get(key);
      if (obj && (obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) out.push({ def, obj });
    }
    return out;
  }

  private emit(def: ResourceDef, type: ChangeType, obj: KubeObject, prev: KubeObject | undefined): void {
    this.index(def, prev, false);
    if (type !== 'DELETED') this.index(def, obj, true);
    if (def.plural === 'customresourcedefinitions' && def.group === 'apiextensions.k8s.io') {
      if (type === 'DELETED') this.registry.unregisterCrd(obj);
      else this.registry.registerCrd(obj);
    }
    this.hub.publish({ rv: this.counter, type, rid: resourceId(def), obj, prev });
  }

  /** Commits a new object (server fields already prepared); bumps the revision. */
  commitCreate(def: ResourceDef, obj: KubeObject): KubeObject {
    const stored = this.normalise(def, obj, ++this.counter);
    this.bucket(def).set(
      objectKey(def.namespaced ? stored.metadata.namespace : undefined, stored.metadata.name),
      stored,
    );
    this.emit(def, 'ADDED', stored, undefined);
    return stored;
  }

  commitUpdate(def: ResourceDef, obj: KubeObject, prev: KubeObject): KubeObject {
    const stored = this.normalise(def, obj, ++this.counter);
    this.bucket(def).set(
      objectKey(def.namespaced ? stored.metadata.namespace : undefined, stored.metadata.name),
      stored,
    );
    this.emit(def, 'MODIFIED', stored, prev);
    return stored;
  }

  /** Removes an object; the DELETED event and the return value carry the deletion revision. */
  commitDelete(def: ResourceDef, prev: KubeObject): KubeObject {
    const rv = ++this.counter;
    const gone = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(rv) } };
    this.bucket(def).delete(
      objectKey(def.namespaced ? prev.metadata.namespace : undefined, prev.metadata.name),
    );
    this.emit(def, 'DELETED', gone, prev);
    return gone;
  }

  /** Expires every continue token and watch position up to now (etcd compaction). */
  compact(): void {
    // Bump first so that lists taken after compaction (at the new revision) stay valid.
    this.compacted = ++this.counter;
    this.hub.compact(this.counter);
  }

  /** JSON of a list item: built-in lists strip TypeMeta from items, CR lists keep it. Cached. */
  itemJson(def: ResourceDef, obj: KubeObject): string {
    let s = this.itemJsonCache.get(obj);
    if (s === undefined) {
      if (def.custom) s = JSON.stringify(obj);
      else {
        const { kind: _k, apiVersion: _a, ...rest } = obj;
        s = JSON.stringify(rest);
      }
      this.itemJsonCache.set(obj, s);
    }
    return s;
  }

  /** JSON of a single object, `kind` and `apiVersion` first. */
  objectJson(def: ResourceDef, obj: KubeObject): string {
    if (def.custom) return this.itemJson(def, obj);
    const body = this.itemJson(def, obj);
    return `{"kind":${JSON.stringify(def.kind)},"apiVersion":${JSON.stringify(groupVersion(def))},${body.slice(1)}`;
  }
}

/** Server-populated fields on create: uid, creationTimestamp, generation (seeded values are kept). */
export function prepareCreate(def: ResourceDef, obj: KubeObject, now: Date): KubeObject {
  const metadata = { ...obj.metadata };
  metadata.uid ??= randomUUID();
  metadata.creationTimestamp ??= formatTime(now);
  if (def.hasGeneration) metadata.generation ??= 1;
  else delete metadata.generation;
  delete metadata.resourceVersion;
  return { ...obj, metadata };
}

export type ResourceRef = string | { group: string; plural: string };

/**
 * The test-facing store: get/list/put/delete bypassing HTTP and RBAC, always in copies. Writes still
 * go through the revision counter and the watch history, so watchers see them.
 */
export class EmulatorStore {
  constructor(private readonly store: Store) {}

  private def(ref: ResourceRef): ResourceDef {
    const d = this.store.registry.resolve(ref);
    if (!d) throw new Error(`unknown resource ${JSON.stringify(ref)}`);
    return d;
  }

  private defOf(obj: KubeObject): ResourceDef {
    const d = obj.apiVersion && obj.kind ? this.store.registry.byKind(obj.apiVersion, obj.kind) : undefined;
    if (!d)
      throw new Error(
        `unknown apiVersion/kind ${obj.apiVersion ?? '?'}/${obj.kind ?? '?'} for ${obj.metadata?.name}`,
      );
    return d;
  }

  get resourceVersion(): number {
    return this.store.rv;
  }

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, name: string, namespace?: string): T | undefined {
    const o = this.store.find(this.def(ref), namespace, name);
    return o ? (structuredClone(o) as T) : undefined;
  }

  list<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace?: string): T[] {
    return [...this.store.scan(this.def(ref), namespace)].map((o) => structuredClone(o) as T);
  }

  count(ref: ResourceRef): number {
    return this.store.count(this.def(ref));
  }

  /** Creates or replaces (by apiVersion/kind/namespace/name); returns the stored copy. */
  put<T extends KubeObject = KubeObject>(obj: KubeObject): T {
    const d = this.defOf(obj);
    if (!obj.metadata?.name) throw new Error('put: metadata.name is required');
    const ns = d.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    const body = structuredClone(obj);
    if (ns) body.metadata.namespace = ns;
    else delete body.metadata.namespace;
    const prev = this.store.find(d, ns, obj.metadata.name);
    if (prev) {
      // Server fields are kept unless the caller sets them (seeds carry their own uid and age).
      const merged: KubeObject = {
        ...body,
        metadata: {
          ...body.metadata,
          uid: body.metadata.uid ?? (prev.metadata.uid as string),
          creationTimestamp: body.metadata.creationTimestamp ?? (prev.metadata.creationTimestamp as string),
        },
      };
      return structuredClone(this.store.commitUpdate(d, merged, prev)) as T;
    }
    return structuredClone(this.store.commitCreate(d, prepareCreate(d, body, this.store.now()))) as T;
  }

  delete(ref: ResourceRef, name: string, namespace?: string): boolean {
    const d = this.def(ref);
    const prev = this.store.find(d, namespace, name);
    if (!prev) return false;
    this.store.commitDelete(d, prev);
    return true;
  }

  /** Compaction: every continue token and watch resourceVersion issued so far becomes 410 Expired. */
  compact(): void {
    this.store.compact();
  }
}
