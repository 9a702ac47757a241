export * from './k8s/index.ts';
export * from './safety/index.ts';
export * from './bot/index.ts';
export * from './errors/index.ts';
export * from './log/index.ts';
export * from './config/index.ts';
export * from './report/index.ts';
export * from './settings/index.ts';
export * from './scan/index.ts';
export * from './metrics/index.ts';
export * from './oci/index.ts';
// Only the SDK-free part: a bot importing this barrel must not load the CloudEvents SDK at start
// (the runtime loads it on the first CloudEvent). The codec is in shared/cloudevents/index.ts.
export {
  ALERT_EVENT_PREFIX,
  PING_EVENT_TYPE,
  REPORT_EVENT_TYPE,
  eventSource,
} from './cloudevents/constants.ts';
export { cloudEventMode } from './cloudevents/mode.ts';
export type { CeMode } from './cloudevents/mode.ts';
export * from './auth/index.ts';
export * from './http/index.ts';
export * from './runtime/index.ts';
export * from './tenant/index.ts';
export * from './deprecations/index.ts';
export * from './opentofu/index.ts';
