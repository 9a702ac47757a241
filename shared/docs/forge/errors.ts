// Errors of the forge docs client. Messages name the forge, the repository and the path, and for
// 401/403 the token setting to fix; they never contain the token.

export type ForgeErrorCode =
  | 'not-found'
  | 'unauthorized'
  | 'forbidden'
  | 'rate-limited'
  | 'bad-response'
  | 'network'
  | 'invalid-path'
  | 'http-error';

export class ForgeError extends Error {
  override name = 'ForgeError';
  readonly code: ForgeErrorCode;
  /** The HTTP status, when the forge answered. */
  readonly status: number | undefined;
  /** For rate-limited: when the limit resets (epoch ms), when the forge said. */
  readonly resetAt: number | undefined;

  constructor(
    code: ForgeErrorCode,
    message: string,
    options: { status?: number; resetAt?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.resetAt = options.resetAt;
  }
}

export function isForgeError(value: unknown): value is ForgeError {
  return (
    value instanceof ForgeError || (value instanceof Error && value.name === 'ForgeError' && 'code' in value)
  );
}
