// OpenBao's HTTP error bodies: `{"errors":[...]}` with the status the core picks for the error kind.
// A 404 from a KV v2 read of a missing secret carries an empty list; a 404 for a deleted or destroyed
// version carries the normal response envelope instead (see kv2.ts), which is why BaoError can hold a body.

export class BaoError extends Error {
  constructor(
    readonly code: number,
    readonly errors: readonly string[],
    /** A full body to send instead of `{"errors":[...]}` (KV v2 404s for deleted versions). */
    readonly body?: unknown,
  ) {
    super(errors.join('; ') || `HTTP ${code}`);
  }
}

/** logical.ErrPermissionDenied: a missing, unknown or expired token, or a path the policies deny. */
export const permissionDenied = (): BaoError => new BaoError(403, ['permission denied']);
/** A 403 with the plugin's own reason (Kubernetes auth bound-name/namespace checks). */
export const forbidden = (message: string): BaoError => new BaoError(403, [message]);
/** Nothing at the path: the empty error list. */
export const notFound = (): BaoError => new BaoError(404, []);
export const badRequest = (message: string): BaoError => new BaoError(400, [message]);
/** logical.ErrUnsupportedOperation, wrapped by go-multierror as the core returns it. */
export const unsupportedOperation = (): BaoError =>
  new BaoError(405, ['1 error occurred:\n\t* unsupported operation\n\n']);
/** logical.ErrUnsupportedPath inside a mount. */
export const unsupportedPath = (): BaoError =>
  new BaoError(404, ['1 error occurred:\n\t* unsupported path\n\n']);
/** No mount matches the path (only a root token gets this far; others see permission denied). */
export const noRoute = (path: string): BaoError =>
  new BaoError(404, [`no handler for route "${path}". route entry not found.`]);
export const internalError = (message: string): BaoError => new BaoError(500, [message]);
