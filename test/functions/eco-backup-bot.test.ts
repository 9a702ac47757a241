// eco-backup-bot end to end on the emulator (its own RBAC token): unconfigured, dry-run (nothing
// written), a backup to a real S3-compatible server (s3rver, SigV4-verified), retention by count and
// GFS that keeps the last good backup, and the refusals (Secrets without a key, bad selectors).
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bot from '../../functions/eco-backup-bot/handler.ts';
import type { Bot } from '../../shared/bot/types.ts';
import {
  backupKeys,
  createDirectoryStore,
  createS3Store,
  listBackups,
  parseManifest,
  unpackArchive,
} from '../../shared/storage/index.ts';
import { startS3, type S3TestServer } from '../helpers/s3.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';

describe('eco-backup-bot', () => {
  let harness: BotHarness;
  let dir: string;
  let s3: S3TestServer;
  beforeAll(async () => {
    harness = await startBotHarness(bot as Bot, { demo: true });
    dir = await mkdtemp(join(tmpdir(), 'eco-backup-bot-'));
    s3 = await startS3();
    await writeFile(join(dir, 'access'), s3.credentials.accessKeyId);
    await writeFile(join(dir, 'secret'), s3.credentials.secretAccessKey);
  });
  afterAll(async () => {
    await harness?.close();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('without a store: one info finding eco-backup-bot.unconfigured, no error', async () => {
    const report = await harness.run({});
    expect(report.findings.map((f) => [f.check, f.severity, f.object.name])).toEqual([
      ['eco-backup-bot.unconfigured', 'info', 'ECO_BACKUP_DIR'],
    ]);
    expect(report.errors).toEqual([]);
  });

  it('in dry-run plans the backup and writes nothing; reports there is no backup yet', async () => {
    const root = join(dir, 'dry');
    const report = await harness.run({}, { env: { ECO_BACKUP_DIR: root } });
    expect(report.actions.map((a) => [a.verb, a.status])).toEqual([['create', 'planned']]);
    expect(report.summary).toMatch(/^backup eco-\d{14}: \d+ objects from \d+ namespaces/);
    expect(report.summary).toContain('owned-by-controller');
    expect(await listBackups(createDirectoryStore({ root }), 'backups/')).toEqual([]);
    expect(report.findings.map((f) => f.check)).toContain('backup.stale');
  });

  it('backs up to an S3-compatible store (s3rver) with a verifiable manifest', async () => {
    const env = {
      ECO_MODE: 'apply',
      ECO_S3_URL: s3.url,
      ECO_S3_BUCKET: s3.bucket,
      ECO_S3_ACCESS_KEY_FILE: join(dir, 'access'),
      ECO_S3_SECRET_KEY_FILE: join(dir, 'secret'),
    };
    const report = await harness.run({ namespaces: ['data'] }, { env });
    expect(report.errors).toEqual([]);
    expect(report.actions).toMatchObject([{ verb: 'create', status: 'applied' }]);
    const store = createS3Store({ endpoint: s3.url, bucket: s3.bucket, credentials: s3.credentials });
    const [backup] = await listBackups(store, 'backups/');
    expect(backup?.complete).toBe(true);
    const keys = backupKeys('backups/', backup?.name ?? '');
    const manifest = parseManifest((await store.get(keys.manifest)).body);
    const items = await unpackArchive((await store.get(keys.archive)).body, manifest);
    const paths = items.map((i) => i.path);
    // Velero: namespaced objects, the cluster-scoped ones they need, no controller-owned pods, no secrets.
    expect(paths).toContain('resources/namespaces/cluster/data.json');
    expect(paths).toContain('resources/persistentvolumeclaims/namespaces/data/minio-store.json');
    expect(paths).toContain('resources/storageclasses.storage.k8s.io/cluster/standard.json');
    expect(paths.some((p) => p.startsWith('resources/persistentvolumes/cluster/pvc-'))).toBe(true);
    expect(paths.some((p) => p.startsWith('resources/pods/'))).toBe(false);
    expect(paths.some((p) => p.startsWith('resources/secrets/'))).toBe(false);
    const claim = items.find((i) => i.path.endsWith('/minio-store.json'))?.data as {
      metadata: Record<string, unknown>;
      status?: unknown;
    };
    expect(claim.metadata.uid).toBeUndefined();
    expect(claim.metadata.resourceVersion).toBeUndefined();
    expect(claim.status).toBeUndefined();
    expect(s3.requests.every((r) => r.status < 400)).toBe(true);
  });

  it('names the S3 failure (system and status) as a report error when the credentials are wrong', async () => {
    await writeFile(join(dir, 'wrong'), 'not-the-secret');
    const report = await harness.run(
      { namespaces: ['data'] },
      {
        env: {
          ECO_MODE: 'apply',
          ECO_S3_URL: s3.url,
          ECO_S3_BUCKET: s3.bucket,
          ECO_S3_ACCESS_KEY_FILE: join(dir, 'access'),
          ECO_S3_SECRET_KEY_FILE: join(dir, 'wrong'),
        },
      },
    );
    expect(report.errors.map((e) => `${e.code} ${e.message}`)).toEqual([
      expect.stringMatching(/^s3-http-403 /),
    ]);
    expect(report.actions).toMatchObject([{ verb: 'create', status: 'failed' }]);
  });

  it('applies retention: old backups beyond keep-last and GFS go, the last good one stays', async () => {
    const root = join(dir, 'retention');
    const store = createDirectoryStore({ root });
    // Three old complete backups and one incomplete (no manifest): with keep-last 1 and no GFS only
    // the new one survives; the incomplete one counts as failed after ECO_BACKUP_INCOMPLETE_AFTER.
    for (const name of ['eco-20260101020000', 'eco-20260102020000', 'eco-20260103020000']) {
      const keys = backupKeys('backups/', name);
      await store.put(keys.archive, Buffer.from('x'));
      await store.put(keys.manifest, Buffer.from('{}'));
    }
    await store.put(backupKeys('backups/', 'eco-20260104020000').archive, Buffer.from('half'));
    // An interrupted write an hour ago (a backup still being written would be kept as pending).
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(join(root, 'backups', 'eco-20260104020000', 'archive.tar.gz'), hourAgo, hourAgo);
    const report = await harness.run(
      { namespaces: ['data'] },
      {
        env: {
          ECO_MODE: 'apply',
          ECO_BACKUP_DIR: root,
          ECO_BACKUP_KEEP_LAST: '1',
          ECO_BACKUP_KEEP_DAILY: '0',
          ECO_BACKUP_KEEP_WEEKLY: '0',
          ECO_BACKUP_KEEP_MONTHLY: '0',
          ECO_BACKUP_INCOMPLETE_AFTER: '1m',
        },
      },
    );
    expect(report.errors).toEqual([]);
    const deletes = report.actions.filter((a) => a.verb === 'delete');
    expect(deletes.map((a) => [a.object.name, a.status])).toHaveLength(4);
    expect(deletes.every((a) => a.status === 'applied')).toBe(true);
    const left = await listBackups(store, 'backups/');
    expect(left).toHaveLength(1);
    expect(left[0]?.complete).toBe(true);
  });

  it.each([
    [{ includeSecrets: true }, 'encryption-key-missing'],
    [{ namespaces: ['no-such-namespace'] }, 'invalid-selection'],
    [{ includeResources: ['widgets.example.com'] }, 'invalid-selection'],
    [{ labelSelector: 'app=(x' }, 'invalid-selection'],
  ])('refuses %j with %s and writes nothing', async (input, code) => {
    const report = await harness.run(input, {
      env: { ECO_MODE: 'apply', ECO_BACKUP_DIR: join(dir, 'refused') },
    });
    expect(report.errors.map((e) => e.code)).toEqual([code]);
    expect(report.actions).toEqual([]);
  });

  it('answers a bad option with a 400 naming the field', async () => {
    await expect(harness.run({ namespaces: 'shop' })).rejects.toThrow(/namespaces/);
  });
});
