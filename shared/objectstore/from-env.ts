// Which store a bot uses, from its settings: S3 when ECO_S3_URL is set, else the directory at
// ECO_BACKUP_DIR. Neither set is "unconfigured" (the bot reports `<bot>.unconfigured`) rather than a
// silent write into the container's own, ephemeral file system.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/config-error.ts';
import { readSettings } from '../settings/read.ts';
import { setting, type SettingValues } from '../settings/spec.ts';
import { createDirectoryStore } from './directory.ts';
import { createS3Store, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_REGION, PART_SIZE } from './s3.ts';
import type { ObjectStore } from './types.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The object store's settings, declared as data: every storage bot spreads these into its own. */
export const OBJECT_STORE_SETTINGS = {
  backupDir: setting.string({
    env: 'ECO_BACKUP_DIR',
    meaning: 'object store in a mounted folder (a volume); used when ECO_S3_URL is unset',
  }),
  s3Url: setting.url({
    env: 'ECO_S3_URL',
    meaning: 'self-hosted S3-compatible store (MinIO, Garage, Ceph RGW, SeaweedFS), path-style base URL',
  }),
  s3Bucket: setting.string({
    env: 'ECO_S3_BUCKET',
    pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    meaning: 'bucket for the objects (required with ECO_S3_URL)',
  }),
  s3Region: setting.string({
    env: 'ECO_S3_REGION',
    default: DEFAULT_REGION,
    meaning: 'SigV4 signing region (self-hosted stores accept any)',
  }),
  s3AccessKeyFile: setting.file({
    env: 'ECO_S3_ACCESS_KEY_FILE',
    meaning: 'file holding the S3 access key (required with ECO_S3_URL)',
  }),
  s3SecretKeyFile: setting.file({
    env: 'ECO_S3_SECRET_KEY_FILE',
    meaning: 'file holding the S3 secret key (required with ECO_S3_URL)',
  }),
  s3MultipartThreshold: setting.number({
    env: 'ECO_S3_MULTIPART_THRESHOLD_BYTES',
    default: DEFAULT_MULTIPART_THRESHOLD,
    min: 1,
    integer: true,
    meaning: `bodies larger than this are uploaded in ${PART_SIZE / 1024 / 1024} MiB parts`,
  }),
  s3TimeoutMs: setting.number({
    env: 'ECO_S3_TIMEOUT_MS',
    default: 60_000,
    min: 1,
    max: 3_600_000,
    integer: true,
    meaning: 'timeout of one request to the S3 store',
  }),
};

export type ObjectStoreSettings = SettingValues<typeof OBJECT_STORE_SETTINGS>;

export interface ObjectStoreFromEnvDeps {
  fetch?: typeof fetch;
  readFile?: (path: string) => string;
}

export type StoreChoice =
  | { configured: true; store: ObjectStore }
  /** Neither ECO_S3_URL nor ECO_BACKUP_DIR: the variable to name in `<bot>.unconfigured`. */
  | { configured: false; setting: 'ECO_BACKUP_DIR' };

/** The store the settings describe; a ConfigError naming the variable when S3 is half configured. */
export function objectStoreFromSettings(
  settings: ObjectStoreSettings,
  deps: ObjectStoreFromEnvDeps = {},
): StoreChoice {
  const read = deps.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  if (settings.s3Url !== undefined) {
    const bucket = required(settings.s3Bucket, 'ECO_S3_BUCKET');
    const accessKeyId = secretFile(settings.s3AccessKeyFile, 'ECO_S3_ACCESS_KEY_FILE', read);
    const secretAccessKey = secretFile(settings.s3SecretKeyFile, 'ECO_S3_SECRET_KEY_FILE', read);
    try {
      return {
        configured: true,
        store: createS3Store({
          endpoint: settings.s3Url,
          bucket,
          region: settings.s3Region,
          credentials: { accessKeyId, secretAccessKey },
          multipartThresholdBytes: settings.s3MultipartThreshold,
          timeoutMs: settings.s3TimeoutMs,
          ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
        }),
      };
    } catch (error) {
      throw new ConfigError('ECO_S3_URL', error instanceof Error ? error.message : String(error));
    }
  }
  if (settings.backupDir === undefined) return { configured: false, setting: 'ECO_BACKUP_DIR' };
  return { configured: true, store: createDirectoryStore({ root: settings.backupDir }) };
}

/** For tools and tests: the same from raw environment variables; unconfigured is a ConfigError. */
export function objectStoreFromEnv(env: Env, deps: ObjectStoreFromEnvDeps = {}): ObjectStore {
  const choice = objectStoreFromSettings(readSettings(OBJECT_STORE_SETTINGS, env), deps);
  if (!choice.configured) {
    throw new ConfigError('ECO_BACKUP_DIR', 'set ECO_BACKUP_DIR (a mounted volume) or ECO_S3_URL');
  }
  return choice.store;
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value.trim() === '')
    throw new ConfigError(name, 'is required when ECO_S3_URL is set');
  return value;
}

function secretFile(path: string | undefined, name: string, read: (path: string) => string): string {
  const file = required(path, name);
  let value: string;
  try {
    value = read(file).trim();
  } catch {
    throw new ConfigError(name, `file ${file} cannot be read`);
  }
  if (value === '') throw new ConfigError(name, `file ${file} is empty`);
  return value;
}
