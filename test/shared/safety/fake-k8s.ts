// A minimal in-memory K8s for safety-rail unit tests: objects by type/namespace/name, delete
// preconditions and patch resourceVersion checks answered with the API server's typed errors.
import { K8sApiError } from '../../../shared/k8s/errors.ts';
import type {
  DeleteOptions,
  K8s,
  KubeObject,
  PatchOptions,
  ResourceType,
  WriteOptions,
} from '../../../shared/k8s/types.ts';

export interface Call {
  verb: string;
  type: string;
  name: string;
  namespace?: string | undefined;
  dryRun?: boolean | undefined;
  body?: unknown;
  options?: unknown;
}

export class FakeK8s implements K8s {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: Call[] = [];
  /** Called before a mutation is applied; lets a test change the object "concurrently". */
  beforeMutation?: (call: Call) => void;
  /** Plural names whose reads answer 403. */
  forbidden = new Set<string>();
  private rv = 100;

  key(type: ResourceType, name: string, namespace?: string): string {
    return `${type.plural}/${namespace ?? ''}/${name}`;
  }
  put(type: ResourceType, object: KubeObject): KubeObject {
    const stored = structuredClone(object);
    stored.apiVersion ??= type.group ? `${type.group}/${type.version}` : type.version;
    stored.kind ??= type.kind;
    stored.metadata.resourceVersion = String(++this.rv);
    stored.metadata.uid ??= `uid-${stored.metadata.name}`;
    this.objects.set(this.key(type, stored.metadata.name, stored.metadata.namespace), stored);
    return structuredClone(stored);
  }
  private error(code: number, reason: string, message: string): K8sApiError {
    return new K8sApiError({
      status: code,
      method: 'X',
      path: '/',
      body: { kind: 'Status', code, reason, message },
    });
  }

  async *list<T extends KubeObject = KubeObject>(type: ResourceType): AsyncIterable<T> {
    for (const [key, value] of this.objects)
      if (key.startsWith(`${type.plural}/`)) yield structuredClone(value) as T;
  }
  async get<T extends KubeObject = KubeObject>(
    type: ResourceType,
    name: string,
    namespace?: string,
  ): Promise<T | undefined> {
    if (this.forbidden.has(type.plural)) throw this.error(403, 'Forbidden', `${type.plural} is forbidden`);
    const found = this.objects.get(this.key(type, name, namespace));
    return found ? (structuredClone(found) as T) : undefined;
  }
  async create<T extends KubeObject = KubeObject>(
    type: ResourceType,
    body: KubeObject,
    options?: WriteOptions,
  ): Promise<T> {
    const call = {
      verb: 'create',
      type: type.plural,
      name: body.metadata.name,
      namespace: body.metadata.namespace,
      dryRun: options?.dryRun,
      body,
    };
    this.calls.push(call);
    this.beforeMutation?.(call);
    if (this.objects.has(this.key(type, body.metadata.name, body.metadata.namespace)))
      throw this.error(409, 'AlreadyExists', 'exists');
    if (options?.dryRun) return structuredClone(body) as T;
    return this.put(type, body) as T;
  }
  async replace<T extends KubeObject = KubeObject>(): Promise<T> {
    throw new Error('not used');
  }
  async patch<T extends KubeObject = KubeObject>(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    patch: unknown,
    options: PatchOptions,
  ): Promise<T> {
    const call = {
      verb: 'patch',
      type: type.plural,
      name,
      namespace,
      dryRun: options.dryRun,
      body: patch,
      options,
    };
    this.calls.push(call);
    this.beforeMutation?.(call);
    const current = this.objects.get(this.key(type, name, namespace));
    if (!current) throw this.error(404, 'NotFound', `${type.plural} "${name}" not found`);
    const wanted = (patch as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    if (wanted !== undefined && wanted !== current.metadata.resourceVersion)
      throw this.error(409, 'Conflict', 'the object has been modified');
    const merged = {
      ...current,
      ...(patch as object),
      metadata: { ...current.metadata, ...((patch as { metadata?: object }).metadata ?? {}) },
    } as KubeObject;
    if (options.dryRun) return structuredClone(merged) as T;
    return this.put(type, merged) as T;
  }
  async delete(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    options?: DeleteOptions,
  ): Promise<void> {
    const call = { verb: 'delete', type: type.plural, name, namespace, dryRun: options?.dryRun, options };
    this.calls.push(call);
    this.beforeMutation?.(call);
    const key = this.key(type, name, namespace);
    const current = this.objects.get(key);
    if (!current) throw this.error(404, 'NotFound', `${type.plural} "${name}" not found`);
    const pre = options?.preconditions;
    if (
      (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) ||
      (pre?.uid && pre.uid !== current.metadata.uid)
    ) {
      throw this.error(409, 'Conflict', 'Operation cannot be fulfilled: the object has been modified');
    }
    if (!options?.dryRun) this.objects.delete(key);
  }
  async request<T = unknown>(): Promise<T> {
    throw new Error('not used');
  }
}
