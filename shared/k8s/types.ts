// The cluster-access contract every bot codes against. Implemented in shared/k8s/client.ts.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

/** Any Kubernetes object; bots narrow `spec`/`status` with their own types. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A resource type as the API addresses it (group '' is core). */
export interface ResourceType {
  group: string;
  version: string;
  /** Lower-case plural, e.g. `pods`. */
  plural: string;
  kind: string;
  namespaced: boolean;
}

export interface ListOptions {
  /** Omit for all namespaces (namespaced types) or for cluster-scoped types. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size for `limit`/`continue` paging (default 500). */
  pageSize?: number;
  /**
   * Only each object's `metadata` (with its own `apiVersion` and `kind`): the server sends a
   * PartialObjectMetadataList, a fraction of the bytes. For a bot that needs names, namespaces,
   * labels, annotations, owners or timestamps, never spec or status.
   */
  metadataOnly?: boolean;
}

export interface WriteOptions {
  /** Send `dryRun=All`: the server validates but persists nothing. */
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  patchType: PatchType;
  /** Field manager, required by server-side apply. */
  fieldManager?: string;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
}

export interface K8s {
  /** Streams every object across all pages; relists on 410 Expired continue tokens. */
  list<T extends KubeObject = KubeObject>(type: ResourceType, options?: ListOptions): AsyncIterable<T>;
  /** Resolves undefined on 404. */
  get<T extends KubeObject = KubeObject>(
    type: ResourceType,
    name: string,
    namespace?: string,
  ): Promise<T | undefined>;
  create<T extends KubeObject = KubeObject>(
    type: ResourceType,
    body: KubeObject,
    options?: WriteOptions,
  ): Promise<T>;
  replace<T extends KubeObject = KubeObject>(
    type: ResourceType,
    body: KubeObject,
    options?: WriteOptions,
  ): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    patch: unknown,
    options: PatchOptions,
  ): Promise<T>;
  delete(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    options?: DeleteOptions,
  ): Promise<void>;
  /** Any other path (subresources such as pods/log, /readyz, metrics.k8s.io). JSON bodies parsed. */
  request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
}

export interface LogOptions {
  container?: string;
  /** The previous (crashed) container's log. */
  previous?: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

/**
 * What a bot's `ctx.k8s` is: reads only. Every write goes through `ctx.safety`, so the rails'
 * dry-run, exclusions, cap and audit cannot be bypassed.
 */
export interface K8sReader {
  list<T extends KubeObject = KubeObject>(type: ResourceType, options?: ListOptions): AsyncIterable<T>;
  /** Resolves undefined on 404. */
  get<T extends KubeObject = KubeObject>(
    type: ResourceType,
    name: string,
    namespace?: string,
  ): Promise<T | undefined>;
  /** GET any other path (`/version`, `/readyz?verbose`, aggregated APIs); JSON bodies parsed, text as is. */
  read<T = unknown>(path: string): Promise<T>;
  /** A container's log (`pods/log`), as text. */
  logs(namespace: string, pod: string, options?: LogOptions): Promise<string>;
  /**
   * Whether the API server serves `group/version` (and `plural` in it, when given). One discovery
   * read per group/version per process.
   */
  serves(group: string, version: string, plural?: string): Promise<boolean>;
}
