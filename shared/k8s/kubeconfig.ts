// Where the cluster is and how to authenticate: in-cluster ServiceAccount, else KUBECONFIG or
// ~/.kube/config. The common kubeconfig cases (token, token file, client certificate, basic auth,
// CA, insecure-skip-tls-verify) are read here without @kubernetes/client-node, whose import costs
// ~150 ms of cold start; exec plugins and auth providers lazily load client-node's KubeConfig.
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { K8sConfigError } from './errors.ts';
import { UnsupportedYaml, parseMiniYaml } from './mini-yaml.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Projected ServiceAccount tokens rotate; re-read the file at most this often (client-go uses 1 min). */
const TOKEN_FILE_REREAD_MS = 60_000;

export interface ClusterConfig {
  /** Base URL without trailing slash, e.g. `https://10.0.0.1:443` or `http://127.0.0.1:36411`. */
  server: string;
  source: 'in-cluster' | 'kubeconfig';
  /** The context's namespace (in-cluster: the pod's). */
  namespace: string;
  /** PEM CA bundle; undefined => system roots. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  /** Headers to send with each request (Authorization); called per request so rotation is seen. */
  authHeaders(): Promise<Record<string, string>>;
  /** Called after a 401 so a cached credential (token file, exec plugin) is refreshed before a retry. */
  invalidate?(): void;
}

export interface LoadOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Override of the ServiceAccount mount (tests). */
  serviceAccountDir?: string;
}

// ---- kubeconfig file model (only the fields read here) -------------------------------------------

export interface KubeconfigFile {
  clusters?: { name: string; cluster?: KubeconfigCluster }[];
  users?: { name: string; user?: KubeconfigUser }[];
  contexts?: { name: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
  'current-context'?: string;
}
interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
}
interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}

/** Resolves the cluster configuration. Throws K8sConfigError when none is usable. */
export async function loadClusterConfig(options: LoadOptions): Promise<ClusterConfig> {
  const { env } = options;
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (env.KUBERNETES_SERVICE_HOST && (await exists(join(saDir, 'token')))) {
    return inClusterConfig(env, saDir);
  }
  const files = kubeconfigPaths(env);
  const present: string[] = [];
  for (const file of files) if (await exists(file)) present.push(file);
  if (present.length === 0) {
    throw new K8sConfigError(
      env.KUBECONFIG
        ? `no cluster configured: KUBECONFIG=${env.KUBECONFIG} names no readable file`
        : `no cluster configured: not in a cluster (KUBERNETES_SERVICE_HOST unset) and ${files[0] ?? '~/.kube/config'} does not exist; set KUBECONFIG`,
    );
  }
  const loaded = await Promise.all(
    present.map(async (file) => ({ file, config: await readKubeconfig(file) })),
  );
  return fromKubeconfig(loaded, env);
}

function kubeconfigPaths(env: Readonly<Record<string, string | undefined>>): string[] {
  if (env.KUBECONFIG !== undefined && env.KUBECONFIG.trim() !== '') {
    // Like kubectl: a path list separated by ':' (';' on Windows), merged first-wins.
    const separator = process.platform === 'win32' ? ';' : ':';
    return env.KUBECONFIG.split(separator).filter((p) => p.trim() !== '');
  }
  const home = env.HOME ?? homedir();
  return [join(home, '.kube', 'config')];
}

async function inClusterConfig(
  env: Readonly<Record<string, string | undefined>>,
  saDir: string,
): Promise<ClusterConfig> {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT_HTTPS ?? env.KUBERNETES_SERVICE_PORT ?? '443';
  const hostPart = host.includes(':') ? `[${host}]` : host; // IPv6 service IPs
  const ca = await readFile(join(saDir, 'ca.crt')).catch(() => undefined);
  const namespace =
    (await readFile(join(saDir, 'namespace'), 'utf8').catch(() => 'default')).trim() || 'default';
  const token = tokenFileReader(join(saDir, 'token'));
  return {
    server: `https://${hostPart}:${port}`,
    source: 'in-cluster',
    namespace,
    ...(ca ? { ca } : {}),
    insecureSkipTlsVerify: false,
    authHeaders: async () => ({ authorization: `Bearer ${await token.read()}` }),
    invalidate: () => token.invalidate(),
  };
}

