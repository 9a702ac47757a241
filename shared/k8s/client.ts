// The K8s implementation: lazy configuration, retries with jittered backoff, typed errors, paged
// lists as async iterators. Built on node:http(s) so a bot's cold start does not pay for the
// generated client (see kubeconfig.ts for when @kubernetes/client-node is loaded).
import type { Logger } from '../log/types.ts';
import type {
  DeleteOptions,
  K8s,
  KubeObject,
  ListOptions,
  PatchOptions,
  PatchType,
  ResourceType,
  WriteOptions,
} from './types.ts';
import { K8sApiError, isExpired, isNotFound, type K8sStatus } from './errors.ts';
import { loadClusterConfig, type ClusterConfig } from './kubeconfig.ts';
import { apiVersionOf, collectionPath, objectPath } from './resources.ts';
import { parseRetryAfter } from '../http/retry-after.ts';
import { retry, type RetryPolicy, type Verdict } from '../http/retry.ts';
import { DEFAULT_RETRY_POLICY, shouldRetry } from './retry.ts';
import { TransportFailure, createTransport, type RawResponse, type Transport } from './transport.ts';

export interface CreateK8sOptions {
  env: Readonly<Record<string, string | undefined>>;
  log?: Logger;
  /** Use this configuration instead of discovering one (tests, embedded emulator). */
  config?: ClusterConfig;
  /** Override of the ServiceAccount mount directory (tests). */
  serviceAccountDir?: string;
  retryPolicy?: Partial<RetryPolicy>;
  /** Injectable sleep (tests). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The K8s contract plus lifecycle helpers the runtime and tests use. */
export interface K8sClient extends K8s {
  /** The namespace of the current context (in-cluster: the pod's). */
  namespace(): Promise<string>;
  /** Releases pooled sockets. */
  close(): void;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_PAGE_SIZE = 500;
/**
 * Metadata-only lists (`ListOptions.metadataOnly`): the server sends each object's metadata only, as
 * a PartialObjectMetadataList; plain JSON second, so a server without it answers the whole list.
 */
const METADATA_ONLY_ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

/** A list restarts at most this many times after 410 Expired continue tokens before giving up. */
const MAX_RELISTS = 3;

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export function createK8s(options: CreateK8sOptions): K8sClient {
  const { env, log } = options;
  const timeoutMs = positiveInt(env.ECO_K8S_TIMEOUT_MS, DEFAULT_TIMEOUT_MS);
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    // ECO_K8S_RETRIES counts retries after the first attempt.
    ...(env.ECO_K8S_RETRIES !== undefined
      ? { attempts: nonNegativeInt(env.ECO_K8S_RETRIES, DEFAULT_RETRY_POLICY.attempts - 1) + 1 }
      : {}),
    ...options.retryPolicy,
  };

  let connection: Promise<{ config: ClusterConfig; transport: Transport }> | undefined;
  // Configuration is resolved on first use: bots that never touch the cluster pay nothing, and a
  // missing cluster is an error of the call that needed it, not of process start.
  function connect(): Promise<{ config: ClusterConfig; transport: Transport }> {
    connection ??= (async () => {
      const config =
        options.config ??
        (await loadClusterConfig({
          env,
          ...(options.serviceAccountDir ? { serviceAccountDir: options.serviceAccountDir } : {}),
        }));
      log?.debug('k8s configured', { server: config.server, source: config.source });
      return { config, transport: createTransport(config) };
    })();
    // Do not cache a failure: a later call may succeed once the kubeconfig exists.
    connection.catch(() => {
      connection = undefined;
    });
    return connection;
  }

