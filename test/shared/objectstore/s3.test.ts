// What only the S3 backend does: multipart upload, signing that a strict server accepts, typed
// errors for refused credentials and missing buckets, and retries of transient failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ObjectNotFoundError,
  ObjectStoreAuthError,
  ObjectStoreError,
  PART_SIZE,
  createS3Store,
  sha256Hex,
  type ObjectStore,
} from '../../../shared/objectstore/index.ts';
import { startS3, type S3TestServer } from '../../helpers/s3.ts';

const noWait = { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 };

describe('S3 backend against s3rver', () => {
  let server: S3TestServer;
  let store: ObjectStore;
  beforeAll(async () => {
    server = await startS3({ buckets: ['eco-backups', 'eco-cold'] });
    store = createS3Store({
      endpoint: server.url,
      bucket: server.bucket,
      credentials: server.credentials,
      multipartThresholdBytes: 8 * 1024 * 1024,
      retry: noWait,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('uploads a body over the threshold in 5 MiB parts and reads it back verified', async () => {
    const size = 2 * PART_SIZE + 123_457; // three parts, the last one small
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i += 1) body[i] = (i * 31 + (i >> 10)) & 0xff;
    const before = server.requests.length;
    const put = await store.put('big/cluster-2026-12-04.tar.gz', body, { contentType: 'application/gzip' });
    expect(put.sha256).toBe(sha256Hex(body));
    const sent = server.requests.slice(before);
    expect(sent.filter((r) => r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.url))).toHaveLength(1);
    const parts = sent.filter((r) => r.method === 'PUT' && r.url.includes('partNumber='));
    expect(parts.map((r) => new URLSearchParams(r.url.split('?')[1]).get('partNumber'))).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(sent.filter((r) => r.method === 'POST' && r.url.includes('uploadId='))).toHaveLength(1);
    expect(sent.every((r) => r.status < 300)).toBe(true);

    const got = await store.get('big/cluster-2026-12-04.tar.gz');
    expect(got.body.equals(body)).toBe(true);
    expect(got.head.sha256).toBe(sha256Hex(body));
    expect(got.head.contentType).toBe('application/gzip');
  });

  it('sends a body at the threshold as one PUT', async () => {
    const small = createS3Store({
      endpoint: server.url,
      bucket: server.bucket,
      credentials: server.credentials,
      multipartThresholdBytes: 1024,
    });
    const before = server.requests.length;
    await small.put('small/exactly', Buffer.alloc(1024, 7));
    const sent = server.requests.slice(before);
    expect(sent.map((r) => r.method)).toEqual(['PUT']);
    expect(sent[0]?.url).toBe('/eco-backups/small/exactly');
  });

  it('gives a typed auth error naming the system and status for a wrong secret key', async () => {
    const wrong = createS3Store({
      endpoint: server.url,
      bucket: server.bucket,
      credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: 'not-the-secret' },
      retry: noWait,
    });
    const error = await wrong.put('auth/x', Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreAuthError);
    const auth = error as ObjectStoreAuthError;
    expect(auth.system).toBe('s3');
    expect(auth.status).toBe(403);
    expect(auth.serverCode).toBe('SignatureDoesNotMatch');
    expect(auth.message).toMatch(/^s3: put auth\/x: 403 SignatureDoesNotMatch: /);
    expect(auth.message).toContain(server.url);
    // Nothing was written.
    expect(await store.head('auth/x')).toBeUndefined();
  });

  it('gives a typed auth error for an unknown access key, also on HEAD (no body to read)', async () => {
    const unknown = createS3Store({
      endpoint: server.url,
      bucket: server.bucket,
      credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'x' },
      retry: noWait,
    });
    const onGet = await unknown.get('auth/y').catch((e: unknown) => e);
    expect(onGet).toBeInstanceOf(ObjectStoreAuthError);
    expect((onGet as ObjectStoreAuthError).serverCode).toBe('InvalidAccessKeyId');
    const onHead = await unknown.head('auth/y').catch((e: unknown) => e);
    expect(onHead).toBeInstanceOf(ObjectStoreAuthError);
    expect((onHead as ObjectStoreAuthError).status).toBe(403);
  });

  it('reports a missing bucket as a store error, not as a missing object', async () => {
    const missing = createS3Store({
      endpoint: server.url,
      bucket: 'no-such-bucket',
      credentials: server.credentials,
      retry: noWait,
    });
    const error = await missing.get('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect(error).not.toBeInstanceOf(ObjectNotFoundError);
    expect((error as ObjectStoreError).serverCode).toBe('NoSuchBucket');
    await expect(missing.delete('x')).rejects.toThrow(/NoSuchBucket/);
  });

  it('retries a transient 503 and succeeds', async () => {
    server.failNext(2, 503);
    const before = server.requests.length;
    await store.put('retry/ok', Buffer.from('after two 503s'));
    expect(server.requests.slice(before).map((r) => r.status)).toEqual([503, 503, 200]);
    expect((await store.get('retry/ok')).body.toString()).toBe('after two 503s');
  });

  it('gives up after the last attempt with the last status', async () => {
    server.failNext(3, 503);
    const error = await store.get('retry/ok').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectStoreError);
    expect((error as ObjectStoreError).status).toBe(503);
  });

  it('does not retry a refusal (400)', async () => {
    server.failNext(1, 400, 'InvalidRequest');
    const before = server.requests.length;
    await expect(store.get('retry/ok')).rejects.toThrow(/400 InvalidRequest/);
    expect(server.requests.length - before).toBe(1);
  });

  it('aborts the multipart upload when a part fails for good', async () => {
    const body = Buffer.alloc(PART_SIZE + 10, 1);
    // Start succeeds, then part 1 fails three times (all attempts); the abort is then sent.
    const before = server.requests.length;
    const failing = createS3Store({
      endpoint: server.url,
      bucket: server.bucket,
      credentials: server.credentials,
      multipartThresholdBytes: 1024,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      fetch: async (input, init) => {
        const url = String(input);
        if (url.includes('partNumber=2'))
          return new Response('<Error><Code>InternalError</Code></Error>', { status: 500 });
        return fetch(input, init);
      },
    });
    await expect(failing.put('multipart/failed', body)).rejects.toThrow(/500 InternalError/);
    const sent = server.requests.slice(before);
    expect(sent.some((r) => r.method === 'DELETE' && r.url.includes('uploadId='))).toBe(true);
    expect(await store.head('multipart/failed')).toBeUndefined();
  });

  it('names a network failure with the system and operation', async () => {
    const closed = createS3Store({
      endpoint: 'http://127.0.0.1:9',
      bucket: 'eco-backups',
      credentials: server.credentials,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    await expect(closed.head('x')).rejects.toThrow(/^s3: head x: request failed/);
  });

  it('keeps a path prefix of the endpoint and refuses bad configuration', () => {
    expect(
      createS3Store({
        endpoint: 'http://minio.storage:9000/s3/',
        bucket: 'b-1',
        credentials: server.credentials,
      }).location,
    ).toBe('s3 http://minio.storage:9000/s3/b-1');
    expect(() =>
      createS3Store({ endpoint: 'ftp://x', bucket: 'bkt', credentials: server.credentials }),
    ).toThrow(/http or https/);
    expect(() =>
      createS3Store({ endpoint: 'http://x', bucket: 'Bad_Bucket', credentials: server.credentials }),
    ).toThrow(/not a valid bucket name/);
    expect(() =>
      createS3Store({ endpoint: 'http://k:s@x', bucket: 'bkt', credentials: server.credentials }),
    ).toThrow(/credentials come from files/);
  });
});
