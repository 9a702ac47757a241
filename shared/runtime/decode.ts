import type { CloudEvent } from 'cloudevents';
import type { TriggerEvent, TriggerKind } from '../bot/types.ts';
import { ALERT_EVENT_PREFIX, PING_EVENT_TYPE } from '../cloudevents/constants.ts';
import { loadCodec } from '../cloudevents/lazy.ts';
import { cloudEventMode, type CeMode } from '../cloudevents/mode.ts';
import { ValidationError } from '../errors/validation-error.ts';

export interface Invocation {
  trigger: TriggerKind;
  input: unknown;
  event?: TriggerEvent;
  /** Set for the cron trigger: an empty POST (cron-connector) or a PingSource event. */
  tick?: boolean;
}

export interface Decoded {
  /** undefined for plain HTTP. */
  ceMode: CeMode | undefined;
  invocations: Invocation[];
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** JSON and text/plain (faas-cli invoke sends it) are options; anything else is a 415. */
function isJsonish(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json') || type === 'text/plain';
}

/**
 * `curl -d '{...}'` labels JSON as a form unless told otherwise; a form type whose body is a JSON
 * object or array is taken as JSON, so the everyday command works. Returns the parsed body, or
 * undefined for a real form body (a 415).
 */
function curlJson(contentType: string | undefined, body: string): { value: unknown } | undefined {
  const type = (contentType?.split(';')[0] ?? '').trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const text = body.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** Alertmanager's webhook body (version "4"), lenient about which optional fields are present. */
export function isAlertmanagerPayload(body: unknown, userAgent: string | undefined): boolean {
  if (userAgent?.startsWith('Alertmanager/') === true && typeof body === 'object' && body !== null)
    return true;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const o = body as Record<string, unknown>;
  return o['version'] === '4' && ('alerts' in o || 'groupKey' in o || 'receiver' in o);
}

function fromEvent(codec: Awaited<ReturnType<typeof loadCodec>>, event: CloudEvent<unknown>): Invocation {
  const { eventData, eventExtensions } = codec;
  const ping = event.type === PING_EVENT_TYPE;
  const attributes: TriggerEvent = {
    id: event.id,
    type: event.type,
    source: event.source,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    ...(event.time === undefined ? {} : { time: event.time }),
    extensions: eventExtensions(event),
  };
  const data = eventData(event);
  if (event.type.startsWith(ALERT_EVENT_PREFIX)) {
    return { trigger: 'cloudevent', input: {}, event: { ...attributes, data } };
  }
  return {
    trigger: ping ? 'ping' : 'cloudevent',
    input: data,
    event: attributes,
    ...(ping ? { tick: true } : {}),
  };
}

/**
 * Turns a POST into invocations, per the trigger table (ARCHITECTURE.md section 4): CloudEvents
 * (binary, structured, batch), cron-connector's empty POST, Alertmanager payloads, plain JSON.
 */
export async function decodeRequest(headers: Headers, body: string): Promise<Decoded> {
  const ceMode = cloudEventMode(headers);
  if (ceMode !== undefined) {
    if (ceMode === 'binary' && body.trim() !== '' && !isJsonish(first(headers['content-type']))) {
      throw new ValidationError(
        `unsupported data content type "${first(headers['content-type'])}"; send JSON`,
        {
          code: 'unsupported-media-type',
          status: 415,
        },
      );
    }
    const codec = await loadCodec();
    return {
      ceMode,
      invocations: codec.decodeCloudEvents(headers, body).events.map((e) => fromEvent(codec, e)),
    };
  }
  if (body.trim() === '') {
    const connector =
      first(headers['x-connector']) !== undefined || first(headers['x-topic']) === 'cron-function';
    return {
      ceMode,
      invocations: [
        { trigger: connector ? 'cron' : 'http', input: {}, ...(connector ? { tick: true } : {}) },
      ],
    };
  }
  const contentType = first(headers['content-type']);
  const jsonish = isJsonish(contentType);
  const fromCurl = jsonish ? undefined : curlJson(contentType, body);
  if (!jsonish && fromCurl === undefined) {
    throw new ValidationError(`unsupported content type "${contentType}"; send application/json`, {
      code: 'unsupported-media-type',
      status: 415,
    });
  }
  let parsed: unknown;
  try {
    parsed = fromCurl === undefined ? JSON.parse(body) : fromCurl.value;
  } catch (error) {
    throw new ValidationError(
      `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      {
        code: 'bad-json',
        cause: error,
      },
    );
  }
  const trigger: TriggerKind = isAlertmanagerPayload(parsed, first(headers['user-agent']))
    ? 'alertmanager'
    : 'http';
  return { ceMode, invocations: [{ trigger, input: parsed }] };
}
