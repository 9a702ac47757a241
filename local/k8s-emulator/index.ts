// The Kubernetes API emulator: an in-memory API server over plain HTTP on loopback, for tests and as
// the embedded default cluster of `npm start`. Never imported by a bot or by shared/.
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { Registry } from './resources.ts';
import { WatchHub } from './watch-hub.ts';
import { EmulatorStore, Store, prepareCreate } from './store.ts';
import { FaultInjector } from './faults.ts';
import { PodLogs } from './pod-logs.ts';
import type { PodLogEntry } from './pod-logs.ts';
import { createRequestHandler } from './server.ts';
import type { RecordedRequest, Traffic } from './server.ts';
import type { TokenGrant } from './rbac.ts';
import { SNAPSHOT_CRDS } from './crds.ts';
import { FieldOwners } from './managed-fields.ts';
import { readSeedFiles, seedOrder } from './seed.ts';
import { formatTime } from './store.ts';
import { EMULATOR_TLS_CERT, EMULATOR_TLS_KEY } from './tls.ts';

export type { TokenGrant } from './rbac.ts';
export type { RecordedRequest, Traffic } from './server.ts';
export type { FaultSpec, Fault } from './faults.ts';
export type { PodLogEntry } from './pod-logs.ts';
export type { ResourceRef } from './store.ts';
export { FaultInjector } from './faults.ts';
export { EmulatorStore } from './store.ts';
export { serviceAccountUser } from './rbac.ts';
export { parseSeed, readSeedFiles } from './seed.ts';

/** The token of the built-in cluster-admin user, valid in every emulator. */
export const ADMIN_TOKEN = 'eco-emulator-admin';
export const ADMIN_USER = 'eco-emulator-admin';

export interface EmulatorOptions {
  /** Objects to seed (namespaces they use are created when missing). */
  objects?: KubeObject[];
  /** Seed the demo cluster (local/demo-cluster) anchored at `now()`. */
  demo?: boolean;
  /** Bearer tokens -> users and their RBAC rules (no rules = cluster-admin). ADMIN_TOKEN always works. */
  tokens?: Record<string, TokenGrant>;
  /** Requests without a token act as cluster-admin (default false: 401 Unauthorized). */
  anonymousAdmin?: boolean;
  host?: '127.0.0.1';
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Serve HTTPS with a built-in self-signed certificate (default false: plain http). kubectl only sends
   * bearer tokens over TLS, so use this to exercise RBAC through kubectl.
   */
  tls?: boolean;
  /** Clock for server-set timestamps and the demo cluster (default: real time). */
  now?: () => Date;
  /** Watch history length (events) before old resourceVersions answer 410 (default 10000). */
  watchHistory?: number;
  /** Default watch timeout when the client sends none (default 300 s). */
  watchTimeoutSeconds?: number;
  /** BOOKMARK interval when allowWatchBookmarks=true (default 60 s). */
  bookmarkIntervalMs?: number;
  /** Keep at most this many entries in `requests` (default 10000). */
  maxRecordedRequests?: number;
  /** Namespace deletion deletes the contents and the namespace (default true). */
  namespaceController?: boolean;
  /** Owner deletion cascades to dependents via ownerReferences (default true). */
  garbageCollector?: boolean;
}

export interface ContainerUsage {
  name: string;
  cpu: string;
  memory: string;
}

export interface Emulator {
  url: string;
  port: number;
  /** The cluster-admin token (ADMIN_TOKEN). */
  adminToken: string;
  close(): Promise<void>;
  /** A kubeconfig (YAML) for this emulator; `token` defaults to the admin token. */
  kubeconfig(token?: string): string;
  writeKubeconfig(file: string, token?: string): Promise<void>;
  /** Direct store access for test setup and assertions (bypasses HTTP and RBAC). */
  store: EmulatorStore;
  faults: FaultInjector;
  /** Every request answered, oldest first (bounded by maxRecordedRequests). */
  requests: RecordedRequest[];
  addToken(token: string, grant: TokenGrant): void;
  /** Seeds objects (and creates missing namespaces). */
  seed(objects: readonly KubeObject[]): void;
  /** Seeds YAML/JSON files (multi-document, List kinds, PodLog documents). Returns the objects seeded. */
  loadSeed(paths: string | readonly string[]): Promise<number>;
  setPodLog(entry: PodLogEntry): void;
  setNodeMetrics(name: string, usage: { cpu: string; memory: string }): void;
  setPodMetrics(namespace: string, name: string, containers: readonly ContainerUsage[]): void;
  /** Open watch connections. */
  watchCount(): number;
  /** TCP connections accepted since start (tests prove clients reuse keep-alive connections). */
  connectionCount(): number;
  /** Requests answered and response body bytes sent since start (a copy; benches diff two). */
  traffic(): Traffic;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function kubeconfigYaml(url: string, token: string, namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: eco-emulator',
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: eco-emulator',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: eco-emulator',
    '  context:',
    '    cluster: eco-emulator',
    '    user: eco-emulator',
    `    namespace: ${namespace}`,
    'current-context: eco-emulator',
    'preferences: {}',
    '',
  ].join('\n');
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const now = options.now ?? ((): Date => new Date());
  const registry = new Registry();
  const hub = new WatchHub(options.watchHistory ?? 10_000);
  const store = new Store(registry, hub, now);
  const logs = new PodLogs();
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const traffic: Traffic = { requests: 0, bytes: 0 };
  const tokens = new Map<string, TokenGrant>([[ADMIN_TOKEN, { user: ADMIN_USER }]]);
  for (const [t, g] of Object.entries(options.tokens ?? {})) tokens.set(t, g);
  const openWatches = new Set<ServerResponse>();
  const publicStore = new EmulatorStore(store);

