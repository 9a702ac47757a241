import type {
  DeleteOptions,
  K8s,
  KubeObject,
  ListOptions,
  PatchOptions,
  ResourceType,
  WriteOptions,
} from '../k8s/types.ts';

/**
 * Defers creating the cluster client (and loading its code) to the first call, so bots that never
 * touch the cluster, and every cold start, pay nothing for it.
 */
export class LazyK8s implements K8s {
  #client: Promise<K8s> | undefined;
  readonly #load: () => Promise<K8s>;

  constructor(load: () => Promise<K8s>) {
    this.#load = load;
  }

  #get(): Promise<K8s> {
    this.#client ??= this.#load();
    return this.#client;
  }

  async *list<T extends KubeObject = KubeObject>(
    type: ResourceType,
    options?: ListOptions,
  ): AsyncIterable<T> {
    yield* (await this.#get()).list<T>(type, options);
  }

  async get<T extends KubeObject = KubeObject>(
    type: ResourceType,
    name: string,
    namespace?: string,
  ): Promise<T | undefined> {
    return (await this.#get()).get<T>(type, name, namespace);
  }

  async create<T extends KubeObject = KubeObject>(
    type: ResourceType,
    body: KubeObject,
    options?: WriteOptions,
  ): Promise<T> {
    return (await this.#get()).create<T>(type, body, options);
  }

  async replace<T extends KubeObject = KubeObject>(
    type: ResourceType,
    body: KubeObject,
    options?: WriteOptions,
  ): Promise<T> {
    return (await this.#get()).replace<T>(type, body, options);
  }

  async patch<T extends KubeObject = KubeObject>(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    patch: unknown,
    options: PatchOptions,
  ): Promise<T> {
    return (await this.#get()).patch<T>(type, name, namespace, patch, options);
  }

  async delete(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    options?: DeleteOptions,
  ): Promise<void> {
    return (await this.#get()).delete(type, name, namespace, options);
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    return (await this.#get()).request<T>(method, path, body, contentType);
  }

  /** Whether a connection was ever made (tests count them). */
  get created(): boolean {
    return this.#client !== undefined;
  }

  /** Closes the client's keep-alive connections, if it was ever created. */
  async close(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    if (pending === undefined) return;
    const client = await pending.catch(() => undefined);
    (client as { close?: () => void } | undefined)?.close?.();
  }
}