/** Reads a token file, re-reading it at most every minute (projected tokens rotate). */
function tokenFileReader(file: string): { read(): Promise<string>; invalidate(): void } {
  let cached: { token: string; at: number } | undefined;
  return {
    async read() {
      const now = Date.now();
      if (!cached || now - cached.at > TOKEN_FILE_REREAD_MS) {
        const token = (await readFile(file, 'utf8')).trim();
        cached = { token, at: now };
      }
      return cached.token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/** Parses a kubeconfig file: JSON directly, YAML through a lazily imported parser. */
export async function readKubeconfig(file: string): Promise<KubeconfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new K8sConfigError(`cannot read kubeconfig ${file}: ${(error as Error).message}`);
  }
  return parseKubeconfig(text, file);
}

/** The kubeconfig subset reader first (cheap to load), the full YAML parser when it declines. */
async function parseYaml(text: string): Promise<unknown> {
  try {
    return parseMiniYaml(text);
  } catch (error) {
    if (!(error instanceof UnsupportedYaml)) throw error;
    return (await import('../yaml/index.ts')).parseYaml(text);
  }
}

export async function parseKubeconfig(text: string, file = '<kubeconfig>'): Promise<KubeconfigFile> {
  let parsed: unknown;
  try {
    if (text.trimStart().startsWith('{')) {
      parsed = JSON.parse(text);
    } else {
      parsed = await parseYaml(text);
    }
  } catch (error) {
    throw new K8sConfigError(`kubeconfig ${file} is not valid YAML/JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new K8sConfigError(`kubeconfig ${file} is not a mapping`);
  }
  return parsed as KubeconfigFile;
}

/** Merges kubeconfig files first-wins (kubectl's rule) and resolves the current context. */
export async function fromKubeconfig(
  files: readonly { file: string; config: KubeconfigFile }[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ClusterConfig> {
  const pick = <T extends { name: string }>(key: 'clusters' | 'users' | 'contexts', name: string) => {
    for (const { file, config } of files) {
      const list = (config[key] ?? []) as unknown as T[];
      const hit = Array.isArray(list) ? list.find((entry) => entry && entry.name === name) : undefined;
      if (hit) return { entry: hit, dir: dirname(resolvePath(file)) };
    }
    return undefined;
  };
  const where = files.map((f) => f.file).join(':');
  const contextName = files
    .map((f) => f.config['current-context'])
    .find((c) => typeof c === 'string' && c !== '');
  if (!contextName) throw new K8sConfigError(`kubeconfig ${where} has no current-context`);
  const context = pick<{ name: string; context?: { cluster?: string; user?: string; namespace?: string } }>(
    'contexts',
    contextName,
  )?.entry.context;
  if (!context) throw new K8sConfigError(`kubeconfig ${where}: context "${contextName}" not found`);
  const clusterHit = context.cluster
    ? pick<{ name: string; cluster?: KubeconfigCluster }>('clusters', context.cluster)
    : undefined;
  const cluster = clusterHit?.entry.cluster;
  if (!cluster?.server) {
    throw new K8sConfigError(`kubeconfig ${where}: context "${contextName}" names no cluster with a server`);
  }
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new K8sConfigError(`kubeconfig ${where}: server "${cluster.server}" is not a URL`);
  }
  if (server.protocol !== 'http:' && server.protocol !== 'https:') {
    throw new K8sConfigError(`kubeconfig ${where}: server "${cluster.server}" must be http(s)`);
  }
  const userHit = context.user
    ? pick<{ name: string; user?: KubeconfigUser }>('users', context.user)
    : undefined;
  const user = userHit?.entry.user ?? {};
  const clusterDir = clusterHit?.dir ?? process.cwd();
  const userDir = userHit?.dir ?? process.cwd();

  const ca = await material(
    cluster['certificate-authority-data'],
    cluster['certificate-authority'],
    clusterDir,
    'certificate-authority',
  );
  const cert = await material(
    user['client-certificate-data'],
    user['client-certificate'],
    userDir,
    'client-certificate',
  );
  const key = await material(user['client-key-data'], user['client-key'], userDir, 'client-key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new K8sConfigError(
      `kubeconfig ${where}: user "${context.user}" has a client certificate without a key (or vice versa)`,
    );
  }

  let authHeaders: ClusterConfig['authHeaders'] = async () => ({});
  let invalidate: (() => void) | undefined;
  if (user.exec !== undefined || user['auth-provider'] !== undefined) {
    const delegated = await delegateToClientNode(files, contextName);
    authHeaders = delegated;
  } else if (typeof user.token === 'string' && user.token !== '') {
    const header = { authorization: `Bearer ${user.token}` };
    authHeaders = async () => header;
  } else if (typeof user.tokenFile === 'string' && user.tokenFile !== '') {
    const reader = tokenFileReader(absolute(user.tokenFile, userDir));
    authHeaders = async () => ({ authorization: `Bearer ${await reader.read()}` });
    invalidate = () => reader.invalidate();
  } else if (typeof user.username === 'string' && typeof user.password === 'string') {
    const header = {
      authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`,
    };
    authHeaders = async () => header;
  }

  return {
    server: server.href.replace(/\/+$/, ''),
    source: 'kubeconfig',
    namespace: env.ECO_K8S_NAMESPACE ?? context.namespace ?? 'default',
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    ...(cluster['tls-server-name'] ? { tlsServerName: cluster['tls-server-name'] } : {}),
    authHeaders,
    ...(invalidate ? { invalidate } : {}),
  };
}

async function material(
  data: string | undefined,
  file: string | undefined,
  dir: string,
  what: string,
): Promise<Buffer | undefined> {
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
  if (typeof file === 'string' && file !== '') {
    const path = absolute(file, dir);
    try {
      return await readFile(path);
    } catch (error) {
      throw new K8sConfigError(`kubeconfig ${what} file ${path}: ${(error as Error).message}`);
    }
  }
  return undefined;
}

function absolute(path: string, dir: string): string {
  const expanded = path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
  return isAbsolute(expanded) ? expanded : resolvePath(dir, expanded);
}

/**
 * Exec plugins (aws/gke/kubelogin...) and legacy auth providers: client-node implements their
 * caching and refresh, so its config module is loaded only here, for users who need it. The
 * specifier is not a literal on purpose: bundlers leave it out of the bots' bundles (exec users run
 * out-of-cluster, where node_modules is installed; in-cluster bots use their ServiceAccount).
 */
const CLIENT_NODE_CONFIG = '@kubernetes/client-node/dist/config.js';

async function delegateToClientNode(
  files: readonly { file: string; config: KubeconfigFile }[],
  contextName: string,
): Promise<ClusterConfig['authHeaders']> {
  let KubeConfigClass: typeof KubeConfig;
  try {
    const specifier = CLIENT_NODE_CONFIG;
    ({ KubeConfig: KubeConfigClass } = (await import(specifier)) as { KubeConfig: typeof KubeConfig });
  } catch (error) {
    throw new K8sConfigError(
      `kubeconfig user uses an exec plugin or auth provider, which needs @kubernetes/client-node installed: ${(error as Error).message}`,
    );
  }
  const kc = new KubeConfigClass();
  const first = files[0];
  if (!first) throw new K8sConfigError('no kubeconfig file');
  kc.loadFromFile(first.file);
  // Merge the other files' entries the way loadFromDefault would.
  for (const extra of files.slice(1)) {
    const other = new KubeConfigClass();
    other.loadFromFile(extra.file);
    kc.mergeConfig(other, true);
  }
  kc.setCurrentContext(contextName);
  // applyToHTTPSOptions would also build a TLS agent (and refuse plain http); only the
  // Authorization header is wanted, which client-node computes in this (TypeScript-private) method.
  const withAuth = kc as unknown as {
    applyAuthorizationHeader(opts: { headers?: Record<string, unknown> }): Promise<void>;
  };
  return async () => {
    const options: { headers?: Record<string, unknown> } = {};
    await withAuth.applyAuthorizationHeader(options);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
    return headers;
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
