// One error type for everything that goes wrong talking to a registry. It names the system and the
// registry so a report line says which dependency failed, and carries the Distribution error codes
// (`MANIFEST_UNKNOWN`, `DENIED`, ...) so callers branch on a field, not on a message.

export type RegistryErrorKind =
  /** No HTTP answer: connection refused or reset, DNS, TLS, timeout. */
  | 'unreachable'
  /** 401 that the credentials (or their absence) could not get past. */
  | 'unauthorized'
  /** 403. */
  | 'denied'
  /** 404: repository, manifest or blob unknown. */
  | 'not-found'
  /** 405 on DELETE: the registry runs with deletes disabled. */
  | 'delete-disabled'
  /** 429 after the retries. */
  | 'rate-limited'
  /** 5xx after the retries. */
  | 'server-error'
  /** An answer we cannot use (not JSON, wrong shape, an unexpected status). */
  | 'bad-response';

/** An entry of the Distribution API's `{ "errors": [...] }` body. */
export interface DistributionErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  /** The system that failed, for report lines and error bodies. */
  readonly system = 'oci-registry';
  readonly kind: RegistryErrorKind;
  /** The registry host (with port). */
  readonly registry: string;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly errors: readonly DistributionErrorEntry[];

  constructor(init: {
    kind: RegistryErrorKind;
    registry: string;
    method: string;
    path: string;
    status?: number;
    errors?: DistributionErrorEntry[];
    detail: string;
    cause?: unknown;
  }) {
    const status = init.status !== undefined ? ` ${init.status}` : '';
    super(
      `OCI registry ${init.registry}: ${init.method} ${init.path}:${status} ${init.kind}: ${init.detail}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.kind = init.kind;
    this.registry = init.registry;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.errors = Object.freeze([...(init.errors ?? [])]);
  }

  /** Whether the registry said this Distribution error code (e.g. `MANIFEST_UNKNOWN`). */
  hasCode(code: string): boolean {
    return this.errors.some((entry) => entry.code === code);
  }
}

export function isRegistryError(error: unknown): error is RegistryError {
  if (error instanceof RegistryError) return true;
  return (
    error instanceof Error &&
    error.name === 'RegistryError' &&
    typeof (error as Partial<RegistryError>).kind === 'string'
  );
}

export function isRegistryNotFound(error: unknown): error is RegistryError {
  return isRegistryError(error) && error.kind === 'not-found';
}

/** The kind for an HTTP status that was not a success. */
export function kindForStatus(status: number, method: string): RegistryErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'denied';
  if (status === 404) return 'not-found';
  if (status === 405 && method === 'DELETE') return 'delete-disabled';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server-error';
  return 'bad-response';
}

/** Reads `{ errors: [...] }` from a body text; empty when it is something else. */
export function distributionErrors(bodyText: string): DistributionErrorEntry[] {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed === null || typeof parsed !== 'object' || !('errors' in parsed)) return [];
    const { errors } = parsed as { errors: unknown };
    if (!Array.isArray(errors)) return [];
    return errors.flatMap((entry: unknown): DistributionErrorEntry[] => {
      if (entry === null || typeof entry !== 'object') return [];
      const { code, message, detail } = entry as Record<string, unknown>;
      if (typeof code !== 'string') return [];
      return [
        {
          code,
          ...(typeof message === 'string' ? { message } : {}),
          ...(detail !== undefined ? { detail } : {}),
        },
      ];
    });
  } catch {
    return [];
  }
}
