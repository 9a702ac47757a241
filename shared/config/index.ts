export { ENV_DOCS, envInt, envOneOf, loadConfig, sinkTuning } from './load.ts';
export type { AuthConfig, RuntimeConfig, SinkConfig } from './types.ts';
