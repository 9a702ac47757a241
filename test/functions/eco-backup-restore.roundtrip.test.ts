// The proof that backups really restore (issue "Storage and data"): back up demo-cluster namespaces
// from the emulator with eco-backup-bot, delete them, restore with eco-restore-bot, and compare every
// restored object with its original after Velero's cleaning rules. Also a restore into a mapped
// namespace, a test restore into scratch namespaces, and a corrupt archive refused with nothing
// applied. Each bot runs with a token limited to its own declared RBAC.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import backupBot from '../../functions/eco-backup-bot/handler.ts';
import restoreBot from '../../functions/eco-restore-bot/handler.ts';
import { startEmulator, type Emulator } from '../../local/k8s-emulator/index.ts';
import type { Bot, Report } from '../../shared/bot/types.ts';
import { createK8s } from '../../shared/k8s/client.ts';
import { serviceAccountUser } from '../../shared/k8s/rbac.ts';
import type { K8s, KubeObject, ResourceType } from '../../shared/k8s/types.ts';
import { silentLogger } from '../../shared/log/index.ts';
import { closeProcessClusters } from '../../shared/runtime/cluster.ts';
import { runBot } from '../../shared/runtime/index.ts';
import {
  NAMESPACED_TYPES,
  backupSkipReason,
  cleanForRestore,
  diffPaths,
  listBackups,
} from '../../shared/storage/index.ts';

const NAMESPACES = ['shop', 'payments', 'data'];
const NAMESPACE: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
};

