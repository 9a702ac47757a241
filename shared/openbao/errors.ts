// Errors from OpenBao. They carry OpenBao's own `errors` list (never a secret value: OpenBao puts
// none there) and the request's method and path, so a caller can branch on the status.

export class OpenBaoError extends Error {
  override readonly name = 'OpenBaoError';
  constructor(
    /** HTTP status; 0 for a transport failure (refused, reset, timeout). */
    readonly status: number,
    /** OpenBao's `errors` (empty for a plain 404). */
    readonly errors: readonly string[],
    readonly method: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(
      `OpenBao ${method} ${path}: ${status === 0 ? 'no answer' : `HTTP ${status}`}${errors.length ? `: ${errors.join('; ')}` : ''}`,
      options,
    );
  }
}

/** A configuration problem (missing BAO_ADDR, no way to authenticate). */
export class OpenBaoConfigError extends Error {
  override readonly name = 'OpenBaoConfigError';
}
