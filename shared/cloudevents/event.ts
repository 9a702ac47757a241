import { CloudEvent } from 'cloudevents';
import type { EmitOptions } from '../bot/types.ts';
import { eventSource } from './constants.ts';

/** A CloudEvent from a bot: source `/eco-bots/<bot>`, the run's traceparent as an extension. */
export function buildEvent(
  bot: string,
  type: string,
  data: unknown,
  traceparent: string,
  options: EmitOptions = {},
): CloudEvent<unknown> {
  return new CloudEvent<unknown>({
    ...options.extensions,
    type,
    source: eventSource(bot),
    datacontenttype: 'application/json',
    data,
    traceparent,
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.time === undefined ? {} : { time: options.time }),
  });
}
