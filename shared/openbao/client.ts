// A small OpenBao client for the bots: authenticates (Kubernetes auth or a token file), keeps the
// token alive (renews it past two thirds of its lease, logs in again on 403) and reads KV v2 data,
// metadata and listings. Secret values are returned to the caller and never logged or put into errors.
import { readFile } from 'node:fs/promises';
import type { OpenBaoConfig } from './config.ts';
import { OpenBaoError } from './errors.ts';
import { fetchWithRetry } from '../http/retry.ts';
import type { RetryPolicy } from '../http/retry.ts';

/** The version metadata OpenBao returns with a read. */
export interface KvVersionMetadata {
  version: number;
  createdTime: string;
  /** '' when not deleted. */
  deletionTime: string;
  destroyed: boolean;
  customMetadata: Record<string, string> | null;
}

export type KvReadResult =
  | { status: 'ok'; data: Record<string, unknown>; metadata: KvVersionMetadata }
  /** The version exists but was soft-deleted (recoverable) or destroyed. */
  | { status: 'deleted' | 'destroyed'; metadata: KvVersionMetadata }
  | { status: 'missing' };

export interface KvSecretMetadata {
  currentVersion: number;
  oldestVersion: number;
  createdTime: string;
  updatedTime: string;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: string;
  customMetadata: Record<string, string> | null;
  versions: Record<string, { createdTime: string; deletionTime: string; destroyed: boolean }>;
}

export interface OpenBaoClientOptions {
  fetch?: typeof fetch;
  now?: () => number;
  /** Retries of one request on network errors, 429 and 5xx (default 3 attempts, 200 ms backoff). */
  retry?: Omit<RetryPolicy, 'timeoutMs'>;
}

interface RawVersionMetadata {
  version?: number;
  created_time?: string;
  deletion_time?: string;
  destroyed?: boolean;
  custom_metadata?: Record<string, string> | null;
}

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
}

function versionMetadata(raw: RawVersionMetadata | undefined): KvVersionMetadata {
  return {
    version: raw?.version ?? 0,
    createdTime: raw?.created_time ?? '',
    deletionTime: raw?.deletion_time ?? '',
    destroyed: raw?.destroyed ?? false,
    customMetadata: raw?.custom_metadata ?? null,
  };
}

const encodePath = (path: string): string =>
  path
    .split('/')
    .filter((s) => s !== '')
    .map(encodeURIComponent)
    .join('/');

export class OpenBaoClient {
  private token: string | undefined;
  /** ms epoch when the token's lease ends (undefined: no expiry known). */
  private expiresAt: number | undefined;
  private leaseMs = 0;
  private login: Promise<void> | undefined;
  private readonly doFetch: typeof fetch;
  private readonly now: () => number;
  private readonly retry: RetryPolicy;

  constructor(
    readonly config: OpenBaoConfig,
    options: OpenBaoClientOptions = {},
  ) {
    this.doFetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.retry = {
      ...(options.retry ?? { attempts: 3, backoffMs: 200, maxBackoffMs: 2_000 }),
      timeoutMs: config.timeoutMs,
    };
  }

  /** GET <mount>/data/<path>[?version=N] (mount: the configured KV v2 mount unless given). */
  async readSecret(path: string, version?: number, mount = this.config.kvMount): Promise<KvReadResult> {
    const query = version ? `?version=${version}` : '';
    const a = await this.authed(
      'GET',
      `${encodePath(mount)}/data/${encodePath(path)}${query}`,
      undefined,
      [404],
    );
    const data = a.body?.['data'] as
      { data?: Record<string, unknown> | null; metadata?: RawVersionMetadata } | null | undefined;
    if (a.status === 404) {
      // A 404 with metadata is a deleted or destroyed version; without, nothing is there.
      if (!data?.metadata) return { status: 'missing' };
      const metadata = versionMetadata(data.metadata);
      return { status: metadata.destroyed ? 'destroyed' : 'deleted', metadata };
    }
    return { status: 'ok', data: data?.data ?? {}, metadata: versionMetadata(data?.metadata) };
  }

  /** GET <mount>/metadata/<path>; undefined when there is no secret. */
  async readMetadata(path: string, mount = this.config.kvMount): Promise<KvSecretMetadata | undefined> {
    const a = await this.authed('GET', `${encodePath(mount)}/metadata/${encodePath(path)}`, undefined, [404]);
    if (a.status === 404) return undefined;
    const d = (a.body?.['data'] ?? {}) as Record<string, unknown>;
    const versions: KvSecretMetadata['versions'] = {};
    for (const [n, v] of Object.entries((d['versions'] ?? {}) as Record<string, RawVersionMetadata>)) {
      versions[n] = {
        createdTime: v.created_time ?? '',
        deletionTime: v.deletion_time ?? '',
        destroyed: v.destroyed ?? false,
      };
    }
    return {
      currentVersion: Number(d['current_version'] ?? 0),
      oldestVersion: Number(d['oldest_version'] ?? 0),
      createdTime: String(d['created_time'] ?? ''),
      updatedTime: String(d['updated_time'] ?? ''),
      maxVersions: Number(d['max_versions'] ?? 0),
      casRequired: d['cas_required'] === true,
      deleteVersionAfter: String(d['delete_version_after'] ?? '0s'),
      customMetadata: (d['custom_metadata'] as Record<string, string> | null | undefined) ?? null,
      versions,
    };
  }

