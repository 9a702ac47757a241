// One GET against a forge API: auth header, ETag revalidation, rate-limit headers, retries through
// the kit's one retry loop (shared/http/retry.ts), and the mapping of statuses to ForgeErrors that say what to fix.
import { MemoryEtagCache } from './cache.ts';
import type { EtagCache } from './cache.ts';
import { ForgeError } from './errors.ts';
import { parseRetryAfter } from '../../http/retry-after.ts';
import { isRetryableStatus, retry, sleep } from '../../http/retry.ts';
import type { AttemptOutcome, RetryPolicy, Verdict } from '../../http/retry.ts';
import type { ResolvedToken } from './token.ts';

export interface TransportOptions {
  /** For messages: `GitHub`, `Gitea`. */
  forge: string;
  /** For messages: `owner/name`. */
  repo: string;
  token: ResolvedToken;
  /** `Bearer` (GitHub) or `token` (Gitea/Forgejo). */
  authScheme: string;
  extraHeaders?: Record<string, string>;
  retry?: Partial<RetryPolicy>;
  cache?: EtagCache;
  fetch?: typeof fetch;
  /** Injectable for tests (no real waits); default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
}

export const DEFAULT_FORGE_RETRY: RetryPolicy = {
  attempts: 4,
  backoffMs: 250,
  maxBackoffMs: 4_000,
  timeoutMs: 15_000,
  maxRetryAfterMs: 60_000,
};

export interface ForgeResponse {
  status: number;
  body: Buffer;
  link: string | undefined;
  /** Answered 304 and served from the ETag cache. */
  fromCache: boolean;
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface RateLimitState {
  limit?: number;
  remaining?: number;
  /** Epoch ms. */
  resetAt?: number;
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

export class ForgeTransport {
  readonly rateLimit: RateLimitState = {};
  /** Requests answered 304 from the cache (they cost no rate limit on GitHub). */
  notModified = 0;
  /** Requests sent, retries included. */
  requests = 0;
  private readonly cache: EtagCache;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;

  constructor(private readonly options: TransportOptions) {
    this.cache = options.cache ?? new MemoryEtagCache();
    this.policy = { ...DEFAULT_FORGE_RETRY, ...options.retry };
    this.now = options.now ?? Date.now;
  }

  /** GET `url` with `accept`; `what` names the thing in error messages (`docs/x.md at main`). */
  async get(url: string, accept: string, what: string): Promise<ForgeResponse> {
    await this.respectExhaustedLimit();
    const key = `${accept}\n${url}`;
    const cached = this.cache.get(key);
    const headers: Record<string, string> = {
      accept,
      'user-agent': 'eco-bots-docs',
      ...this.options.extraHeaders,
    };
    if (this.options.token.token !== undefined)
      headers['authorization'] = `${this.options.authScheme} ${this.options.token.token}`;
    if (cached !== undefined) headers['if-none-match'] = cached.etag;
    const doFetch = this.options.fetch ?? fetch;

    let response: RawResponse;
    try {
      response = await retry<RawResponse>(
        async (_n, signal) => {
          this.requests += 1;
          const res = await doFetch(url, { method: 'GET', headers, signal, redirect: 'follow' });
          // The whole body is read inside the attempt: a retried response's connection is freed.
          return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
        },
        (outcome) => this.classify(outcome),
        this.policy,
        { signal: this.options.signal, sleep: this.options.sleep },
      );
    } catch (error) {
      if (error instanceof ForgeError) throw error;
      throw new ForgeError(
        'network',
        `${this.options.forge} ${this.options.repo}: ${what}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.noteRateLimit(response.headers);
    const link = response.headers.get('link') ?? undefined;
    if (response.status === 304 && cached !== undefined) {
      this.notModified += 1;
      return { status: 200, body: cached.body, link: cached.link, fromCache: true };
    }
    if (response.status >= 200 && response.status < 300) {
      const etag = response.headers.get('etag');
      if (etag !== null) this.cache.set(key, { etag, body: response.body, ...(link ? { link } : {}) });
      return { status: response.status, body: response.body, link, fromCache: false };
    }
    throw this.errorFor(response, what);
  }

  /** A rate-limited answer (429, or 403 with the limit at 0 or a Retry-After): when to try again. */
  private rateLimitWait(status: number, headers: Headers): number | undefined {
    const retryAfter = parseRetryAfter(headers.get('retry-after'), this.now());
    const remaining = numberHeader(headers, 'x-ratelimit-remaining');
    const reset = numberHeader(headers, 'x-ratelimit-reset');
    if (status !== 429 && !(status === 403 && (remaining === 0 || retryAfter !== undefined)))
      return undefined;
    if (retryAfter !== undefined) return retryAfter;
    if (remaining === 0 && reset !== undefined) return Math.max(0, reset * 1000 - this.now());
    return status === 429 ? 60_000 : undefined;
  }

  private classify(outcome: AttemptOutcome<RawResponse>): Verdict {
    if (!outcome.ok) return { retry: true };
    const { status, headers } = outcome.value;
    if (status < 400) return { retry: false };
    const wait = this.rateLimitWait(status, headers);
    if (wait !== undefined) return { retry: true, retryAfterMs: wait };
    return { retry: isRetryableStatus(status) };
  }

  private noteRateLimit(headers: Headers): void {
    const limit = numberHeader(headers, 'x-ratelimit-limit');
    const remaining = numberHeader(headers, 'x-ratelimit-remaining');
    const reset = numberHeader(headers, 'x-ratelimit-reset');
    if (limit !== undefined) this.rateLimit.limit = limit;
    if (remaining !== undefined) this.rateLimit.remaining = remaining;
    if (reset !== undefined) this.rateLimit.resetAt = reset * 1000;
  }

  /** The last answer said the limit is used up: wait for the reset when it is near, else fail now without a request. */
  private async respectExhaustedLimit(): Promise<void> {
    const { remaining, resetAt } = this.rateLimit;
    if (remaining !== 0 || resetAt === undefined) return;
    const wait = resetAt - this.now();
    if (wait <= 0) return;
    if (wait > (this.policy.maxRetryAfterMs ?? 60_000)) throw this.rateLimitError(resetAt, undefined);
    await (this.options.sleep ?? sleep)(wait, this.options.signal);
    delete this.rateLimit.remaining;
  }

  private rateLimitError(resetAt: number | undefined, status: number | undefined): ForgeError {
    const when = resetAt === undefined ? 'later' : `after ${new Date(resetAt).toISOString()}`;
    const hint =
      this.options.token.token === undefined
        ? `; anonymous requests have a low limit: ${this.options.token.source}`
        : '';
    return new ForgeError(
      'rate-limited',
      `${this.options.forge} ${this.options.repo}: rate limit exhausted, try again ${when}${hint}`,
      { ...(status !== undefined ? { status } : {}), ...(resetAt !== undefined ? { resetAt } : {}) },
    );
  }

  private errorFor(response: RawResponse, what: string): ForgeError {
    const { forge, repo, token } = this.options;
    const status = response.status;
    const prefix = `${forge} ${repo}`;
    const wait = this.rateLimitWait(status, response.headers);
    if (wait !== undefined) return this.rateLimitError(this.now() + wait, status);
    if (status === 404) return new ForgeError('not-found', `${prefix}: ${what} not found (404)`, { status });
    if (status === 401) {
      return new ForgeError(
        'unauthorized',
        token.token === undefined
          ? `${prefix}: ${what}: 401 Unauthorized, this request needs a token: ${token.source}`
          : `${prefix}: ${what}: 401 Unauthorized, the token from ${token.source} was rejected (wrong, expired or revoked)`,
        { status },
      );
    }
    if (status === 403) {
      return new ForgeError(
        'forbidden',
        token.token === undefined
          ? `${prefix}: ${what}: 403 Forbidden without a token: ${token.source}`
          : `${prefix}: ${what}: 403 Forbidden, the token from ${token.source} may not read this repository's contents (needs read access to contents)`,
        { status },
      );
    }
    const detail = forgeMessage(response.body);
    return new ForgeError('http-error', `${prefix}: ${what}: HTTP ${status}${detail ? `: ${detail}` : ''}`, {
      status,
    });
  }
}

/** The `message` of a forge's JSON error body, shortened; never the request (it carried the token). */
function forgeMessage(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const message = (parsed as { message?: unknown }).message;
    return typeof message === 'string' ? message.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}
