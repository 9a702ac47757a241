// Which store a bot uses, from its environment: S3 when ECO_S3_URL is set, else the directory at
// ECO_BACKUP_DIR. Neither set is a configuration error rather than a silent write into the
// container's own (ephemeral) file system.

import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/config-error.ts';
import { envInt } from '../config/load.ts';
import { createDirectoryStore } from './directory.ts';
import { createS3Store, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_REGION } from './s3.ts';
import type { ObjectStore } from './types.ts';

type Env = Readonly<Record<string, string | undefined>>;

export const OBJECT_STORE_ENV_DOCS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  {
    name: 'ECO_BACKUP_DIR',
    default: '(unset)',
    meaning: 'object store in a mounted folder (used when ECO_S3_URL is unset)',
  },
  {
    name: 'ECO_S3_URL',
    default: '(unset)',
    meaning: 'S3-compatible store base URL (MinIO, Garage, Ceph RGW, SeaweedFS), path-style',
  },
  { name: 'ECO_S3_BUCKET', default: '(required with ECO_S3_URL)', meaning: 'bucket of the backups' },
  { name: 'ECO_S3_REGION', default: DEFAULT_REGION, meaning: 'SigV4 signing region' },
  {
    name: 'ECO_S3_ACCESS_KEY_FILE',
    default: '(required with ECO_S3_URL)',
    meaning: 'file holding the access key',
  },
  {
    name: 'ECO_S3_SECRET_KEY_FILE',
    default: '(required with ECO_S3_URL)',
    meaning: 'file holding the secret key',
  },
  {
    name: 'ECO_S3_MULTIPART_THRESHOLD_BYTES',
    default: String(DEFAULT_MULTIPART_THRESHOLD),
    meaning: 'bodies larger than this are uploaded in 5 MiB parts',
  },
  { name: 'ECO_S3_TIMEOUT_MS', default: '60000', meaning: 'timeout of one request to the store' },
];

export interface ObjectStoreFromEnvDeps {
  fetch?: typeof fetch;
  readFile?: (path: string) => string;
}

export function objectStoreFromEnv(env: Env, deps: ObjectStoreFromEnvDeps = {}): ObjectStore {
  const read = deps.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const url = env['ECO_S3_URL']?.trim();
  if (url !== undefined && url !== '') {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('ECO_S3_URL', `"${url}" is not a URL`);
    }
    const bucket = required(env, 'ECO_S3_BUCKET');
    const accessKeyId = secretFile(env, 'ECO_S3_ACCESS_KEY_FILE', read);
    const secretAccessKey = secretFile(env, 'ECO_S3_SECRET_KEY_FILE', read);
    try {
      return createS3Store({
        endpoint: url,
        bucket,
        region: env['ECO_S3_REGION']?.trim() || DEFAULT_REGION,
        credentials: { accessKeyId, secretAccessKey },
        multipartThresholdBytes: envInt(
          env,
          'ECO_S3_MULTIPART_THRESHOLD_BYTES',
          DEFAULT_MULTIPART_THRESHOLD,
          1,
        ),
        timeoutMs: envInt(env, 'ECO_S3_TIMEOUT_MS', 60_000, 1, 3_600_000),
        ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      });
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError('ECO_S3_URL', error instanceof Error ? error.message : String(error));
    }
  }
  const dir = env['ECO_BACKUP_DIR']?.trim();
  if (dir === undefined || dir === '') {
    throw new ConfigError('ECO_BACKUP_DIR', 'set ECO_BACKUP_DIR (a mounted volume) or ECO_S3_URL');
  }
  return createDirectoryStore({ root: dir });
}

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new ConfigError(name, 'is required when ECO_S3_URL is set');
  return value;
}

function secretFile(env: Env, name: string, read: (path: string) => string): string {
  const path = required(env, name);
  let value: string;
  try {
    value = read(path).trim();
  } catch {
    throw new ConfigError(name, `file ${path} cannot be read`);
  }
  if (value === '') throw new ConfigError(name, `file ${path} is empty`);
  return value;
}