  /** LIST <mount>/metadata/<prefix>: child keys, folders ending in `/`; [] when there are none. */
  async list(prefix = ''): Promise<string[]> {
    const p = encodePath(prefix);
    const a = await this.authed(
      'LIST',
      `${this.config.kvMount}/metadata/${p ? `${p}/` : ''}`,
      undefined,
      [404],
    );
    if (a.status === 404) return [];
    const keys = (a.body?.['data'] as { keys?: unknown } | undefined)?.keys;
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
  }

  /** Every secret path under a prefix (depth-first; bounded by `limit`). */
  async listRecursive(prefix = '', limit = 10_000): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const key of await this.list(dir)) {
        if (out.length >= limit) return;
        const full = dir ? `${dir.replace(/\/+$/, '')}/${key}` : key;
        if (key.endsWith('/')) await walk(full.replace(/\/+$/, ''));
        else out.push(full);
      }
    };
    await walk(prefix.replace(/^\/+|\/+$/g, ''));
    return out;
  }

  /** GET sys/health (no token): whether OpenBao is initialised and unsealed. */
  async health(): Promise<{ initialized: boolean; sealed: boolean; version: string }> {
    const a = await this.send('GET', 'sys/health?standbyok=true', undefined, undefined);
    if (a.status !== 200 && a.status !== 429 && a.status !== 473) this.fail('GET', 'sys/health', a);
    return {
      initialized: a.body?.['initialized'] === true,
      sealed: a.body?.['sealed'] === true,
      version: String(a.body?.['version'] ?? ''),
    };
  }

  /** Drops the token; the next call authenticates again. */
  forgetToken(): void {
    this.token = undefined;
    this.expiresAt = undefined;
  }

  /** A request with the token; one fresh login and retry on 403 (expired or revoked token). */
  private async authed(method: string, path: string, body: unknown, okStatuses: number[]): Promise<Answer> {
    await this.ensureToken();
    let a = await this.send(method, path, body, this.token);
    if (a.status === 403) {
      this.forgetToken();
      await this.ensureToken();
      a = await this.send(method, path, body, this.token);
    }
    if ((a.status < 200 || a.status > 299) && !okStatuses.includes(a.status)) this.fail(method, path, a);
    return a;
  }

  private async ensureToken(): Promise<void> {
    if (this.token && this.expiresAt !== undefined) {
      const left = this.expiresAt - this.now();
      if (left <= 0) this.forgetToken();
      else if (this.config.auth.kind === 'kubernetes' && left < this.leaseMs / 3) {
        // Past two thirds of the lease: renew, or log in again when renewal is refused.
        await this.renew().catch(() => this.forgetToken());
      }
    }
    if (this.token) return;
    this.login ??= this.authenticate().finally(() => {
      this.login = undefined;
    });
    await this.login;
  }

  private async authenticate(): Promise<void> {
    const auth = this.config.auth;
    if (auth.kind === 'token-file') {
      const token = (await readFile(auth.file, 'utf8')).trim();
      if (!token) throw new OpenBaoError(0, [`token file ${auth.file} is empty`], 'READ', auth.file);
      this.token = token;
      this.expiresAt = undefined;
      return;
    }
    const jwt = (await readFile(auth.jwtFile, 'utf8')).trim();
    const path = `auth/${auth.mount}/login`;
    const a = await this.send('POST', path, { role: auth.role, jwt }, undefined);
    if (a.status !== 200) this.fail('POST', path, a);
    this.acceptAuth(a, 'POST', path);
  }

  private async renew(): Promise<void> {
    const a = await this.send('POST', 'auth/token/renew-self', {}, this.token);
    if (a.status !== 200) this.fail('POST', 'auth/token/renew-self', a);
    this.acceptAuth(a, 'POST', 'auth/token/renew-self');
  }

  private acceptAuth(a: Answer, method: string, path: string): void {
    const auth = a.body?.['auth'] as { client_token?: string; lease_duration?: number } | undefined;
    if (!auth?.client_token) throw new OpenBaoError(a.status, ['no auth block in the answer'], method, path);
    this.token = auth.client_token;
    const lease = Number(auth.lease_duration ?? 0);
    this.leaseMs = lease * 1000;
    this.expiresAt = lease > 0 ? this.now() + lease * 1000 : undefined;
  }

  private fail(method: string, path: string, a: Answer): never {
    const errors = Array.isArray(a.body?.['errors']) ? (a.body['errors'] as unknown[]).map(String) : [];
    throw new OpenBaoError(a.status, errors, method, path.replace(/\?.*$/, ''));
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    token: string | undefined,
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    // OpenBao keeps the X-Vault-Token header name from its API's origin.
    if (token) headers['X-Vault-Token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      // Every call the client makes may be repeated: reads, LIST, and token logins/renewals (a
      // repeated login only issues another token).
      res = await fetchWithRetry(
        `${this.config.address}/v1/${path}`,
        {
          method,
          headers,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          safeToRepeat: true,
        },
        this.retry,
        { fetch: this.doFetch },
      );
    } catch (e) {
      throw new OpenBaoError(0, [(e as Error).message], method, path.replace(/\?.*$/, ''), { cause: e });
    }
    const text = await res.text();
    let parsed: Record<string, unknown> | undefined;
    if (text.trim()) {
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
    }
    return { status: res.status, body: parsed };
  }
}
