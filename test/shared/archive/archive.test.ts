import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  ArchiveError,
  archiveKey,
  packArchive,
  parseKeyFile,
  parseManifest,
  serializeItem,
  unpackArchive,
  type ArchiveFailure,
  type ArchiveItem,
  type ArchiveManifest,
} from '../../../shared/archive/index.ts';
import { sha256Hex } from '../../../shared/objectstore/index.ts';

const createdAt = new Date('2026-12-04T02:00:00Z');
const items: ArchiveItem[] = [
  {
    path: 'cluster/Namespace/shop.json',
    data: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  },
  {
    path: 'namespaces/shop/apps/Deployment/web.json',
    data: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas: 3 },
    },
  },
  { path: 'namespaces/shop/v1/ConfigMap/ünïcode name.json', data: { data: { text: 'ä\n"quoted"' } } },
];

async function failure(promise: Promise<unknown>): Promise<ArchiveFailure | 'no error'> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(ArchiveError);
    return (error as ArchiveError).failure;
  }
}

/** The manifest re-pointed at altered bytes, so the archive-level checksum passes and deeper checks run. */
function repoint(manifest: ArchiveManifest, archive: Buffer): ArchiveManifest {
  return {
    ...manifest,
    archive: { ...manifest.archive, sha256: sha256Hex(archive), size: archive.byteLength },
  };
}

