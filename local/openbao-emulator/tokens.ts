// The token store: service tokens with policies, a TTL and a max TTL, renewal and revocation. An
// expired or unknown token is indistinguishable to the caller: 403 permission denied.
import { randomBytes, randomUUID } from 'node:crypto';
import { badRequest, permissionDenied } from './errors.ts';
import { formatTime } from './clock.ts';

export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  /** Seconds a login or renewal grants (0 = no expiry, the root token). */
  ttl: number;
  /** Seconds after issue beyond which renewal cannot go (0 = none). */
  maxTtl: number;
  issued: Date;
  expires?: Date;
  renewable: boolean;
  meta: Record<string, string>;
  displayName: string;
  path: string;
  entityId: string;
}

/** OpenBao's system max lease TTL (32 days) bounds every token without its own max. */
export const SYSTEM_MAX_TTL = 768 * 3600;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(n: number): string {
  return [...randomBytes(n)].map((b) => BASE62[b % 62]).join('');
}

export interface IssueInput {
  policies: readonly string[];
  ttl: number;
  maxTtl?: number;
  meta?: Record<string, string>;
  displayName?: string;
  path?: string;
  id?: string;
}

export class TokenStore {
  private readonly tokens = new Map<string, TokenEntry>();
  constructor(private readonly now: () => Date) {}

  issue(input: IssueInput): TokenEntry {
    const issued = this.now();
    const maxTtl = input.maxTtl ?? (input.ttl > 0 ? SYSTEM_MAX_TTL : 0);
    const ttl = maxTtl > 0 ? Math.min(input.ttl, maxTtl) : input.ttl;
    const entry: TokenEntry = {
      id: input.id ?? `s.${base62(24)}`,
      accessor: base62(24),
      policies: [...input.policies],
      ttl,
      maxTtl,
      issued,
      renewable: ttl > 0,
      meta: input.meta ?? {},
      displayName: input.displayName ?? 'token',
      path: input.path ?? 'auth/token/create',
      entityId: input.ttl > 0 ? randomUUID() : '',
    };
    if (ttl > 0) entry.expires = new Date(issued.getTime() + ttl * 1000);
    this.tokens.set(entry.id, entry);
    return entry;
  }

  /** The live token for a header value, or 403 permission denied (missing, unknown, expired). */
  resolve(id: string | undefined): TokenEntry {
    if (!id) throw permissionDenied();
    const entry = this.tokens.get(id);
    if (!entry) throw permissionDenied();
    if (entry.expires && entry.expires.getTime() <= this.now().getTime()) {
      this.tokens.delete(id);
      throw permissionDenied();
    }
    return entry;
  }

  /** Seconds left (0 for tokens that never expire). */
  remaining(entry: TokenEntry): number {
    if (!entry.expires) return 0;
    return Math.max(0, Math.floor((entry.expires.getTime() - this.now().getTime()) / 1000));
  }

  /** renew-self: extends by `increment` (default the token's TTL), capped at the max TTL from issue. */
  renew(entry: TokenEntry, increment: number | undefined): TokenEntry {
    if (!entry.renewable) throw badRequest('lease is not renewable');
    const now = this.now().getTime();
    let until = now + (increment ?? entry.ttl) * 1000;
    if (entry.maxTtl > 0) until = Math.min(until, entry.issued.getTime() + entry.maxTtl * 1000);
    entry.expires = new Date(until);
    return entry;
  }

  revoke(entry: TokenEntry): void {
    this.tokens.delete(entry.id);
  }

  size(): number {
    return this.tokens.size;
  }

  /** `data` of lookup-self. */
  lookup(entry: TokenEntry): Record<string, unknown> {
    return {
      accessor: entry.accessor,
      creation_time: Math.floor(entry.issued.getTime() / 1000),
      creation_ttl: entry.ttl,
      display_name: entry.displayName,
      entity_id: entry.entityId,
      expire_time: entry.expires ? formatTime(entry.expires) : null,
      explicit_max_ttl: 0,
      id: entry.id,
      issue_time: formatTime(entry.issued),
      meta: Object.keys(entry.meta).length ? entry.meta : null,
      num_uses: 0,
      orphan: true,
      path: entry.path,
      policies: entry.policies,
      renewable: entry.renewable,
      ttl: this.remaining(entry),
      type: 'service',
    };
  }

  /** The `auth` block of a login or renewal response. */
  authBlock(entry: TokenEntry): Record<string, unknown> {
    const policies = entry.policies;
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies,
      token_policies: policies,
      metadata: entry.meta,
      lease_duration: this.remaining(entry),
      renewable: entry.renewable,
      entity_id: entry.entityId,
      token_type: 'service',
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    };
  }
}
