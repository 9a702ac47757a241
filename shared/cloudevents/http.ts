import { HTTP, type CloudEvent } from 'cloudevents';
import { ValidationError } from '../errors/validation-error.ts';
import { cloudEventMode, type CeMode } from './mode.ts';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function invalid(message: string, cause?: unknown): ValidationError {
  return new ValidationError(`invalid CloudEvent: ${message}`, { code: 'invalid-cloudevent', cause });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = (error as { errors?: unknown }).errors;
  if (Array.isArray(details) && details.length > 0) {
    return details
      .map((d: unknown) =>
        typeof d === 'object' && d !== null && 'message' in d ? String(d.message) : String(d),
      )
      .join('; ');
  }
  return error.message;
}

/** The SDK's toEvent does not validate (it builds with strict=false): check each event here. */
function checked(event: CloudEvent<unknown>): CloudEvent<unknown> {
  if (event.specversion !== '1.0') throw invalid(`unsupported specversion "${String(event.specversion)}"`);
  try {
    event.validate();
  } catch (error) {
    throw invalid(describe(error), error);
  }
  return event;
}

/**
 * Decodes a request into validated, frozen CloudEvents. Throws a 400 ValidationError (code
 * invalid-cloudevent) for anything the SDK cannot parse or that fails validation.
 */
export function decodeCloudEvents(
  headers: Headers,
  body: string,
): { mode: CeMode; events: CloudEvent<unknown>[] } {
  const mode = cloudEventMode(headers);
  if (mode === undefined) throw invalid('no CloudEvent detected');
  if (mode === 'batch') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw invalid('batch body is not JSON', error);
    }
    if (!Array.isArray(parsed)) throw invalid('batch body is not a JSON array');
  }
  let decoded: CloudEvent<unknown> | CloudEvent<unknown>[];
  try {
    decoded = HTTP.toEvent<unknown>({ headers: { ...headers }, body }) as
      CloudEvent<unknown> | CloudEvent<unknown>[];
  } catch (error) {
    throw invalid(describe(error), error);
  }
  const events = (Array.isArray(decoded) ? decoded : [decoded]).map(checked);
  return { mode, events };
}

/** A binary-mode message: `ce-*` headers and the data as the body (used for replies and the sink). */
export function toBinary(event: CloudEvent<unknown>): { headers: Record<string, string>; body: string } {
  const message = HTTP.binary(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(', ');
  }
  const body = message.body;
  return { headers, body: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body) };
}

/** The event's data as run options: JSON objects as they are, JSON text and base64 JSON parsed. */
export function eventData(event: CloudEvent<unknown>): unknown {
  let data: unknown = event.data;
  // Binary data: the SDK mirrors data_base64 into a typed array (a Uint32Array of bytes, in v10),
  // so decode the base64 text itself.
  const base64 = (event as { data_base64?: unknown }).data_base64;
  if (typeof base64 === 'string') data = Buffer.from(base64, 'base64').toString('utf8');
  else if (ArrayBuffer.isView(data))
    data = Buffer.from(Array.from(data as unknown as ArrayLike<number>)).toString('utf8');
  if (data === undefined || data === null || data === '') return {};
  if (typeof data === 'string') {
    try {
      return JSON.parse(data) as unknown;
    } catch (error) {
      throw new ValidationError('event data is not JSON', {
        code: 'unsupported-media-type',
        status: 415,
        cause: error,
      });
    }
  }
  return data;
}

/** Extension attributes as strings (everything not a core attribute). */
export function eventExtensions(event: CloudEvent<unknown>): Record<string, string> {
  const core = new Set([
    'id',
    'type',
    'source',
    'specversion',
    'time',
    'subject',
    'datacontenttype',
    'dataschema',
    'data',
    'data_base64',
  ]);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) {
    if (!core.has(key) && value !== undefined && typeof value !== 'function') out[key] = String(value);
  }
  return out;
}