  async function call(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    accept?: string,
  ): Promise<{ status: number; text: string; contentType: string }> {
    const { config, transport } = await connect();
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const shape = { method, dryRun: /[?&]dryRun=All(&|$)/.test(path), contentType, body };
    let ambiguous = false;
    let reauthenticated = false;
    // The parsed Status of the last error response (classify sees every response first).
    let status: K8sStatus | undefined;
    const send = (): Promise<RawResponse> =>
      transport.send({
        method,
        path,
        ...(text !== undefined ? { body: text } : {}),
        ...(contentType !== undefined ? { contentType } : {}),
        ...(accept !== undefined ? { accept } : {}),
        timeoutMs,
      });
    const response = await retry(
      async () => {
        const response = await send();
        if (response.status !== 401 || reauthenticated || !config.invalidate) return response;
        // A rotated token: re-read it once, without spending a retry.
        reauthenticated = true;
        config.invalidate();
        return send();
      },
      (outcome): Verdict => {
        if (!outcome.ok) {
          const error = outcome.error;
          return {
            retry:
              error instanceof TransportFailure &&
              !error.permanent &&
              shouldRetry({ kind: 'transport', mayHaveBeenProcessed: error.mayHaveBeenProcessed }, shape),
          };
        }
        const response = outcome.value;
        if (response.status < 300) return { retry: false };
        status = parseStatus(response.text);
        const disruptionBudget =
          status?.details?.causes?.some((cause) => cause.reason === 'DisruptionBudget') ?? false;
        const seconds = status?.details?.retryAfterSeconds;
        return {
          retry: shouldRetry({ kind: 'status', status: response.status, disruptionBudget }, shape),
          retryAfterMs:
            parseRetryAfter(response.headers['retry-after']) ??
            (seconds !== undefined ? seconds * 1000 : undefined),
        };
      },
      policy,
      {
        // Undefined: the kit's defaults (a real timer, Math.random).
        sleep: options.sleep,
        random: options.random,
        onRetry: ({ attempt, delayMs, outcome }) => {
          // Only 429 (and a refused connection) certainly left the object alone.
          ambiguous ||= outcome.ok
            ? outcome.value.status !== 429
            : (outcome.error as TransportFailure).mayHaveBeenProcessed;
          log?.debug('k8s retry', {
            method,
            path,
            ...(outcome.ok
              ? { status: outcome.value.status }
              : { error: (outcome.error as TransportFailure).errno }),
            attempt,
            delayMs,
          });
        },
      },
    );
    if (response.status >= 200 && response.status < 300) {
      return {
        status: response.status,
        text: response.text,
        contentType: String(response.headers['content-type'] ?? ''),
      };
    }
    throw new K8sApiError({
      status: response.status,
      method,
      path,
      body: status,
      bodyText: response.text,
      afterAmbiguousRetry: ambiguous,
    });
  }

  async function json<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    accept?: string,
  ): Promise<T> {
    const response = await call(method, path, body, contentType, accept);
    return parseBody(response.text, response.contentType) as T;
  }

