// eco-archive-bot moving old backups and reports to the cold prefix: on a directory store and on a
// real S3-compatible server (s3rver, server-side copy), the hot copy deleted only after the copy was
// read back verified; a damaged original is refused and kept; dry-run moves nothing.
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-archive-bot/handler.ts';
import type { Bot } from '../../shared/bot/types.ts';
import { silentLogger } from '../../shared/log/index.ts';
import { runBot } from '../../shared/runtime/index.ts';
import { createDirectoryStore, createS3Store, type ObjectStore } from '../../shared/storage/index.ts';
import { startS3, type S3TestServer } from '../helpers/s3.ts';

const old = new Date(Date.now() - 40 * 86_400_000);

async function seed(store: ObjectStore): Promise<void> {
  await store.put('backups/eco-20261001020000/archive.tar.gz', Buffer.from('old archive'));
  await store.put('backups/eco-20261001020000/manifest.json', Buffer.from('{"old":true}'));
  await store.put('backups/eco-20261203020000/archive.tar.gz', Buffer.from('new archive'));
  await store.put('reports/eco-cost-bot/2026-10.json', Buffer.from('{"report":1}'));
}

describe('eco-archive-bot', () => {
  let dir: string;
  let s3: S3TestServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eco-archive-bot-'));
    s3 = await startS3();
    await writeFile(join(dir, 'access'), s3.credentials.accessKeyId);
    await writeFile(join(dir, 'secret'), s3.credentials.secretAccessKey);
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const run = (env: Record<string, string>, input: unknown = {}) =>
    runBot(bot as Bot, input, { trigger: 'http', log: silentLogger, env: { HOME: dir, ...env } });

  it('without a store: one info finding, no error', async () => {
    const report = await run({});
    expect(report.findings.map((f) => f.check)).toEqual(['eco-archive-bot.unconfigured']);
  });

  it('on a directory store: plans in dry-run, then moves old units and keeps new ones', async () => {
    const root = join(dir, 'store');
    const store = createDirectoryStore({ root });
    await seed(store);
    for (const file of [
      'backups/eco-20261001020000/archive.tar.gz',
      'backups/eco-20261001020000/manifest.json',
      'reports/eco-cost-bot/2026-10.json',
    ]) {
      await utimes(join(root, file), old, old);
    }
    const dry = await run({ ECO_BACKUP_DIR: root });
    expect(dry.actions.map((a) => [a.object.name, a.status])).toEqual([
      ['backups/eco-20261001020000/', 'planned'],
      ['reports/eco-cost-bot/2026-10.json', 'planned'],
    ]);
    expect(await store.head('backups/eco-20261001020000/archive.tar.gz')).toBeDefined();

    const report = await run({ ECO_BACKUP_DIR: root, ECO_MODE: 'apply' });
    expect(report.errors).toEqual([]);
    expect(report.actions.map((a) => a.status)).toEqual(['applied', 'applied']);
    expect(await store.head('backups/eco-20261001020000/archive.tar.gz')).toBeUndefined();
    expect((await store.get('cold/backups/eco-20261001020000/archive.tar.gz')).body.toString()).toBe(
      'old archive',
    );
    expect((await store.get('cold/reports/eco-cost-bot/2026-10.json')).body.toString()).toBe('{"report":1}');
    expect(await store.head('backups/eco-20261203020000/archive.tar.gz')).toBeDefined();
  });

  it('keeps the hot copy when the original is damaged (its copy cannot be verified)', async () => {
    const root = join(dir, 'damaged');
    const store = createDirectoryStore({ root });
    await store.put('reports/x/old.json', Buffer.from('{"a":1}'));
    const file = join(root, 'reports/x/old.json');
    const bytes = await readFile(file);
    bytes[0] = 0x5b;
    await writeFile(file, bytes);
    await utimes(file, old, old);
    const report = await run({ ECO_BACKUP_DIR: root, ECO_MODE: 'apply' });
    expect(report.actions.map((a) => a.status)).toEqual(['failed']);
    expect(report.findings.map((f) => f.check)).toEqual(['archive.copy-unverified']);
    expect(await store.head('reports/x/old.json')).toBeDefined();
  });

  it('on S3 (s3rver): server-side copy, verified, hot copy deleted', async () => {
    const store = createS3Store({ endpoint: s3.url, bucket: s3.bucket, credentials: s3.credentials });
    await seed(store);
    // Everything was just written: archive what is older than 0 days.
    const report = await run(
      {
        ECO_S3_URL: s3.url,
        ECO_S3_BUCKET: s3.bucket,
        ECO_S3_ACCESS_KEY_FILE: join(dir, 'access'),
        ECO_S3_SECRET_KEY_FILE: join(dir, 'secret'),
        ECO_MODE: 'apply',
      },
      { afterDays: 0 },
    );
    expect(report.errors).toEqual([]);
    expect(report.actions.map((a) => [a.object.name, a.status])).toEqual([
      ['backups/eco-20261001020000/', 'applied'],
      ['backups/eco-20261203020000/', 'applied'],
      ['reports/eco-cost-bot/2026-10.json', 'applied'],
    ]);
    expect(s3.requests.some((r) => r.method === 'PUT' && r.url.startsWith('/eco-backups/cold/'))).toBe(true);
    expect((await store.list('backups/')).objects).toEqual([]);
    expect((await store.get('cold/backups/eco-20261203020000/archive.tar.gz')).body.toString()).toBe(
      'new archive',
    );
  });
});
