// Fault injection for reliability tests: latency, an error Status (429 with Retry-After, 500, 503,
// 504, or any code), or a connection reset, each limited to N matching requests. Faults are matched in
// the order they were added; one request consumes at most one fault.
import {
  ApiError,
  CONTINUE_TOO_OLD,
  expired,
  gatewayTimeout,
  internalError,
  serviceUnavailable,
  statusBody,
  tooManyRequests,
} from './status-errors.ts';

export interface FaultSpec {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** URL path (without query) to match: exact string, a glob with `*`, or a RegExp. Any when absent. */
  path?: string | RegExp;
  /** Raw query string (without `?`) to match: substring or RegExp, e.g. `continue=` for later pages. */
  query?: string | RegExp;
  /** How many matching requests the fault applies to (default 1; `Infinity` for all). */
  times?: number;
  /** Let this many matching requests through first (default 0). */
  skip?: number;
  /** Delay before answering (combined with `status`/`reset`, or alone: then the request proceeds). */
  latencyMs?: number;
  /** Answer with this HTTP status and the matching Status body. */
  status?: number;
  /** For 429 (and 503): the Retry-After header and details.retryAfterSeconds (default 1 for 429). */
  retryAfterSeconds?: number;
  /** Override the Status message. */
  message?: string;
  /** Destroy the socket without answering (ECONNRESET on the client). */
  reset?: boolean;
}

export interface Fault extends FaultSpec {
  readonly id: string;
  /** Requests that matched and were affected. */
  hits: number;
  /** Requests that matched (including skipped ones). */
  seen: number;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export class FaultInjector {
  private faults: Fault[] = [];
  private next = 1;

  /** Adds a fault; returns its id. */
  add(spec: FaultSpec): string {
    const id = `f${this.next++}`;
    this.faults.push({ ...spec, id, hits: 0, seen: 0 });
    return id;
  }

  latency(ms: number, match: Omit<FaultSpec, 'latencyMs'> = {}): string {
    return this.add({ ...match, latencyMs: ms });
  }

  status(code: number, match: Omit<FaultSpec, 'status'> = {}): string {
    return this.add({ ...match, status: code });
  }

  reset(match: Omit<FaultSpec, 'reset'> = {}): string {
    return this.add({ ...match, reset: true });
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  /** Finds and consumes the first fault matching the request, if any. */
  take(method: string, path: string, query = ''): Fault | undefined {
    for (const f of this.faults) {
      if (f.method && f.method.toUpperCase() !== method.toUpperCase()) continue;
      if (
        f.query !== undefined &&
        (typeof f.query === 'string' ? !query.includes(f.query) : !f.query.test(query))
      )
        continue;
      if (f.path !== undefined) {
        const re =
          typeof f.path === 'string' ? (f.path.includes('*') ? globToRegExp(f.path) : undefined) : f.path;
        if (re ? !re.test(path) : f.path !== path) continue;
      }
      if (f.hits >= (f.times ?? 1)) continue;
      f.seen++;
      if (f.seen <= (f.skip ?? 0)) continue;
      f.hits++;
      return f;
    }
    return undefined;
  }
}

/** The Status error an injected status fault answers with. */
export function faultError(f: Fault): ApiError {
  const code = f.status ?? 500;
  switch (code) {
    case 429:
      return tooManyRequests(f.retryAfterSeconds ?? 1, f.message);
    case 500:
      return internalError(f.message ?? 'injected fault');
    case 503: {
      const e = serviceUnavailable(f.message);
      return f.retryAfterSeconds ? new ApiError(e.status, { 'Retry-After': String(f.retryAfterSeconds) }) : e;
    }
    case 504:
      return gatewayTimeout(f.message);
    case 410:
      // The paging failure clients must handle: an expired continue token.
      return expired(f.message ?? CONTINUE_TOO_OLD);
    default: {
      const reasons: Record<number, string> = {
        400: 'BadRequest',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'NotFound',
        409: 'Conflict',
        410: 'Expired',
        422: 'Invalid',
      };
      return new ApiError(
        statusBody(code, reasons[code] ?? 'InternalError', f.message ?? `injected fault (${code})`),
      );
    }
  }
}

/** Parses the JSON body of `POST /_emulator/faults` (path may be given as `pathRegex`). */
export function faultFromJson(input: unknown): FaultSpec {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new Error('fault must be a JSON object');
  const o = input as Record<string, unknown>;
  const spec: FaultSpec = {};
  const str = (k: string): string | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new Error(`${k} must be a string`);
    return v;
  };
  const num = (k: string): number | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !(v >= 0)) throw new Error(`${k} must be a non-negative number`);
    return v;
  };
  const method = str('method');
  if (method) spec.method = method;
  const path = str('path');
  if (path) spec.path = path;
  const query = str('query');
  if (query) spec.query = query;
  const re = str('pathRegex');
  if (re) {
    try {
      spec.path = new RegExp(re);
    } catch {
      throw new Error('pathRegex is not a valid regular expression');
    }
  }
  const times = num('times');
  if (times !== undefined) spec.times = times;
  if (o['times'] === null) spec.times = Infinity;
  const skip = num('skip');
  if (skip !== undefined) spec.skip = skip;
  const latencyMs = num('latencyMs');
  if (latencyMs !== undefined) spec.latencyMs = latencyMs;
  const status = num('status');
  if (status !== undefined) {
    if (status < 400 || status > 599) throw new Error('status must be an HTTP error code (400-599)');
    spec.status = status;
  }
  const ra = num('retryAfterSeconds');
  if (ra !== undefined) spec.retryAfterSeconds = ra;
  const message = str('message');
  if (message) spec.message = message;
  if (o['reset'] === true) spec.reset = true;
  if (spec.latencyMs === undefined && spec.status === undefined && !spec.reset) {
    throw new Error('a fault needs latencyMs, status or reset');
  }
  return spec;
}
