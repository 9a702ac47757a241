// One behaviour, two backends: the same checks run on a temporary directory and on a local
// S3-compatible server (s3rver behind a SigV4-verifying proxy, see test/helpers/s3.ts).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  InvalidObjectKeyError,
  ObjectNotFoundError,
  createDirectoryStore,
  createS3Store,
  listAll,
  sha256Hex,
  type ObjectStore,
} from '../../../shared/objectstore/index.ts';
import { startS3, type S3TestServer } from '../../helpers/s3.ts';

interface Backend {
  store: ObjectStore;
  /** Overwrites the stored content of `key` without going through the store. */
  corrupt(key: string): Promise<void>;
  stop(): Promise<void>;
}

async function directoryBackend(): Promise<Backend> {
  const root = await mkdtemp(join(tmpdir(), 'eco-objectstore-'));
  return {
    store: createDirectoryStore({ root }),
    corrupt: async (key) => {
      const file = join(root, ...key.split('/'));
      const content = await readFile(file);
      content[0] = (content[0] ?? 0) ^ 0xff;
      await writeFile(file, content);
    },
    stop: () => rm(root, { recursive: true, force: true }),
  };
}

async function s3Backend(): Promise<Backend> {
  const server: S3TestServer = await startS3();
  return {
    store: createS3Store({ endpoint: server.url, bucket: server.bucket, credentials: server.credentials }),
    corrupt: async (key) => {
      const file = server.objectFile(key);
      const content = await readFile(file);
      content[0] = (content[0] ?? 0) ^ 0xff;
      await writeFile(file, content);
    },
    stop: () => server.stop(),
  };
}

