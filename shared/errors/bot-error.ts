import type { ErrorCode } from './codes.ts';

export interface BotErrorOptions {
  cause?: unknown;
  /** Extra response headers this error needs (Allow, WWW-Authenticate, Retry-After). */
  headers?: Record<string, string>;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * The base of every error the kit raises on purpose. It knows its HTTP status and how to render
 * itself as the fleet's JSON error body; anything that is not a BotError is a 500 at the edge.
 */
export class BotError extends Error {
  override name = 'BotError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, status: number, message: string, options: BotErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = status;
    this.headers = Object.freeze({ ...options.headers });
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Narrows unknown; also matches errors from another copy of the kit (another realm or bundle). */
export function isBotError(value: unknown): value is BotError {
  if (value instanceof BotError) return true;
  if (!(value instanceof Error)) return false;
  const candidate = value as Partial<BotError>;
  return (
    typeof candidate.code === 'string' &&
    typeof candidate.status === 'number' &&
    typeof candidate.toJSON === 'function'
  );
}
