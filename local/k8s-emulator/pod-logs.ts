// Canned container logs served by `pods/{name}/log` (current and `previous=true`), seeded by tests,
// by the demo cluster, or by `PodLog` documents in seed files.

export interface PodLogEntry {
  namespace: string;
  pod: string;
  container: string;
  /** The previous (terminated) container instance. */
  previous?: boolean;
  text: string;
}

export class PodLogs {
  private readonly logs = new Map<string, string>();

  private static key(namespace: string, pod: string, container: string, previous: boolean): string {
    return `${namespace}/${pod}/${container}/${previous ? 'previous' : 'current'}`;
  }

  set(e: PodLogEntry): void {
    this.logs.set(PodLogs.key(e.namespace, e.pod, e.container, e.previous ?? false), e.text);
  }

  get(namespace: string, pod: string, container: string, previous: boolean): string | undefined {
    return this.logs.get(PodLogs.key(namespace, pod, container, previous));
  }

  dropNamespace(namespace: string): void {
    for (const k of this.logs.keys()) if (k.startsWith(`${namespace}/`)) this.logs.delete(k);
  }
}
