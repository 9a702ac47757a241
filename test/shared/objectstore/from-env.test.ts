import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigError } from '../../../shared/errors/index.ts';
import { objectStoreFromEnv } from '../../../shared/objectstore/index.ts';

describe('objectStoreFromEnv', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eco-store-env-'));
    await writeFile(join(dir, 'access'), 'AKID\n');
    await writeFile(join(dir, 'secret'), 'SECRET\n');
    await writeFile(join(dir, 'empty'), '\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const s3 = (extra: Record<string, string> = {}): Record<string, string> => ({
    ECO_S3_URL: 'http://minio.storage:9000',
    ECO_S3_BUCKET: 'eco-backups',
    ECO_S3_ACCESS_KEY_FILE: '__DIR__/access',
    ECO_S3_SECRET_KEY_FILE: '__DIR__/secret',
    ...extra,
  });

  /** The temp folder exists only once the suite runs; the table is written before. */
  const resolve = (env: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value.replace('__DIR__', dir)]));

  it('uses S3 when ECO_S3_URL is set, else the directory', () => {
    expect(objectStoreFromEnv(resolve(s3())).location).toBe('s3 http://minio.storage:9000/eco-backups');
    expect(objectStoreFromEnv({ ECO_BACKUP_DIR: dir }).location).toBe(`directory ${dir}`);
  });

  it.each([
    [{}, 'ECO_BACKUP_DIR'],
    [s3({ ECO_S3_URL: 'not a url' }), 'ECO_S3_URL'],
    [s3({ ECO_S3_BUCKET: '' }), 'ECO_S3_BUCKET'],
    [s3({ ECO_S3_ACCESS_KEY_FILE: '/nonexistent/key' }), 'ECO_S3_ACCESS_KEY_FILE'],
    [s3({ ECO_S3_SECRET_KEY_FILE: '' }), 'ECO_S3_SECRET_KEY_FILE'],
    [s3({ ECO_S3_SECRET_KEY_FILE: '__DIR__/empty' }), 'ECO_S3_SECRET_KEY_FILE'],
    [s3({ ECO_S3_MULTIPART_THRESHOLD_BYTES: 'big' }), 'ECO_S3_MULTIPART_THRESHOLD_BYTES'],
    [s3({ ECO_S3_BUCKET: 'Not_A_Bucket' }), 'ECO_S3_BUCKET'],
    [s3({ ECO_S3_URL: 'ftp://x' }), 'ECO_S3_URL'],
  ] as const)('a bad environment is a ConfigError naming the variable (%#)', (env, variable) => {
    const resolved = resolve(env);
    let caught: unknown;
    try {
      objectStoreFromEnv(resolved);
    } catch (error) {
      caught = error;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as { variable: string }).variable).toBe(variable);
  });
});
