// Typed errors for cluster access. API errors carry the apiserver's meta/v1 Status body so callers
// branch on `reason`/`code` instead of parsing messages.

/** The meta/v1 Status the API server returns with every non-2xx answer. */
export interface K8sStatus {
  kind?: string;
  apiVersion?: string;
  metadata?: { continue?: string };
  status?: string;
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
  code?: number;
}

/** A non-2xx answer from the API server. */
export class K8sApiError extends Error {
  override readonly name = 'K8sApiError';
  /** The HTTP status, as BotError's `status`. */
  readonly status: number;
  /** A stable kebab-case code from the Status reason (`not-found`, `conflict`, ...), as BotError's `code`. */
  readonly code: string;
  /** Status `reason` (NotFound, Conflict, Forbidden, Expired, ...); `Unknown` when the body had none. */
  readonly reason: string;
  /** The meta/v1 Status body, when the server sent one. */
  readonly body: K8sStatus | undefined;
  /** The raw body when it was not a Status (e.g. `/readyz?verbose` answering 500 with its check list). */
  readonly bodyText: string | undefined;
  readonly method: string;
  readonly path: string;
  /**
   * True when an earlier attempt of this request may have been applied (a reset or timeout after the
   * request was sent). A 409 AlreadyExists on a retried create then likely means "our first attempt won".
   */
  readonly afterAmbiguousRetry: boolean;

  constructor(init: {
    status: number;
    method: string;
    path: string;
    body?: K8sStatus | undefined;
    bodyText?: string;
    afterAmbiguousRetry?: boolean;
  }) {
    const reason = init.body?.reason ?? reasonForCode(init.status);
    const text = init.body?.message ?? (init.bodyText?.trim() ? init.bodyText.trim().slice(0, 300) : reason);
    super(`${init.method} ${init.path}: ${init.status} ${reason}: ${text}`);
    this.status = init.status;
    this.code = reason.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    this.reason = reason;
    this.body = init.body;
    this.bodyText = init.body === undefined ? init.bodyText : undefined;
    this.method = init.method;
    this.path = init.path;
    this.afterAmbiguousRetry = init.afterAmbiguousRetry ?? false;
  }

  /** The server's own message (without method/path prefix). */
  get serverMessage(): string {
    return this.body?.message ?? this.reason;
  }
}

/** No cluster could be configured, or the configuration is unusable. */
export class K8sConfigError extends Error {
  override readonly name = 'K8sConfigError';
}

/** The request never got an HTTP answer (connection refused/reset, timeout, TLS failure). */
export class K8sTransportError extends Error {
  override readonly name = 'K8sTransportError';
  constructor(
    message: string,
    /** Node's error code (ECONNRESET, ECONNREFUSED, ETIMEDOUT, ...). */
    readonly errno: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function reasonForCode(code: number): string {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return 'Conflict';
    case 410:
      return 'Expired';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 500:
      return 'InternalError';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return 'Unknown';
  }
}

export function isK8sApiError(error: unknown): error is K8sApiError {
  return error instanceof K8sApiError;
}
export function isNotFound(error: unknown): error is K8sApiError {
  return error instanceof K8sApiError && error.status === 404;
}
/** 409: a failed precondition / stale resourceVersion (Conflict) or a taken name (AlreadyExists). */
export function isConflict(error: unknown): error is K8sApiError {
  return error instanceof K8sApiError && error.status === 409;
}
export function isAlreadyExists(error: unknown): error is K8sApiError {
  return error instanceof K8sApiError && error.status === 409 && error.reason === 'AlreadyExists';
}
export function isForbidden(error: unknown): error is K8sApiError {
  return error instanceof K8sApiError && error.status === 403;
}
export function isExpired(error: unknown): error is K8sApiError {
  return error instanceof K8sApiError && error.status === 410;
}
