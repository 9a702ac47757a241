export { OpenBaoClient } from './client.ts';
export type { KvReadResult, KvSecretMetadata, KvVersionMetadata, OpenBaoClientOptions } from './client.ts';
export { openBaoConfigFromEnv, OPENBAO_ENV_DOCS, DEFAULT_SA_TOKEN_FILE } from './config.ts';
export type { OpenBaoAuth, OpenBaoConfig } from './config.ts';
export { OpenBaoError, OpenBaoConfigError } from './errors.ts';
