// One error type for everything that can go wrong talking to Prometheus, so a bot can turn it into
// a report error that names the system and the HTTP status (or the network failure) in one line.

/** What failed: the HTTP exchange, Prometheus' own error body, the network, or our deadline. */
export type PrometheusFailure =
  'api' | 'http' | 'network' | 'timeout' | 'aborted' | 'bad-response' | 'credentials';

export interface PrometheusErrorDetails {
  failure: PrometheusFailure;
  /** The endpoint path, e.g. `/api/v1/query_range`. */
  endpoint: string;
  /** HTTP status when an answer arrived. */
  status?: number;
  /** Prometheus' `errorType` (bad_data, execution, timeout, canceled, internal, unavailable, not_found). */
  errorType?: string;
  /** The PromQL expression, when the request carried one. */
  query?: string;
  /** Attempts made, retries included. */
  attempts?: number;
  /** A 429/503 answer's Retry-After, in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class PrometheusError extends Error {
  override name = 'PrometheusError';
  /** The external system, for report errors that must name it. */
  readonly system = 'prometheus';
  readonly failure: PrometheusFailure;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly errorType: string | undefined;
  readonly query: string | undefined;
  readonly attempts: number;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: PrometheusErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.failure = details.failure;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.errorType = details.errorType;
    this.query = details.query;
    this.attempts = details.attempts ?? 1;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** Whether repeating the request may succeed (5xx, 429, network failures, server timeouts). */
  get retryable(): boolean {
    if (this.failure === 'network' || this.failure === 'timeout') return true;
    if (this.status === undefined) return false;
    return this.status === 429 || this.status >= 500;
  }

  /** The shape of a report's `errors[]` entry. */
  toReportError(): { code: string; message: string } {
    return { code: 'prometheus-unavailable', message: this.message };
  }
}

export function isPrometheusError(value: unknown): value is PrometheusError {
  return value instanceof PrometheusError;
}

/**
 * A failure as the report error the fleet's rule asks for, naming the system and the HTTP status:
 * `prometheus-http-<status>` when Prometheus answered, else `prometheus-unavailable`.
 */
export function prometheusReportError(error: unknown, what: string): { code: string; message: string } {
  if (error instanceof PrometheusError) {
    const code = error.status !== undefined ? `prometheus-http-${error.status}` : 'prometheus-unavailable';
    return { code, message: `${what}: ${error.message}` };
  }
  return { code: 'prometheus-unavailable', message: `${what}: ${(error as Error).message}` };
}
