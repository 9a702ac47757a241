// Read sharing for one sweep: when one cron tick (or one HTTP call) runs several bots in one process,
// a list that two of them make with the same request (client, resource, namespace, selectors) is read
// from the API server once and handed to both. Scoped to that one sweep: a new tick reads afresh, a
// single run of a single bot never gets a scope and reads exactly as before.
//
// What a bot gets from a shared list is the same objects every other bot of the sweep got, deeply
// frozen: a bot must not mutate what it listed (copy first). Strict-mode code that tries gets a
// TypeError rather than silently changing another bot's input. A metadata-only list is served from
// the whole list of the same request when one is held (the metadata is the same objects').
import type { Bot } from '../bot/types.ts';
import { rbacAllows } from '../k8s/rbac.ts';
import type { K8s, K8sReader, KubeObject, ListOptions, ResourceType } from '../k8s/types.ts';

/** What one sweep's sharing did, per bot: lists it sent to the API server and lists it was handed. */
export interface ReadScopeStats {
  /** Lists sent to the API server (each one paged read of a resource). */
  listed: number;
  /** Lists answered from a read another bot of the sweep made (or was making). */
  shared: number;
  /** Lists that bypassed the scope because the bot's declared RBAC does not grant `list` on them. */
  bypassed: number;
}

export interface ReadScope {
  /** `ctx.k8s` for `bot` in this sweep: `base` with its lists shared through the scope. */
  reader(k8s: K8s, base: K8sReader, bot: Pick<Bot, 'name' | 'rbac'>): K8sReader;
  /** Per bot, what the scope did for it. */
  stats(): ReadonlyMap<string, Readonly<ReadScopeStats>>;
  /** Drops every held list (the end of the sweep); later lists through the scope read afresh. */
  close(): void;
}

type Shared = Promise<readonly KubeObject[]>;

/**
 * The request's identity: every option that decides which objects come back. The page size does
 * not (paging splits the same answer differently), so two bots paging differently still share.
 */
function requestKey(type: ResourceType, options: ListOptions | undefined, metadataOnly: boolean): string {
  return JSON.stringify([
    type.group,
    type.version,
    type.plural,
    type.namespaced ? (options?.namespace ?? '') : '',
    options?.labelSelector ?? '',
    options?.fieldSelector ?? '',
    metadataOnly,
  ]);
}

/** What a metadata-only list gives, made from the whole objects another bot listed. */
function metadataOf(objects: readonly KubeObject[]): readonly KubeObject[] {
  return deepFreeze(
    objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata }) as KubeObject),
  );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

async function readAll(k8s: K8s, type: ResourceType, options: ListOptions | undefined): Shared {
  const out: KubeObject[] = [];
  for await (const object of k8s.list(type, options)) out.push(object);
  return deepFreeze(out);
}

/**
 * A scope for one sweep. Lists are keyed per client (a client is one identity: one token, one
 * cluster) and per request, so bots running under different credentials never share; and a bot is
 * only handed a shared list when its own declared RBAC grants `list` on that resource, so a bot in
 * a process whose ServiceAccount holds the union of the group's rules (the compact profile) cannot
 * see through the cache what its own rules would refuse: such a read goes to the API server as it
 * would without the scope. A failed read is handed to the bots that were waiting on it and then
 * forgotten, so the next bot that asks reads again.
 */
export function createReadScope(): ReadScope {
  let lists = new WeakMap<K8s, Map<string, Shared>>();
  const perBot = new Map<string, ReadScopeStats>();

  function statsOf(bot: string): ReadScopeStats {
    let stats = perBot.get(bot);
    if (stats === undefined) {
      stats = { listed: 0, shared: 0, bypassed: 0 };
      perBot.set(bot, stats);
    }
    return stats;
  }

  function sharedList(k8s: K8s, bot: string, type: ResourceType, options: ListOptions | undefined): Shared {
    let held = lists.get(k8s);
    if (held === undefined) {
      held = new Map();
      lists.set(k8s, held);
    }
    const metadataOnly = options?.metadataOnly === true;
    const key = requestKey(type, options, metadataOnly);
    const pending = held.get(key);
    if (pending !== undefined) {
      statsOf(bot).shared += 1;
      return pending;
    }
    // A metadata-only list is a projection of the whole list of the same request, if one is held.
    const whole = metadataOnly ? held.get(requestKey(type, options, false)) : undefined;
    if (whole !== undefined) {
      statsOf(bot).shared += 1;
      const projected = whole.then(metadataOf);
      held.set(key, projected);
      const map = held;
      projected.catch(() => {
        if (map.get(key) === projected) map.delete(key);
      });
      return projected;
    }
    statsOf(bot).listed += 1;
    const map = held;
    const read = readAll(k8s, type, options);
    map.set(key, read);
    read.catch(() => {
      if (map.get(key) === read) map.delete(key);
    });
    return read;
  }

  return {
    reader(k8s, base, bot) {
      return Object.freeze({
        ...base,
        list<T extends KubeObject = KubeObject>(type: ResourceType, options?: ListOptions): AsyncIterable<T> {
          if (!rbacAllows(bot.rbac, type, 'list')) {
            statsOf(bot.name).bypassed += 1;
            return base.list<T>(type, options);
          }
          // Started on first iteration, as the unshared list is.
          return (async function* () {
            yield* (await sharedList(k8s, bot.name, type, options)) as readonly T[];
          })();
        },
      });
    },
    stats() {
      return perBot;
    },
    close() {
      lists = new WeakMap();
    },
  };
}
