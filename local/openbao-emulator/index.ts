// The OpenBao API emulator: KV v2 mounts, the Kubernetes auth method (checking service account
// tokens through the Kubernetes API emulator's TokenReview), tokens with TTLs, ACL policies, and
// OpenBao's response envelope and error bodies, over plain HTTP on loopback. For tests and `npm start`;
// never imported by a bot or by shared/.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KvV2Mount } from './kv2.ts';
import type { SecretData, VersionMetadata } from './kv2.ts';
import { TokenStore } from './tokens.ts';
import type { Policy } from './policy.ts';
import { parsePolicyHcl } from './policy.ts';
import type { KubernetesAuthConfig, KubernetesRole } from './kubernetes-auth.ts';
import { createBaoHandler } from './server.ts';
import { startListMethodFront } from './list-method.ts';
import type { BaoState, RecordedBaoRequest } from './server.ts';

export type { Policy, Capability } from './policy.ts';
export type { KubernetesRole, KubernetesAuthConfig } from './kubernetes-auth.ts';
export type { RecordedBaoRequest } from './server.ts';
export type { SecretData, VersionMetadata } from './kv2.ts';
export { parsePolicyHcl } from './policy.ts';

/** The root token of every emulator (policies ["root"], never expires). */
export const BAO_ROOT_TOKEN = 'eco-openbao-root';

export interface SeedSecret {
  /** KV v2 mount (default `secret`). */
  mount?: string;
  path: string;
  data: SecretData;
  customMetadata?: Record<string, string>;
}

export interface RoleInput {
  name: string;
  boundServiceAccountNames: string[];
  boundServiceAccountNamespaces: string[];
  policies: string[];
  /** Token TTL in seconds (default 768h, OpenBao's system default). */
  ttl?: number;
  maxTtl?: number;
  audience?: string;
}

export interface OpenBaoEmulatorOptions {
  /** KV v2 mounts (default ["secret"]). */
  mounts?: string[];
  /** Where TokenReviews go (the Kubernetes API emulator's URL) and the reviewer token. */
  kubernetes?: KubernetesAuthConfig;
  roles?: RoleInput[];
  /** Policies as objects or HCL text. */
  policies?: (Policy | { name: string; hcl: string })[];
  secrets?: SeedSecret[];
  now?: () => Date;
  port?: number;
  host?: '127.0.0.1';
}

export interface OpenBaoEmulator {
  url: string;
  port: number;
  rootToken: string;
  /** Every request answered, oldest first (at most 10,000). */
  requests: RecordedBaoRequest[];
  close(): Promise<void>;
  /** Writes a new version (bypassing HTTP and policies). */
  putSecret(path: string, data: SecretData, mount?: string): VersionMetadata;
  setCustomMetadata(path: string, customMetadata: Record<string, string>, mount?: string): void;
  addPolicy(policy: Policy | { name: string; hcl: string }): void;
  addRole(role: RoleInput): void;
  configureKubernetes(config: KubernetesAuthConfig): void;
  /** A token with these policies and TTL (seconds; 0 = never expires). */
  issueToken(policies: string[], ttlSeconds: number): string;
  /** Live tokens (expired ones are dropped when next used). */
  tokenCount(): number;
}

export async function startOpenBaoEmulator(options: OpenBaoEmulatorOptions = {}): Promise<OpenBaoEmulator> {
  const now = options.now ?? ((): Date => new Date());
  const state: BaoState = {
    mounts: new Map((options.mounts ?? ['secret']).map((m) => [m, new KvV2Mount(now)])),
    tokens: new TokenStore(now),
    policies: new Map(),
    roles: new Map<string, KubernetesRole>(),
    kubernetes: options.kubernetes ? { config: options.kubernetes } : {},
    requests: [],
    version: '2.4.1',
    now,
  };
  state.tokens.issue({
    id: BAO_ROOT_TOKEN,
    policies: ['root'],
    ttl: 0,
    displayName: 'root',
    path: 'auth/token/root',
  });

  const mountOf = (name = 'secret'): KvV2Mount => {
    const m = state.mounts.get(name);
    if (!m) throw new Error(`openbao emulator: no KV v2 mount "${name}"`);
    return m;
  };
  const addPolicy = (p: Policy | { name: string; hcl: string }): void => {
    state.policies.set(p.name, 'hcl' in p ? parsePolicyHcl(p.name, p.hcl) : p);
  };
  const addRole = (r: RoleInput): void => {
    const role: KubernetesRole = {
      name: r.name,
      boundServiceAccountNames: r.boundServiceAccountNames,
      boundServiceAccountNamespaces: r.boundServiceAccountNamespaces,
      policies: r.policies,
      ttl: r.ttl ?? 0,
      maxTtl: r.maxTtl ?? 0,
    };
    if (r.audience) role.audience = r.audience;
    state.roles.set(r.name, role);
  };
  for (const p of options.policies ?? []) addPolicy(p);
  for (const r of options.roles ?? []) addRole(r);
  for (const s of options.secrets ?? []) {
    mountOf(s.mount).write(s.path, { data: s.data });
    if (s.customMetadata) mountOf(s.mount).writeMetadata(s.path, { custom_metadata: s.customMetadata });
  }

  // The node:http server listens on a private loopback port behind the front that admits LIST.
  const server = createServer(createBaoHandler(state));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const front = await startListMethodFront(
    (server.address() as AddressInfo).port,
    options.host ?? '127.0.0.1',
    options.port ?? 0,
  );
  const port = front.port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    rootToken: BAO_ROOT_TOKEN,
    requests: state.requests,
    putSecret: (path, data, mount) => mountOf(mount).write(path, { data }),
    setCustomMetadata: (path, customMetadata, mount) =>
      mountOf(mount).writeMetadata(path, { custom_metadata: customMetadata }),
    addPolicy,
    addRole,
    configureKubernetes(config) {
      state.kubernetes.config = config;
    },
    issueToken: (policies, ttl) => state.tokens.issue({ policies, ttl }).id,
    tokenCount: () => state.tokens.size(),
    async close() {
      await front.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