  async function* list<T extends KubeObject = KubeObject>(
    type: ResourceType,
    listOptions: ListOptions = {},
  ): AsyncGenerator<T> {
    const pageSize = listOptions.pageSize ?? DEFAULT_PAGE_SIZE;
    const base = collectionPath(type, listOptions.namespace);
    const apiVersion = apiVersionOf(type);
    const metadataOnly = listOptions.metadataOnly === true;
    // After a relist the first pages repeat what was already yielded; keys of yielded objects let
    // the consumer see each object once (the relist's newer copy of an already-seen object is
    // dropped: consumers re-check state before acting, through the safety rails' preconditions).
    const seen = new Set<string>();
    let relists = 0;
    let token: string | undefined;
    for (;;) {
      const query = queryString({
        limit: String(pageSize),
        continue: token,
        labelSelector: listOptions.labelSelector,
        fieldSelector: listOptions.fieldSelector,
      });
      let page: { metadata?: { continue?: string }; items?: T[] | null };
      try {
        page = await json(
          `GET`,
          `${base}${query}`,
          undefined,
          undefined,
          metadataOnly ? METADATA_ONLY_ACCEPT : undefined,
        );
      } catch (error) {
        if (isExpired(error) && token !== undefined && relists < MAX_RELISTS) {
          relists++;
          log?.warn('k8s list continue token expired; relisting', { resource: type.plural, relists });
          token = undefined;
          continue;
        }
        throw error;
      }
      const more = typeof page.metadata?.continue === 'string' && page.metadata.continue !== '';
      for (const listed of page.items ?? []) {
        // List items carry no kind/apiVersion on the wire; fill them so ObjectRefs are complete. A
        // metadata-only item says PartialObjectMetadata; a server that ignored the Accept sent the
        // whole object: either way the caller gets the object's own kind and its metadata only.
        const item = metadataOnly ? ({ metadata: listed.metadata } as T) : listed;
        if (metadataOnly) {
          item.apiVersion = apiVersion;
          item.kind = type.kind;
        } else {
          item.apiVersion ??= apiVersion;
          item.kind ??= type.kind;
        }
        if (more || relists > 0 || seen.size > 0) {
          const key = item.metadata.uid ?? `${item.metadata.namespace ?? ''}/${item.metadata.name}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        yield item;
      }
      if (!more) return;
      token = page.metadata?.continue;
    }
  }

  function fill<T extends KubeObject>(type: ResourceType, object: T): T {
    object.apiVersion ??= apiVersionOf(type);
    object.kind ??= type.kind;
    return object;
  }

  const client: K8sClient = {
    list,
    async get<T extends KubeObject = KubeObject>(type: ResourceType, name: string, namespace?: string) {
      try {
        return fill(type, await json<T>('GET', objectPath(type, name, namespace)));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async create<T extends KubeObject = KubeObject>(
      type: ResourceType,
      body: KubeObject,
      writeOptions: WriteOptions = {},
    ) {
      const path =
        collectionPath(type, body.metadata.namespace) +
        queryString({ dryRun: writeOptions.dryRun ? 'All' : undefined });
      return fill(
        type,
        await json<T>('POST', path, { apiVersion: apiVersionOf(type), kind: type.kind, ...body }),
      );
    },
    async replace<T extends KubeObject = KubeObject>(
      type: ResourceType,
      body: KubeObject,
      writeOptions: WriteOptions = {},
    ) {
      const path =
        objectPath(type, body.metadata.name, body.metadata.namespace) +
        queryString({ dryRun: writeOptions.dryRun ? 'All' : undefined });
      return fill(
        type,
        await json<T>('PUT', path, { apiVersion: apiVersionOf(type), kind: type.kind, ...body }),
      );
    },
    async patch<T extends KubeObject = KubeObject>(
      type: ResourceType,
      name: string,
      namespace: string | undefined,
      patch: unknown,
      patchOptions: PatchOptions,
    ) {
      const fieldManager =
        patchOptions.fieldManager ?? (patchOptions.patchType === 'apply' ? 'eco-bots' : undefined);
      const path =
        objectPath(type, name, namespace) +
        queryString({ dryRun: patchOptions.dryRun ? 'All' : undefined, fieldManager });
      return fill(type, await json<T>('PATCH', path, patch, PATCH_CONTENT_TYPES[patchOptions.patchType]));
    },
    async delete(
      type: ResourceType,
      name: string,
      namespace: string | undefined,
      deleteOptions: DeleteOptions = {},
    ) {
      // dryRun travels in the DeleteOptions body only: the apiserver reads options from the body
      // when there is one, and sending both risks a server merging them into ["All","All"].
      const path = objectPath(type, name, namespace);
      const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
      if (deleteOptions.propagationPolicy) body.propagationPolicy = deleteOptions.propagationPolicy;
      if (deleteOptions.preconditions) body.preconditions = deleteOptions.preconditions;
      if (deleteOptions.gracePeriodSeconds !== undefined)
        body.gracePeriodSeconds = deleteOptions.gracePeriodSeconds;
      if (deleteOptions.dryRun) body.dryRun = ['All'];
      await call('DELETE', path, body, 'application/json');
    },
    async request<T = unknown>(
      method: string,
      path: string,
      body?: unknown,
      contentType?: string,
    ): Promise<T> {
      const normalised = path.startsWith('/') ? path : `/${path}`;
      return json<T>(
        method.toUpperCase(),
        normalised,
        body,
        contentType ?? (body === undefined ? undefined : 'application/json'),
      );
    },
    async namespace() {
      return (await connect()).config.namespace;
    },
    close() {
      void connection?.then(({ transport }) => transport.close()).catch(() => undefined);
    },
  };
  return client;
}

export function queryString(params: Record<string, string | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') parts.push(`${key}=${encodeURIComponent(value)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function parseStatus(text: string): K8sStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && (parsed as K8sStatus).kind === 'Status')
      return parsed as K8sStatus;
  } catch {
    // Not JSON (e.g. a proxy's HTML error page): the error keeps the raw text.
  }
  return undefined;
}

function parseBody(text: string, contentType: string): unknown {
  if (text === '') return undefined;
  if (contentType.includes('json') || contentType === '') {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
function nonNegativeInt(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}
