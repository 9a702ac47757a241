// Real `kind: Status` bodies, field for field in the order Go serialises them (apimachinery
// pkg/api/errors/errors.go, meta/v1 Status): kind, apiVersion, metadata, status, message, reason,
// details, code; details: name, group, kind, uid, causes, retryAfterSeconds; cause: reason, message,
// field. Empty fields are omitted, exactly as `omitempty` does.
import { groupResource } from './resources.ts';
import type { ResourceDef } from './resources.ts';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

type GR = Pick<ResourceDef, 'group' | 'plural'>;

function orderedCause(c: StatusCause): StatusCause {
  const out: StatusCause = {};
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  if (c.field) out.field = c.field;
  return out;
}

function orderedDetails(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) out.causes = d.causes.map(orderedCause);
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** Builds a Status with the real key order. `details` undefined omits it; `{}` prints `"details":{}`. */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
  metadata: { continue?: string } = {},
  status: 'Failure' | 'Success' = 'Failure',
): StatusBody {
  // Insertion order is serialisation order: keep Go's (code last).
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata, status } as StatusBody;
  if (message) body.message = message;
  if (reason) body.reason = reason;
  if (details) body.details = orderedDetails(details);
  body.code = code;
  return body;
}

/** The Status a DELETE answers with when the object is gone: `status: Success`, no code. */
export function successStatus(details: StatusDetails): Omit<StatusBody, 'code'> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: orderedDetails(details),
  };
}

/** An error carrying the Status the server answers with. */
export class ApiError extends Error {
  readonly status: StatusBody;
  readonly headers: Record<string, string>;
  constructor(status: StatusBody, headers: Record<string, string> = {}) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'ApiError';
    this.status = status;
    this.headers = headers;
  }
  get code(): number {
    return this.status.code;
  }
}

export const OPTIMISTIC_LOCK_MSG =
  'the object has been modified; please apply your changes to the latest version and try again';

export function notFound(d: GR, name: string): ApiError {
  return new ApiError(
    statusBody(404, 'NotFound', `${groupResource(d)} "${name}" not found`, {
      name,
      group: d.group,
      kind: d.plural,
    }),
  );
}

/** A metrics.k8s.io object missing: the message names the kind-derived resource (`nodemetrics`). */
export function notFoundNamed(resource: string, group: string, name: string): ApiError {
  const gr = group ? `${resource}.${group}` : resource;
  return new ApiError(
    statusBody(404, 'NotFound', `${gr} "${name}" not found`, { name, group, kind: resource }),
  );
}

export function alreadyExists(d: GR, name: string): ApiError {
  return new ApiError(
    statusBody(409, 'AlreadyExists', `${groupResource(d)} "${name}" already exists`, {
      name,
      group: d.group,
      kind: d.plural,
    }),
  );
}

export function conflict(d: GR, name: string, msg: string = OPTIMISTIC_LOCK_MSG): ApiError {
  return new ApiError(
    statusBody(409, 'Conflict', `Operation cannot be fulfilled on ${groupResource(d)} "${name}": ${msg}`, {
      name,
      group: d.group,
      kind: d.plural,
    }),
  );
}

export interface FieldError {
  reason:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueDuplicate'
    | 'FieldValueForbidden'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany'
    | 'FieldValueNotFound'
    | 'FieldValueTypeInvalid';
  field: string;
  /** The ErrorBody, e.g. `Required value: name or generateName is required`. */
  message: string;
}

/** 422 Invalid: `<Kind>.<group> "<name>" is invalid: <field>: <body>` (several: `[a, b]`). */
export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const qualified = group ? `${kind}.${group}` : kind;
  const parts = errors.map((e) => `${e.field}: ${e.message}`);
  const joined = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
  return new ApiError(
    statusBody(422, 'Invalid', `${qualified} "${name}" is invalid: ${joined}`, {
      name,
      group,
      kind,
      causes: errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field })),
    }),
  );
}

/** 422 on request options (`CreateOptions.meta.k8s.io "" is invalid: ...`). */
export function invalidOptions(kind: string, errors: FieldError[]): ApiError {
  return invalid(kind, 'meta.k8s.io', '', errors);
}

export function badRequest(message: string): ApiError {
  return new ApiError(statusBody(400, 'BadRequest', message));
}

export function unknownResource(): ApiError {
  return new ApiError(statusBody(404, 'NotFound', 'the server could not find the requested resource', {}));
}

export function methodNotAllowed(verb: string, d: GR): ApiError {
  return new ApiError(
    statusBody(
      405,
      'MethodNotAllowed',
      `${verb} is not supported on resources of kind "${groupResource(d)}"`,
      {
        group: d.group,
        kind: d.plural,
      },
    ),
  );
}

export function unsupportedMediaType(accepted: readonly string[]): ApiError {
  return new ApiError(
    statusBody(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    ),
  );
}

export function forbidden(
  d: GR,
  name: string | undefined,
  message: string,
  causes?: StatusCause[],
): ApiError {
  const prefix = name ? `${groupResource(d)} "${name}"` : groupResource(d);
  const details: StatusDetails = { group: d.group, kind: d.plural };
  if (name) details.name = name;
  if (causes) details.causes = causes;
  return new ApiError(statusBody(403, 'Forbidden', `${prefix} is forbidden: ${message}`, details));
}

export function unauthorized(): ApiError {
  return new ApiError(statusBody(401, 'Unauthorized', 'Unauthorized'));
}

export function internalError(message: string): ApiError {
  return new ApiError(
    statusBody(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
  );
}

export function tooManyRequests(retryAfterSeconds: number, message?: string): ApiError {
  return new ApiError(
    statusBody(
      429,
      'TooManyRequests',
      message ?? 'the server has received too many requests and has asked us to try again later',
      { retryAfterSeconds },
    ),
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

export function serviceUnavailable(
  message = 'the server is currently unable to handle the request',
): ApiError {
  return new ApiError(statusBody(503, 'ServiceUnavailable', message));
}

export function gatewayTimeout(
  message = 'the server was unable to return a response in the time allotted, but may still be processing the request',
): ApiError {
  return new ApiError(statusBody(504, 'Timeout', message));
}

/** A JSON-patch operation that fails (e.g. `test`): the apiserver's generic 422 with `details:{}`. */
export function patchRejected(): ApiError {
  return new ApiError(
    statusBody(422, 'Invalid', 'the server rejected our request due to an error in our request', {}),
  );
}

export const LIST_TOO_OLD = 'The resourceVersion for the provided list is too old.';
export const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export function expired(message: string, continueToken?: string): ApiError {
  return new ApiError(
    statusBody(410, 'Expired', message, undefined, continueToken ? { continue: continueToken } : {}),
  );
}

export function requestEntityTooLarge(message: string): ApiError {
  return new ApiError(statusBody(413, 'RequestEntityTooLarge', message));
}
