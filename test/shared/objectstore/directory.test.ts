// What only the directory backend does: plain files an operator can browse, whole-file writes,
// and no way out of the root (keys, symlinks, its own bookkeeping folder).
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChecksumMismatchError,
  InvalidObjectKeyError,
  ObjectStoreError,
  createDirectoryStore,
  sha256Hex,
  type ObjectStore,
} from '../../../shared/objectstore/index.ts';

describe('directory backend', () => {
  let root: string;
  let outside: string;
  let store: ObjectStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'eco-dirstore-'));
    outside = await mkdtemp(join(tmpdir(), 'eco-outside-'));
    store = createDirectoryStore({ root });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('stores an object as a plain file at its key, and leaves no temp files', async () => {
    await store.put('backups/ns-a/b1.tar.gz', Buffer.from('archive'));
    expect(await readFile(join(root, 'backups', 'ns-a', 'b1.tar.gz'), 'utf8')).toBe('archive');
    expect(await readdir(join(root, '.eco', 'tmp'))).toEqual([]);
    const meta = JSON.parse(
      await readFile(join(root, '.eco', 'meta', 'backups', 'ns-a', 'b1.tar.gz.json'), 'utf8'),
    );
    expect(meta.sha256).toBe(sha256Hex('archive'));
    expect(store.location).toBe(`directory ${root}`);
  });

  it('does not list its own bookkeeping folder and refuses keys inside it', async () => {
    await store.put('a', Buffer.from('1'));
    expect((await store.list('')).objects.map((o) => o.key)).toEqual(['a']);
    await expect(store.put('.eco/meta/a.json', Buffer.from('{}'))).rejects.toBeInstanceOf(
      InvalidObjectKeyError,
    );
  });

  it('refuses a file dropped in by hand (no recorded checksum) unless asked to accept it', async () => {
    await mkdir(join(root, 'manual'), { recursive: true });
    await writeFile(join(root, 'manual', 'dropped.json'), '{}');
    expect((await store.head('manual/dropped.json'))?.sha256).toBeUndefined();
    const error = await store.get('manual/dropped.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as ChecksumMismatchError).expected).toBeUndefined();
    const accepted = await store.get('manual/dropped.json', { allowMissingChecksum: true });
    expect(accepted.body.toString()).toBe('{}');
  });

  it('does not follow a symlinked folder out of the root', async () => {
    await writeFile(join(outside, 'secret'), 'outside data');
    await symlink(outside, join(root, 'escape'));
    await expect(store.get('escape/secret')).rejects.toThrow(/outside the store/);
    await expect(store.put('escape/planted', Buffer.from('x'))).rejects.toThrow(/outside the store/);
    expect(await readdir(outside)).toEqual(['secret']);
    expect((await store.list('')).objects).toEqual([]);
  });

  it('does not read through a symlink planted at a key', async () => {
    await writeFile(join(outside, 'secret'), 'outside data');
    await store.put('link', Buffer.from('mine'));
    await rm(join(root, 'link'));
    await symlink(join(outside, 'secret'), join(root, 'link'));
    await expect(store.get('link')).rejects.toBeInstanceOf(ObjectStoreError);
  });

  it('explains a key that clashes with a folder, and frees the name once the folder empties', async () => {
    await store.put('x/y', Buffer.from('1'));
    await expect(store.put('x', Buffer.from('2'))).rejects.toThrow(
      /clashes with an existing object or folder/,
    );
    await store.delete('x/y');
    await store.put('x', Buffer.from('2'));
    expect((await store.get('x')).body.toString()).toBe('2');
  });

  it('refuses a forged continuation token', async () => {
    await expect(store.list('', { continuationToken: '***' })).rejects.toThrow(/invalid continuation token/);
    await expect(store.list('', { maxKeys: 0 })).rejects.toThrow(/maxKeys/);
  });

  it('keeps the last complete object when many writes race', async () => {
    // Two stores on one root stand for two processes sharing a volume: only the lock file orders
    // their commits. Many rounds, because an unordered commit only shows up now and then.
    const other = createDirectoryStore({ root });
    for (let round = 0; round < 25; round += 1) {
      const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(64 * 1024, round * 8 + i + 1));
      await Promise.all(bodies.map((body, i) => (i % 2 === 0 ? store : other).put('race/one', body)));
      const got = await store.get('race/one');
      expect(bodies.some((body) => body.equals(got.body))).toBe(true);
    }
    expect(await readdir(join(root, '.eco', 'tmp'))).toEqual([]);
    expect(await readdir(join(root, '.eco', 'locks'))).toEqual([]);
  });

  it('takes over a lock left by a writer that died mid-commit, and waits for a live one', async () => {
    await store.put('locked', Buffer.from('v1'));
    const lock = join(root, '.eco', 'locks', `${sha256Hex(Buffer.from('locked'))}.lock`);
    // A stale lock (mtime a minute ago) is broken.
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await store.put('locked', Buffer.from('v2'));
    expect((await store.get('locked')).body.toString()).toBe('v2');
    // A fresh lock holds the writer until it goes.
    await writeFile(lock, '');
    let done = false;
    const waiting = store.put('locked', Buffer.from('v3')).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    expect((await store.get('locked')).body.toString()).toBe('v2');
    await rm(lock);
    await waiting;
    expect((await store.get('locked')).body.toString()).toBe('v3');
  });
});
