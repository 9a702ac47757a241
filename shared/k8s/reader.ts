// The read-only face of a cluster client: what a bot's ctx.k8s is. Writes are not reachable from
// here at all (not just untyped), so the safety rails stay the only write path.
import { isNotFound } from './errors.ts';
import type { K8s, K8sReader, KubeObject, ListOptions, LogOptions, ResourceType } from './types.ts';

interface DiscoveryList {
  resources?: { name?: string }[];
}

export function readerOf(k8s: K8s): K8sReader {
  const discovery = new Map<string, Promise<Set<string> | undefined>>();

  function served(group: string, version: string): Promise<Set<string> | undefined> {
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    let pending = discovery.get(path);
    if (pending === undefined) {
      pending = k8s.request<DiscoveryList>('GET', path).then(
        (list) => new Set((list?.resources ?? []).map((r) => r.name ?? '')),
        (error: unknown) => {
          discovery.delete(path);
          if (isNotFound(error)) return undefined;
          throw error;
        },
      );
      discovery.set(path, pending);
    }
    return pending;
  }

  return Object.freeze({
    list<T extends KubeObject = KubeObject>(type: ResourceType, options?: ListOptions): AsyncIterable<T> {
      return k8s.list<T>(type, options);
    },
    get<T extends KubeObject = KubeObject>(type: ResourceType, name: string, namespace?: string) {
      return k8s.get<T>(type, name, namespace);
    },
    read<T = unknown>(path: string): Promise<T> {
      return k8s.request<T>('GET', path);
    },
    async logs(namespace: string, pod: string, options: LogOptions = {}): Promise<string> {
      const query = new URLSearchParams();
      if (options.container !== undefined) query.set('container', options.container);
      if (options.previous === true) query.set('previous', 'true');
      if (options.tailLines !== undefined) query.set('tailLines', String(options.tailLines));
      if (options.limitBytes !== undefined) query.set('limitBytes', String(options.limitBytes));
      if (options.sinceSeconds !== undefined) query.set('sinceSeconds', String(options.sinceSeconds));
      if (options.timestamps === true) query.set('timestamps', 'true');
      const qs = query.toString();
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log${qs ? `?${qs}` : ''}`;
      const body = await k8s.request<unknown>('GET', path);
      return typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
    },
    async serves(group: string, version: string, plural?: string): Promise<boolean> {
      const names = await served(group, version);
      if (names === undefined) return false;
      return plural === undefined || names.has(plural);
    },
  });
}
