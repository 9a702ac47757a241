// The archive's own tar writer and reader, checked against the system tar (GNU tar on Debian).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveError } from '../../../shared/archive/index.ts';
import { readTar, writeTar } from '../../../shared/archive/tar.ts';

const mtime = new Date('2026-12-04T02:00:00Z');
const longPath = `resources/volumesnapshotcontents.snapshot.storage.k8s.io/cluster/${'snapcontent-'.repeat(8)}ünï.json`;

describe('tar', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eco-tar-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes what the system tar lists and extracts, long and non-ASCII names included', async () => {
    const files = [
      { path: 'manifest.json', bytes: Buffer.from('{}\n') },
      { path: longPath, bytes: Buffer.from('{"kind":"VolumeSnapshotContent"}\n') },
      { path: 'exactly-512', bytes: Buffer.alloc(512, 0x61) },
      { path: 'empty', bytes: Buffer.alloc(0) },
    ];
    await writeFile(join(dir, 'a.tar'), writeTar(files, mtime));
    const listing = execFileSync('tar', ['-tvf', 'a.tar'], { cwd: dir, encoding: 'utf8' });
    expect(listing).toContain('2026-12-04');
    expect(execFileSync('tar', ['-tf', 'a.tar'], { cwd: dir, encoding: 'utf8' }).trim().split('\n')).toEqual(
      files.map((f) => f.path),
    );
    execFileSync('tar', ['-xf', 'a.tar'], { cwd: dir });
    expect(await readFile(join(dir, longPath), 'utf8')).toBe('{"kind":"VolumeSnapshotContent"}\n');
    expect(readTar(writeTar(files, mtime))).toEqual(files);
  });

  it('reads what the system tar writes (GNU long names)', async () => {
    await mkdir(join(dir, 'in', 'resources', 'x'.repeat(120)), { recursive: true });
    await writeFile(join(dir, 'in', 'resources', 'x'.repeat(120), 'item.json'), '{"a":1}');
    execFileSync('tar', ['-cf', '../b.tar', '--no-recursion', `resources/${'x'.repeat(120)}/item.json`], {
      cwd: join(dir, 'in'),
    });
    const files = readTar(await readFile(join(dir, 'b.tar')));
    expect(files).toEqual([
      { path: `resources/${'x'.repeat(120)}/item.json`, bytes: Buffer.from('{"a":1}') },
    ]);
  });

  it('refuses links, folders and other non-file entries', async () => {
    await symlink('/etc/passwd', join(dir, 'link'));
    execFileSync('tar', ['-cf', 'c.tar', 'link'], { cwd: dir });
    const archive = await readFile(join(dir, 'c.tar'));
    expect(() => readTar(archive)).toThrow(/only files are allowed/);
  });

  it('refuses a damaged header and a cut-off archive', () => {
    const tar = writeTar([{ path: 'a.json', bytes: Buffer.from('{"a":1}') }], mtime);
    const damaged = Buffer.from(tar);
    damaged[3] = 0x5a; // inside the name: the checksum no longer matches
    expect(() => readTar(damaged)).toThrow(/bad checksum/);
    const cut = tar.subarray(0, 512 + 100);
    expect(() => readTar(cut)).toThrow(ArchiveError);
    try {
      readTar(cut);
    } catch (error) {
      expect((error as ArchiveError).failure).toBe('truncated');
    }
    expect(() => readTar(tar.subarray(0, 1024))).toThrow(/end-of-archive/);
  });
});