describe.each([
  ['directory', directoryBackend],
  ['s3', s3Backend],
] as const)('object store contract: %s', (system, start) => {
  let backend: Backend;
  let store: ObjectStore;
  beforeAll(async () => {
    backend = await start();
    store = backend.store;
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('puts and gets content with its sha256, content type and metadata', async () => {
    const body = Buffer.from('{"kind":"ConfigMap"}\n');
    const put = await store.put('backups/ns-a/one.json', body, {
      contentType: 'application/json',
      metadata: { 'backup-name': 'nightly-1' },
    });
    expect(put).toEqual({ key: 'backups/ns-a/one.json', size: body.length, sha256: sha256Hex(body) });
    const got = await store.get('backups/ns-a/one.json');
    expect(got.body.equals(body)).toBe(true);
    expect(got.head.sha256).toBe(sha256Hex(body));
    expect(got.head.contentType).toBe('application/json');
    expect(got.head.metadata['backup-name']).toBe('nightly-1');
    expect(store.system).toBe(system);
  });

  it('replaces an object on a second put', async () => {
    await store.put('replace/me', Buffer.from('first'));
    await store.put('replace/me', Buffer.from('second, longer'));
    expect((await store.get('replace/me')).body.toString()).toBe('second, longer');
  });

  it('round-trips keys with spaces, plus signs, unicode and reserved characters', async () => {
    const key = "odd keys/a b+c=d&e/ünï çødé (1)!*'.tar.gz";
    await store.put(key, Buffer.from('odd'));
    expect((await store.get(key)).body.toString()).toBe('odd');
    const listed = await store.list('odd keys/');
    expect(listed.objects.map((o) => o.key)).toEqual([key]);
  });

  it('heads an object, and answers undefined for an absent one', async () => {
    await store.put('head/x', Buffer.from('12345'));
    const head = await store.head('head/x');
    expect(head?.size).toBe(5);
    expect(head?.sha256).toBe(sha256Hex('12345'));
    expect(head?.lastModified).toBeInstanceOf(Date);
    expect(await store.head('head/absent')).toBeUndefined();
  });

  it('throws ObjectNotFoundError for a get of an absent object', async () => {
    await expect(store.get('nothing/here')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('lists by prefix in key order, page by page', async () => {
    const keys = ['page/b', 'page/a', 'page/c/1', 'page/c/2', 'page/d', 'page/e', 'page/f', 'pager/not-me'];
    for (const key of keys) await store.put(key, Buffer.from(key));
    const first = await store.list('page/', { maxKeys: 3 });
    expect(first.objects.map((o) => o.key)).toEqual(['page/a', 'page/b', 'page/c/1']);
    expect(first.nextToken).toBeDefined();
    const second = await store.list('page/', { maxKeys: 3, continuationToken: first.nextToken ?? '' });
    expect(second.objects.map((o) => o.key)).toEqual(['page/c/2', 'page/d', 'page/e']);
    const third = await store.list('page/', { maxKeys: 3, continuationToken: second.nextToken ?? '' });
    expect(third.objects.map((o) => o.key)).toEqual(['page/f']);
    expect(third.nextToken).toBeUndefined();
    expect(third.objects[0]?.size).toBe('page/f'.length);

    const all: string[] = [];
    for await (const object of listAll(store, 'page', { pageSize: 2 })) all.push(object.key);
    expect(all).toEqual([
      'page/a',
      'page/b',
      'page/c/1',
      'page/c/2',
      'page/d',
      'page/e',
      'page/f',
      'pager/not-me',
    ]);
    expect((await store.list('no-such-prefix/')).objects).toEqual([]);
  });

  it('deletes, and deleting an absent object is not an error', async () => {
    await store.put('delete/me', Buffer.from('x'));
    await store.delete('delete/me');
    expect(await store.head('delete/me')).toBeUndefined();
    await expect(store.delete('delete/me')).resolves.toBeUndefined();
  });

  it('copies content, content type and metadata (the sha256 included)', async () => {
    await store.put('copy/source', Buffer.from('payload'), {
      contentType: 'application/gzip',
      metadata: { tier: 'hot' },
    });
    const head = await store.copy('copy/source', 'cold/copy/source');
    expect(head.sha256).toBe(sha256Hex('payload'));
    const got = await store.get('cold/copy/source');
    expect(got.body.toString()).toBe('payload');
    expect(got.head.contentType).toBe('application/gzip');
    expect(got.head.metadata.tier).toBe('hot');
    expect((await store.get('copy/source')).body.toString()).toBe('payload');
  });

  it('detects an object corrupted behind its back on read, with a typed error', async () => {
    await store.put('corrupt/archive.tar.gz', Buffer.from('good bytes of an archive'));
    await backend.corrupt('corrupt/archive.tar.gz');
    const error = await store.get('corrupt/archive.tar.gz').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    const mismatch = error as ChecksumMismatchError;
    expect(mismatch.system).toBe(system);
    expect(mismatch.key).toBe('corrupt/archive.tar.gz');
    expect(mismatch.expected).toBe(sha256Hex('good bytes of an archive'));
    expect(mismatch.actual).not.toBe(mismatch.expected);
    expect(mismatch.message).toContain('checksum mismatch');
  });

  it.each(['../escape', '/absolute', 'a//b', 'a/./b', 'a/../../b', 'trailing/', '', 'back\\slash', 'nul\0'])(
    'refuses the key %j before touching the store',
    async (key) => {
      await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
    },
  );

  it('refuses metadata a header cannot carry', async () => {
    await expect(
      store.put('meta/bad', Buffer.from('x'), { metadata: { 'Upper Case': 'v' } }),
    ).rejects.toThrow(/metadata name/);
    await expect(
      store.put('meta/bad', Buffer.from('x'), { metadata: { note: 'line\nbreak' } }),
    ).rejects.toThrow(/printable ASCII/);
  });

  it('stores an empty object', async () => {
    await store.put('empty/zero', new Uint8Array(0));
    const got = await store.get('empty/zero');
    expect(got.body.length).toBe(0);
    expect(got.head.sha256).toBe(sha256Hex(''));
  });
});
