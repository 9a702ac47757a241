// The CloudEvents SDK (with bignumber.js, json-bigint, ajv-formats) costs ~4 ms of every cold
// start when loaded eagerly. The runtime reaches it only through these, on the first CloudEvent it
// decodes or emits; a bot invoked with plain JSON never loads it.
import type * as Codec from './http.ts';
import type * as Events from './event.ts';

export const loadCodec = (): Promise<typeof Codec> => import('./http.ts');
export const loadEvents = (): Promise<typeof Events> => import('./event.ts');
