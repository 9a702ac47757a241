export { PING_EVENT_TYPE, REPORT_EVENT_TYPE, eventSource } from './constants.ts';
export { cloudEventMode, decodeCloudEvents, eventData, eventExtensions, toBinary } from './http.ts';
export { createSinkSender, retryAfterMs } from './sink.ts';
export type { CeMode } from './http.ts';
export type { SendEvent, SinkDeps } from './sink.ts';