describe('backup archive', () => {
  it('round-trips JSON items and records every sha256', async () => {
    const { archive, manifest } = await packArchive(items, { createdAt, labels: { bot: 'eco-backup-bot' } });
    expect(manifest.format).toBe('eco-archive/v1');
    expect(manifest.createdAt).toBe('2026-12-04T02:00:00.000Z');
    expect(manifest.labels).toEqual({ bot: 'eco-backup-bot' });
    expect(manifest.items.map((i) => i.path)).toEqual(items.map((i) => i.path));
    expect(manifest.items[1]?.sha256).toBe(sha256Hex(serializeItem(items[1]?.data)));
    expect(manifest.archive).toEqual({
      sha256: sha256Hex(archive),
      size: archive.byteLength,
      compression: 'gzip',
      encryption: 'none',
    });
    expect(await unpackArchive(archive, parseManifest(JSON.stringify(manifest)))).toEqual(items);
  });

  it('gives the same bytes for the same items and time', async () => {
    const a = await packArchive(items, { createdAt });
    const b = await packArchive(items, { createdAt });
    expect(a.archive.equals(b.archive)).toBe(true);
  });

  it('is a plain tar.gz that the system tar extracts', async () => {
    const { archive } = await packArchive(items, { createdAt });
    const dir = await mkdtemp(join(tmpdir(), 'eco-archive-'));
    try {
      await writeFile(join(dir, 'backup.tar.gz'), archive);
      const listing = execFileSync('tar', ['-tzf', 'backup.tar.gz'], { cwd: dir, encoding: 'utf8' });
      expect(listing.trim().split('\n')).toEqual(['manifest.json', ...items.map((i) => i.path)]);
      execFileSync('tar', ['-xzf', 'backup.tar.gz'], { cwd: dir });
      const web = JSON.parse(await readFile(join(dir, 'namespaces/shop/apps/Deployment/web.json'), 'utf8'));
      expect(web.spec.replicas).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an archive whose bytes do not match the manifest (bad checksum)', async () => {
    const { archive, manifest } = await packArchive(items, { createdAt });
    const altered = Buffer.from(archive);
    altered[altered.length >> 1] = (altered[altered.length >> 1] ?? 0) ^ 0x01;
    expect(await failure(unpackArchive(altered, manifest))).toBe('checksum');
  });

  it('refuses a truncated archive, also when its manifest was re-pointed at the short bytes', async () => {
    const { archive, manifest } = await packArchive(items, { createdAt });
    const short = archive.subarray(0, archive.byteLength - 20);
    expect(await failure(unpackArchive(short, manifest))).toBe('truncated');
    expect(await failure(unpackArchive(short, repoint(manifest, short)))).toBe('truncated');
  });

  it('refuses an item altered inside a well-formed archive', async () => {
    const { archive, manifest } = await packArchive(items, { createdAt });
    const tarBytes = gunzipSync(archive);
    const at = tarBytes.indexOf('"replicas": 3');
    expect(at).toBeGreaterThan(0);
    tarBytes.write('"replicas": 9', at);
    const forged = gzipSync(tarBytes);
    await expect(unpackArchive(forged, repoint(manifest, forged))).rejects.toThrow(
      /item namespaces\/shop\/apps\/Deployment\/web.json: sha256/,
    );
  });

  it('refuses an archive whose inner manifest differs from the stored one', async () => {
    const { archive, manifest } = await packArchive(items, { createdAt });
    const other = { ...manifest, items: manifest.items.slice(1) };
    expect(await failure(unpackArchive(archive, other))).toBe('checksum');
  });

  it('refuses something that is not an archive', async () => {
    const junk = Buffer.from('not gzip at all');
    const { manifest } = await packArchive(items, { createdAt });
    expect(await failure(unpackArchive(junk, repoint(manifest, junk)))).toBe('format');
  });

  it('refuses an archive that unpacks to more than allowed', async () => {
    const big: ArchiveItem[] = [{ path: 'big.json', data: { pad: 'x'.repeat(200_000) } }];
    const { archive, manifest } = await packArchive(big, { createdAt });
    expect(await failure(unpackArchive(archive, manifest, { maxUnpackedBytes: 50_000 }))).toBe('too-large');
  });

  it.each([['../escape.json'], ['/abs.json'], ['a//b.json'], ['manifest.json'], ['']])(
    'refuses to pack the item path %j',
    async (path) => {
      expect(await failure(packArchive([{ path, data: {} }], { createdAt }))).toBe('invalid-item');
    },
  );

  it('refuses to pack one path twice or a value JSON cannot hold', async () => {
    expect(await failure(packArchive([items[0]!, items[0]!], { createdAt }))).toBe('invalid-item');
    expect(await failure(packArchive([{ path: 'u.json', data: undefined }], { createdAt }))).toBe(
      'invalid-item',
    );
  });

  it('refuses a malformed manifest with the field that is wrong', () => {
    expect(() => parseManifest('{')).toThrow(/manifest is not JSON/);
    expect(() => parseManifest(JSON.stringify({ format: 'eco-archive/v1' }))).toThrow(
      /manifest is malformed/,
    );
  });

  describe('encrypted at rest (AES-256-GCM)', () => {
    const key = archiveKey(randomBytes(32));

    it('round-trips with the key, and the bytes hold no item text', async () => {
      const secret = [
        { path: 'namespaces/shop/v1/Secret/db.json', data: { data: { password: 'aHVudGVyMg==' } } },
      ];
      const { archive, manifest } = await packArchive(secret, { createdAt, key });
      expect(manifest.archive.encryption).toBe('aes-256-gcm');
      expect(manifest.archive.keyId).toBe(key.id);
      expect(archive.includes('aHVudGVyMg==')).toBe(false);
      expect(() => gunzipSync(archive)).toThrow();
      expect(await unpackArchive(archive, manifest, { key })).toEqual(secret);
    });

    it('refuses without a key, with another key, and when a byte was changed', async () => {
      const { archive, manifest } = await packArchive(items, { createdAt, key });
      expect(await failure(unpackArchive(archive, manifest))).toBe('key');
      const other = archiveKey(randomBytes(32));
      await expect(unpackArchive(archive, manifest, { key: other })).rejects.toThrow(
        `encrypted with key id ${key.id}, the key given has id ${other.id}`,
      );
      // Without a recorded key id the wrong key is caught by GCM authentication.
      const { keyId: _dropped, ...anonymous } = manifest.archive;
      expect(await failure(unpackArchive(archive, { ...manifest, archive: anonymous }, { key: other }))).toBe(
        'decrypt',
      );
      const altered = Buffer.from(archive);
      altered[40] = (altered[40] ?? 0) ^ 0x80;
      expect(await failure(unpackArchive(altered, repoint(manifest, altered), { key }))).toBe('decrypt');
    });
  });

  describe('key files', () => {
    const raw = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    it.each([
      ['hex', Buffer.from(`${raw.toString('hex')}\n`)],
      ['base64', Buffer.from(`${raw.toString('base64')}\n`)],
      ['base64url', Buffer.from(raw.toString('base64url'))],
      ['raw bytes', raw],
    ])('reads a 32-byte key given as %s', (_form, content) => {
      expect(parseKeyFile(content).key.equals(raw)).toBe(true);
    });

    it('refuses a key of the wrong size', () => {
      expect(() => parseKeyFile(Buffer.from('too short'))).toThrow(/must hold 32 bytes/);
      expect(() => parseKeyFile(Buffer.from('ab'.repeat(31)))).toThrow(/must hold 32 bytes/);
    });
  });
});
