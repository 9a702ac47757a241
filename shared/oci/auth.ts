// Registry authentication: the challenge in `WWW-Authenticate`, the Docker token specification's
// bearer dance (GET <realm>?service=…&scope=… with basic credentials → `{ token, expires_in }`),
// a per-scope token cache, and credentials read from a file.
import { readFile } from 'node:fs/promises';

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: 'bearer' | 'basic' | string;
  params: Record<string, string>;
}

/**
 * Parses `Bearer realm="…",service="…",scope="repository:a/b:pull,push"` (quoted values may hold
 * commas). Only the first challenge is read: registries send one.
 */
export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] ?? '').toLowerCase();
  const params: Record<string, string> = {};
  const pair = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  for (const found of (match[2] ?? '').matchAll(pair)) {
    const key = (found[1] ?? '').toLowerCase();
    params[key] = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : (found[3] ?? '');
  }
  return { scheme, params };
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

export interface CachedToken {
  token: string;
  /** Epoch ms after which the token is not sent any more. */
  expiresAt: number;
}

/** Tokens by realm + service + scope. Expired entries are dropped when read. */
export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>();

  static key(realm: string, service: string | undefined, scope: string | undefined): string {
    return `${realm} ${service ?? ''} ${scope ?? ''}`;
  }

  get(key: string, now: number): string | undefined {
    const entry = this.#tokens.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.#tokens.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(key: string, token: CachedToken): void {
    this.#tokens.set(key, token);
  }

  get size(): number {
    return this.#tokens.size;
  }
}

/** The token specification's default lifetime when the server names none. */
export const DEFAULT_TOKEN_SECONDS = 60;
/** Tokens are dropped this long before they expire, so one never dies in flight. */
const EXPIRY_SKEW_MS = 10_000;

/** Reads the token server's answer: `token` (or OAuth2's `access_token`) and `expires_in`. */
export function parseTokenResponse(body: unknown, now: number): CachedToken | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const token =
    typeof record.token === 'string' && record.token !== ''
      ? record.token
      : typeof record.access_token === 'string' && record.access_token !== ''
        ? record.access_token
        : undefined;
  if (token === undefined) return undefined;
  const seconds =
    typeof record.expires_in === 'number' && record.expires_in > 0
      ? record.expires_in
      : DEFAULT_TOKEN_SECONDS;
  const issued = typeof record.issued_at === 'string' ? Date.parse(record.issued_at) : Number.NaN;
  const start = Number.isNaN(issued) ? now : Math.min(issued, now);
  return { token, expiresAt: start + seconds * 1000 - Math.min(EXPIRY_SKEW_MS, (seconds * 1000) / 2) };
}

/** The token request URL for a challenge (scope may be absent: the catalog's is `registry:catalog:*`). */
export function tokenUrl(challenge: Challenge): URL {
  const realm = challenge.params.realm;
  if (!realm) throw new Error('bearer challenge without realm');
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  if (challenge.params.scope) {
    // Several scopes are separated by spaces in one challenge; the token endpoint takes one per parameter.
    for (const scope of challenge.params.scope.split(' ').filter(Boolean))
      url.searchParams.append('scope', scope);
  }
  return url;
}

/**
 * Credentials for `registry` from a file: a Docker config (`config.json` or a Kubernetes
 * `.dockerconfigjson` Secret key, `{ "auths": { "<host>": { "auth": base64(user:pass) } } }` or
 * with `username`/`password`) or a plain `user:password` first line. Undefined when the Docker
 * config has no entry for the registry; throws when the file is unreadable or malformed.
 */
export async function loadRegistryCredentials(
  file: string,
  registry: string,
): Promise<RegistryCredentials | undefined> {
  const text = await readFile(file, 'utf8');
  return credentialsFromText(text, registry, file);
}

export function credentialsFromText(
  text: string,
  registry: string,
  source = 'credentials',
): RegistryCredentials | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error(`${source}: not valid JSON`);
    }
    const auths = (parsed as { auths?: unknown } | null)?.auths;
    if (auths === null || typeof auths !== 'object') throw new Error(`${source}: no "auths" object`);
    for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
      if (!sameRegistry(authKeyHost(key), registry)) continue;
      if (entry === null || typeof entry !== 'object') continue;
      const { auth, username, password } = entry as Record<string, unknown>;
      if (typeof username === 'string' && typeof password === 'string') return { username, password };
      if (typeof auth === 'string')
        return splitUserPassword(Buffer.from(auth, 'base64').toString('utf8'), source);
    }
    return undefined;
  }
  const line = trimmed.split('\n')[0] ?? '';
  return splitUserPassword(line.trim(), source);
}

function splitUserPassword(text: string, source: string): RegistryCredentials {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error(`${source}: expected "user:password"`);
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** `https://index.docker.io/v1/` → `index.docker.io`; `host:5000` stays. */
function authKeyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
}

const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function sameRegistry(a: string, b: string): boolean {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  return left === right || (DOCKER_HUB_NAMES.has(left) && DOCKER_HUB_NAMES.has(right));
}