  const nsDef = registry.byPath('', 'v1', 'namespaces');
  const ensureNamespace = (name: string): void => {
    if (!nsDef || store.find(nsDef, undefined, name)) return;
    store.commitCreate(
      nsDef,
      prepareCreate(
        nsDef,
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
          spec: { finalizers: ['kubernetes'] },
          status: { phase: 'Active' },
        },
        now(),
      ),
    );
  };
  const seed = (objects: readonly KubeObject[]): void => {
    const sorted = [...objects].sort((a, b) => seedOrder(a) - seedOrder(b));
    for (const o of sorted) {
      if (o.kind === 'Namespace') {
        const labels = { 'kubernetes.io/metadata.name': o.metadata.name, ...(o.metadata.labels ?? {}) };
        publicStore.put({
          spec: { finalizers: ['kubernetes'] },
          status: { phase: 'Active' },
          ...o,
          metadata: { ...o.metadata, labels },
        });
        continue;
      }
      const d = o.apiVersion && o.kind ? registry.byKind(o.apiVersion, o.kind) : undefined;
      if (!d)
        throw new Error(
          `seed: unknown apiVersion/kind ${o.apiVersion ?? '?'} ${o.kind ?? '?'} (${o.metadata?.name ?? '?'})`,
        );
      if (d.namespaced) ensureNamespace(o.metadata.namespace ?? 'default');
      publicStore.put(o);
    }
  };

  for (const ns of SYSTEM_NAMESPACES) ensureNamespace(ns);
  // What every real cluster has besides namespaces: the two system priority classes and the snapshot CRDs.
  seed(
    [
      ['system-node-critical', 2000001000],
      ['system-cluster-critical', 2000000000],
    ].map(([name, value]) => ({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: name as string },
      value,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Used for system critical pods that must not be moved from their current node.',
    })),
  );
  seed(SNAPSHOT_CRDS);
  if (options.demo) {
    const demo = await import('../demo-cluster/index.ts');
    const built = demo.demoClusterWithLogs(now());
    seed(built.objects);
    for (const l of built.logs) logs.set(l);
  }
  if (options.objects) seed(options.objects);

  let address = '127.0.0.1:0';
  const handler = createRequestHandler({
    store,
    logs,
    namespaceController: options.namespaceController ?? true,
    garbageCollector: options.garbageCollector ?? true,
    owners: new FieldOwners(),
    registry,
    faults,
    requests,
    maxRecordedRequests: options.maxRecordedRequests ?? 10_000,
    traffic,
    tokens,
    anonymousAdmin: options.anonymousAdmin ?? false,
    watch: {
      defaultTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    },
    openWatches,
    address: () => address,
  });
  const server = options.tls
    ? createHttpsServer({ cert: EMULATOR_TLS_CERT, key: EMULATOR_TLS_KEY }, handler)
    : createServer(handler);
  server.keepAliveTimeout = 5_000;
  let connections = 0;
  server.on(options.tls ? 'secureConnection' : 'connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const metricsTime = (): string => formatTime(now());
  return {
    url,
    port,
    adminToken: ADMIN_TOKEN,
    store: publicStore,
    faults,
    requests,
    kubeconfig: (token = ADMIN_TOKEN) => kubeconfigYaml(url, token),
    async writeKubeconfig(file, token = ADMIN_TOKEN) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, kubeconfigYaml(url, token), { mode: 0o600 });
    },
    addToken(token, grant) {
      tokens.set(token, grant);
    },
    seed,
    async loadSeed(paths) {
      const s = await readSeedFiles(typeof paths === 'string' ? [paths] : paths);
      seed(s.objects);
      for (const l of s.logs) logs.set(l);
      return s.objects.length;
    },
    setPodLog(entry) {
      logs.set(entry);
    },
    setNodeMetrics(name, usage) {
      publicStore.put({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'NodeMetrics',
        metadata: { name, labels: { 'kubernetes.io/hostname': name } },
        timestamp: metricsTime(),
        window: '10.062s',
        usage: { cpu: usage.cpu, memory: usage.memory },
      });
    },
    setPodMetrics(namespace, name, containers) {
      const pod = publicStore.get('pods', name, namespace);
      const labels = pod?.metadata.labels;
      publicStore.put({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'PodMetrics',
        metadata: labels ? { name, namespace, labels } : { name, namespace },
        timestamp: metricsTime(),
        window: '15.003s',
        containers: containers.map((c) => ({ name: c.name, usage: { cpu: c.cpu, memory: c.memory } })),
      });
    },
    connectionCount: () => connections,
    traffic: () => ({ ...traffic }),
    watchCount: () => openWatches.size,
    close() {
      for (const res of openWatches) res.destroy();
      openWatches.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