describe('backup, delete, restore: the round trip', () => {
  let emulator: Emulator;
  let dir: string;
  let admin: K8s;
  const envFor: Record<string, Record<string, string>> = {};
  const originals = new Map<string, { type: ResourceType; object: KubeObject }>();

  async function run(bot: Bot, input: unknown): Promise<Report> {
    return runBot(bot, input, { trigger: 'http', log: silentLogger, env: envFor[bot.name] ?? {} });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eco-roundtrip-'));
    const tokens: Record<string, { user: string; rules: Bot['rbac'] }> = {};
    for (const bot of [backupBot, restoreBot] as Bot[]) {
      tokens[`token-${bot.name}`] = {
        user: serviceAccountUser(bot.name),
        rules: bot.rbac.map((r) => ({ ...r })),
      };
    }
    emulator = await startEmulator({ demo: true, tokens });
    await writeFile(join(dir, 'key'), randomBytes(32).toString('hex'));
    for (const bot of [backupBot, restoreBot] as Bot[]) {
      const kubeconfig = join(dir, `${bot.name}.kubeconfig`);
      await emulator.writeKubeconfig(kubeconfig, `token-${bot.name}`);
      envFor[bot.name] = {
        HOME: dir,
        KUBECONFIG: kubeconfig,
        ECO_MODE: 'apply',
        ECO_MAX_ACTIONS: '5000',
        ECO_BACKUP_DIR: join(dir, 'store'),
        ECO_BACKUP_KEY_FILE: join(dir, 'key'),
      };
    }
    await emulator.writeKubeconfig(join(dir, 'admin.kubeconfig'));
    admin = createK8s({ env: { HOME: dir, KUBECONFIG: join(dir, 'admin.kubeconfig') }, log: silentLogger });
    // The originals, as a backup should see them (Velero's skip rules, Secrets included).
    for (const type of NAMESPACED_TYPES) {
      for await (const object of admin.list(type)) {
        if (!NAMESPACES.includes(object.metadata.namespace ?? '')) continue;
        const obj = {
          ...object,
          apiVersion: object.apiVersion ?? type.version,
          kind: object.kind ?? type.kind,
        };
        if (backupSkipReason(obj, { includeSecrets: true }) !== undefined) continue;
        originals.set(`${type.plural}/${obj.metadata.namespace}/${obj.metadata.name}`, { type, object: obj });
      }
    }
  });

  afterAll(async () => {
    await closeProcessClusters();
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('backs up the namespaces, Secrets encrypted, without a 403', async () => {
    expect(originals.size).toBeGreaterThan(20);
    const report = await run(backupBot as Bot, {
      namespaces: NAMESPACES,
      includeSecrets: true,
      name: 'roundtrip',
    });
    expect(report.errors).toEqual([]);
    expect(report.actions.map((a) => [a.verb, a.status])).toEqual([['create', 'applied']]);
    expect(report.summary).toContain('encrypted');
    const backups = await listBackups(
      (await import('../../shared/storage/index.ts')).createDirectoryStore({ root: join(dir, 'store') }),
      'backups/',
    );
    expect(backups.map((b) => b.complete)).toEqual([true]);
  });

  it('restores every object after the namespaces are deleted, equal to the original after cleaning', async () => {
    // The protection controllers release these once no pod uses them; here the test does, first.
    for (const { type, object } of originals.values()) {
      if (!object.metadata.finalizers?.length) continue;
      await admin.patch(
        type,
        object.metadata.name,
        object.metadata.namespace,
        { metadata: { finalizers: null } },
        {
          patchType: 'merge',
        },
      );
    }
    for (const ns of NAMESPACES) await admin.delete(NAMESPACE, ns, undefined);
    expect(await Promise.all(NAMESPACES.map((ns) => admin.get(NAMESPACE, ns)))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    for (const { type, object } of originals.values()) {
      expect(await admin.get(type, object.metadata.name, object.metadata.namespace)).toBeUndefined();
    }

    const report = await run(restoreBot as Bot, { action: 'restore' });
    expect(report.errors).toEqual([]);
    expect(
      report.actions
        .filter((a) => a.status === 'failed')
        .map((a) => `${a.object.kind} ${a.object.namespace}/${a.object.name}: ${a.error?.slice(0, 120)}`),
    ).toEqual([]);
    expect(report.summary).toMatch(/^restore of roundtrip-\d{14}: \d+ created/);

    const differences: string[] = [];
    for (const [key, { type, object }] of originals) {
      const restored = await admin.get(type, object.metadata.name, object.metadata.namespace);
      if (restored === undefined) {
        differences.push(`${key}: missing`);
        continue;
      }
      const paths = diffPaths(
        cleanForRestore(object),
        cleanForRestore({
          ...restored,
          apiVersion: restored.apiVersion ?? object.apiVersion ?? '',
          kind: restored.kind ?? object.kind ?? '',
        }),
      );
      if (paths.length > 0) differences.push(`${key}: ${paths.join(', ')}`);
    }
    expect(differences).toEqual([]);
    // Every restored object is in the report as an applied create.
    const created = new Set(
      report.actions
        .filter((a) => a.verb === 'create' && a.status === 'applied')
        .map((a) => `${a.object.kind}/${a.object.namespace ?? ''}/${a.object.name}`),
    );
    for (const { object } of originals.values()) {
      expect(created.has(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`)).toBe(true);
    }
  });

  it('restores into a mapped namespace (Velero namespaceMapping)', async () => {
    const report = await run(restoreBot as Bot, {
      action: 'restore',
      namespaces: ['shop'],
      namespaceMapping: 'shop:shop-copy',
    });
    expect(report.errors).toEqual([]);
    expect(report.actions.filter((a) => a.status === 'failed')).toEqual([]);
    const shop = [...originals.values()].filter((o) => o.object.metadata.namespace === 'shop');
    expect(shop.length).toBeGreaterThan(3);
    for (const { type, object } of shop) {
      const copy = await admin.get(type, object.metadata.name, 'shop-copy');
      expect(copy, `${type.plural}/${object.metadata.name}`).toBeDefined();
      const expected = cleanForRestore({
        ...object,
        metadata: { ...object.metadata, namespace: 'shop-copy' },
      });
      expect(
        diffPaths(
          expected,
          cleanForRestore({
            ...(copy as KubeObject),
            apiVersion: object.apiVersion,
            kind: object.kind,
          } as KubeObject),
        ).filter((p) => !p.startsWith('/subjects')),
      ).toEqual([]);
    }
  });

  it('test-restores into scratch namespaces and removes them ({} does this)', async () => {
    const report = await run(restoreBot as Bot, {});
    expect(report.errors).toEqual([]);
    expect(report.findings.filter((f) => f.check === 'restore.test-failed')).toEqual([]);
    expect(report.summary).toContain('the backup restores');
    const deletes = report.actions.filter((a) => a.verb === 'delete' && a.object.kind === 'Namespace');
    expect(deletes.map((a) => a.status)).toEqual(['applied', 'applied', 'applied']);
    expect(deletes.every((a) => a.object.name.startsWith('eco-rt-'))).toBe(true);
  });

  it('refuses a corrupt archive with a clear error and applies nothing', async () => {
    const store = join(dir, 'store');
    const backups = await listBackups(
      (await import('../../shared/storage/index.ts')).createDirectoryStore({ root: store }),
      'backups/',
    );
    const file = join(store, 'backups', backups[0]?.name ?? '', 'archive.tar.gz');
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    const report = await run(restoreBot as Bot, { action: 'restore', namespaceMapping: 'shop:shop-corrupt' });
    expect(report.errors.map((e) => e.code)).toEqual(['archive-corrupt']);
    expect(report.findings.map((f) => f.check)).toEqual(['restore.archive-corrupt']);
    expect(report.actions).toEqual([]);
    expect(report.summary).toContain('nothing was applied');
  });
});
