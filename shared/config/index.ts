export { ENV_DOCS, loadConfig } from './load.ts';
export type { AuthConfig, RuntimeConfig, SinkConfig } from './types.ts';
