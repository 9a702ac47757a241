export { PING_EVENT_TYPE, REPORT_EVENT_TYPE, eventSource } from './constants.ts';
export { cloudEventMode } from './mode.ts';
export { decodeCloudEvents, eventData, eventExtensions, toBinary } from './http.ts';
export { buildEvent } from './event.ts';
export { loadCodec, loadEvents } from './lazy.ts';
export { createSinkSender } from './sink.ts';
export type { CeMode } from './mode.ts';
export type { SendEvent, SinkDeps } from './sink.ts';
