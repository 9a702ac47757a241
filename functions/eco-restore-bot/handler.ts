// eco-restore-bot: restores a backup archive in Velero's order, with namespace mapping and an
// existing-object policy (skip or update); dry-run first shows the diff (writes are sent with
// dryRun=All). With `{}` (its cron) it test-restores the newest backup into scratch namespaces and
// removes them again, proving the backup can be restored. A corrupt archive (bad checksum,
// truncated, wrong key) is refused with a clear error and nothing applied.
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  finding,
  reportErrorFrom,
  resources,
  setting,
  type Action,
  type Context,
  type Finding,
  type KubeObject,
  type ObjectRef,
  type ReportError,
  type ResourceType,
  type RunResult,
  type SettingValues,
  unconfiguredFinding,
} from '../../shared/index.ts';
import {
  CLUSTER_TYPES,
  NAMESPACED_TYPES,
  OBJECT_STORE_SETTINGS,
  backupKeys,
  isArchiveError,
  isChecksumMismatch,
  listBackups,
  loadKeyFile,
  objectStoreFromSettings,
  parseManifest,
  parseNamespaceMapping,
  storeReportError,
  typeName,
  unpackArchive,
  type ArchiveItem,
  type ArchiveKey,
  type NamespaceMapping,
  type ObjectStore,
  BACKUP_KIND,
  BACKUP_PREFIX_SETTING,
} from '../../shared/storage/index.ts';
import { decide, planRestore, type ExistingPolicy, type PlannedObject } from './plan.ts';
import { InputSchema, type Input } from './schema.ts';

const NAME = 'eco-restore-bot';

const SETTINGS = {
  ...OBJECT_STORE_SETTINGS,
  prefix: BACKUP_PREFIX_SETTING,
  keyFile: setting.file({
    env: 'ECO_BACKUP_KEY_FILE',
    meaning: 'AES-256 key that decrypts encrypted archives (the backup bot’s key)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const RESTORABLE: readonly ResourceType[] = [
  resources.namespaces,
  ...NAMESPACED_TYPES,
  ...CLUSTER_TYPES.filter((t) => t.plural !== 'namespaces'),
];
const byResource = new Map(RESTORABLE.map((t) => [typeName(t), t]));

/** Data-bearing or cluster-wide objects a test restore must not create next to the live ones. */
const NOT_IN_TEST = new Set([
  'persistentvolumeclaims',
  'persistentvolumes',
  'volumesnapshots.snapshot.storage.k8s.io',
]);

function typeOf(planned: PlannedObject): ResourceType | undefined {
  const known = byResource.get(planned.group === '' ? planned.plural : `${planned.plural}.${planned.group}`);
  return known === undefined ? undefined : { ...known, version: planned.version };
}

const backupRef = (name: string): ObjectRef => ({ ...BACKUP_KIND, name });

function unconfigured(setting: string): RunResult {
  return {
    summary: 'no object store configured: nothing to restore from',
    findings: [
      unconfiguredFinding({
        bot: NAME,
        setting: setting,
        message: 'No object store is configured, so there is no backup to restore or test.',
        fix: 'Set ECO_BACKUP_DIR or ECO_S3_URL (with ECO_S3_BUCKET and the key files), as for eco-backup-bot.',
      }),
    ],
    errors: [],
  };
}

type Loaded = { items: ArchiveItem[]; name: string } | { result: RunResult };

/** Reads and verifies the backup; any damage refuses the whole restore. */
async function loadBackup(
  ctx: Context<Settings>,
  store: ObjectStore,
  wanted: string | undefined,
): Promise<Loaded> {
  let name = wanted;
  if (name === undefined) {
    try {
      const complete = (await listBackups(store, ctx.settings.prefix, ctx.signal)).filter((b) => b.complete);
      name = complete
        .map((b) => b.name)
        .sort()
        .at(-1);
    } catch (error) {
      return {
        result: {
          summary: 'the store could not be listed',
          findings: [],
          errors: [storeReportError(error, 'listing backups')],
        },
      };
    }
    if (name === undefined) {
      return {
        result: {
          summary: 'no complete backup to restore',
          findings: [
            finding({
              bot: NAME,
              check: 'restore.no-backup',
              severity: 'critical',
              object: backupRef(ctx.settings.prefix || '/'),
              message: `There is no complete backup under ${store.location}/${ctx.settings.prefix}, so nothing can be restored.`,
              evidence: { location: store.location, prefix: ctx.settings.prefix },
              fix: 'Check eco-backup-bot: its schedule, ECO_MODE=apply, and its report errors.',
            }),
          ],
          errors: [],
        },
      };
    }
  }
  const keys = backupKeys(ctx.settings.prefix, name);
  const corrupt = (message: string, error: unknown): Loaded => ({
    result: {
      summary: `refused: backup ${name} is damaged; nothing was applied`,
      findings: [
        finding({
          bot: NAME,
          check: 'restore.archive-corrupt',
          severity: 'critical',
          object: backupRef(name as string),
          message: `Backup ${name} cannot be restored: ${message}.`,
          evidence: { archive: keys.archive, manifest: keys.manifest, location: store.location },
          fix: 'Restore from an older backup (they are verified the same way) and check the store for damaged objects.',
        }),
      ],
      errors: [
        {
          code: 'archive-corrupt',
          message: `${name}: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
    },
  });
  try {
    const manifest = parseManifest((await store.get(keys.manifest, { signal: ctx.signal })).body);
    const archive = (await store.get(keys.archive, { signal: ctx.signal })).body;
    let key: ArchiveKey | undefined;
    if (manifest.archive.encryption !== 'none' && ctx.settings.keyFile !== undefined)
      key = await loadKeyFile(ctx.settings.keyFile);
    const items = await unpackArchive(archive, manifest, key === undefined ? {} : { key });
    return { items, name };
  } catch (error) {
    if (isChecksumMismatch(error))
      return corrupt('an object of it does not match the checksum recorded when it was written', error);
    if (isArchiveError(error)) return corrupt(error.message, error);
    return {
      result: {
        summary: `backup ${name} could not be read`,
        findings: [],
        errors: [storeReportError(error, `reading backup ${name}`)],
      },
    };
  }
}

interface Tally {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

/** Applies the plan in order; every object ends as an action (applied, planned, skipped or failed). */
async function apply(
  ctx: Context<Settings>,
  plan: PlannedObject[],
  policy: ExistingPolicy,
  test: boolean,
  findings: Finding[],
  errors: ReportError[],
): Promise<Tally> {
  const tally: Tally = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  const dryRun = ctx.mode !== 'apply';
  const newNamespaces = new Set<string>();
  for (const planned of plan) {
    const type = typeOf(planned);
    const ref: ObjectRef = {
      apiVersion: planned.object.apiVersion ?? 'v1',
      kind: planned.object.kind ?? 'Unknown',
      ...(planned.namespace === undefined ? {} : { namespace: planned.namespace }),
      name: planned.name,
    };
    const skipReason =
      planned.skip ??
      (type === undefined
        ? 'not-restorable'
        : test && NOT_IN_TEST.has(typeName(type))
          ? 'not-in-test-restore'
          : test && !type.namespaced && type.plural !== 'namespaces'
            ? 'cluster-scoped-not-in-test-restore'
            : undefined);
    if (skipReason !== undefined || type === undefined) {
      ctx.safety.skip('create', ref, skipReason ?? 'not-restorable');
      tally.skipped += 1;
      continue;
    }
    let existing: KubeObject | undefined;
    if (planned.namespace !== undefined && newNamespaces.has(planned.namespace)) existing = undefined;
    else {
      try {
        existing = await ctx.k8s.get(type, planned.name, planned.namespace);
      } catch (error) {
        errors.push(
          reportErrorFrom(error, `reading ${typeName(type)} ${planned.namespace ?? ''}/${planned.name}`),
        );
        ctx.safety.skip('create', ref, 'unreadable');
        tally.failed += 1;
        continue;
      }
    }
    const decision = decide(planned, existing, policy);
    let action: Action;
    if (decision.action === 'create') {
      if (type.plural === 'namespaces') newNamespaces.add(planned.name);
      if (dryRun && planned.namespace !== undefined && newNamespaces.has(planned.namespace)) {
        // Its namespace is created by this restore, so the server cannot validate it in dry-run.
        action = ctx.safety.note({
          verb: 'create',
          object: ref,
          status: 'planned',
          reason: `restore from ${planned.source.path} (namespace new: not validated in dry-run)`,
        });
      } else {
        action = await ctx.safety.create(type, planned.object, `restore from ${planned.source.path}`);
      }
      if (action.status === 'applied' || action.status === 'planned') tally.created += 1;
    } else if (decision.action === 'update' && existing !== undefined) {
      const updated: KubeObject = {
        ...planned.object,
        metadata: { ...planned.object.metadata, resourceVersion: existing.metadata.resourceVersion ?? '' },
      };
      action = await ctx.safety.update(
        type,
        existing,
        updated,
        `restore (existing differs at ${decision.differences.slice(0, 5).join(', ')})`,
      );
      if (action.status === 'applied' || action.status === 'planned') tally.updated += 1;
    } else {
      action = ctx.safety.skip(
        'create',
        ref,
        decision.action === 'unchanged'
          ? 'exists, unchanged'
          : `exists, differs at ${decision.differences.slice(0, 5).join(', ')} (policy skip)`,
      );
      if (decision.action === 'unchanged') tally.unchanged += 1;
      else tally.skipped += 1;
      continue;
    }
    if (action.status === 'failed' || action.status === 'skipped') {
      if (action.status === 'failed') tally.failed += 1;
      else tally.skipped += 1;
      if (action.status === 'failed') {
        findings.push(
          finding({
            bot: NAME,
            check: 'restore.object-failed',
            severity: 'warning',
            object: ref,
            message: `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} could not be restored: ${action.error ?? action.reason}.`,
            evidence: { source: planned.source.path, error: action.error ?? null },
            fix: 'Read the error; fix the cause (a missing dependency, a quota, an admission policy) and run the restore again (existing objects are skipped).',
          }),
        );
      }
    }
  }
  return tally;
}

function scratchMapping(items: readonly ArchiveItem[], runId: string): NamespaceMapping {
  const tag = runId.replace(/[^a-z0-9]/g, '').slice(0, 6) || 'run';
  const namespaces = new Set<string>();
  for (const item of items) {
    const match = /^resources\/[^/]+\/namespaces\/([^/]+)\//.exec(item.path);
    if (match?.[1]) namespaces.add(match[1]);
    const ns = /^resources\/namespaces\/cluster\/([^/]+)\.json$/.exec(item.path);
    if (ns?.[1]) namespaces.add(ns[1]);
  }
  return Object.fromEntries(
    [...namespaces].map((ns) => [ns, `eco-rt-${tag}-${ns}`.slice(0, 63).replace(/-+$/, '')]),
  );
}

export default defineBot({
  name: NAME,
  category: 'storage',
  tier: 'medium',
  summary:
    "Restores an archive (Velero's order, namespace mapping, skip/update policy), with a diff first; test-restores into a scratch namespace to prove a backup works",
  triggers: { http: true, cron: '30 3 * * *' },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
    ...RESTORABLE.filter((t) => t.plural !== 'namespaces').map((t) => ({
      apiGroups: [t.group],
      resources: [t.plural],
      verbs: ['get' as const, 'create' as const, 'update' as const],
    })),
  ],
  mutates: true,
  input: InputSchema,
  settings: SETTINGS,
  scopeOptions: ['namespaces', 'includeResources', 'excludeResources'],
  async run(input: Input, ctx): Promise<RunResult> {
    const choice = objectStoreFromSettings(ctx.settings);
    if (!choice.configured) return unconfigured(choice.setting);
    const test = (input.action ?? 'test-restore') === 'test-restore';
    let mapping: NamespaceMapping = {};
    if (input.namespaceMapping !== undefined) {
      const parsed = parseNamespaceMapping(input.namespaceMapping);
      if (typeof parsed === 'string')
        return {
          summary: `refused: namespaceMapping ${parsed}`,
          findings: [],
          errors: [{ code: 'invalid-options', message: `namespaceMapping: ${parsed}` }],
        };
      mapping = parsed;
    }
    const loaded = await loadBackup(ctx, choice.store, input.backup);
    if ('result' in loaded) return loaded.result;
    if (test) mapping = { ...scratchMapping(loaded.items, ctx.runId), ...mapping };
    const plan = planRestore(loaded.items, {
      namespaces: input.namespaces,
      includeResources: input.includeResources,
      excludeResources: input.excludeResources,
      mapping,
      preserveNodePorts: input.preserveNodePorts,
    });
    const writes = plan.filter((p) => !p.skip).length + (test ? Object.keys(mapping).length : 0);
    const budget = ctx.safety.budget();
    if (ctx.mode === 'apply' && writes > budget.max - budget.used) {
      return {
        summary: `refused: the restore needs up to ${writes} writes and the blast-radius cap allows ${budget.max - budget.used}; nothing was applied`,
        findings: [],
        errors: [
          {
            code: 'over-blast-radius',
            message: `restore of ${loaded.name} needs ${writes} writes; raise ECO_MAX_ACTIONS for ${NAME} (now ${budget.max}) or narrow it with namespaces/includeResources`,
          },
        ],
      };
    }
    const findings: Finding[] = [];
    const errors: ReportError[] = [];
    const policy: ExistingPolicy = input.existing === 'update' ? 'update' : 'skip';
    const tally = await apply(ctx, plan, policy, test, findings, errors);
    let summary = `${test ? 'test restore' : 'restore'} of ${loaded.name}${ctx.mode === 'apply' ? '' : ' (dry-run)'}: ${tally.created} created, ${tally.updated} updated, ${tally.unchanged} unchanged, ${tally.skipped} skipped, ${tally.failed} failed`;
    if (test && ctx.mode === 'apply') {
      for (const scratch of new Set(Object.values(mapping))) {
        const ns = await ctx.k8s.get(resources.namespaces, scratch).catch(() => undefined);
        if (ns !== undefined)
          await ctx.safety.delete(resources.namespaces, ns, 'test restore done: scratch namespace removed');
      }
      if (tally.failed > 0 || tally.created === 0) {
        findings.push(
          finding({
            bot: NAME,
            check: 'restore.test-failed',
            severity: 'critical',
            object: backupRef(loaded.name),
            message: `The test restore of backup ${loaded.name} did not succeed: ${tally.failed} of ${tally.created + tally.failed} objects failed.`,
            evidence: { ...tally },
            fix: 'See the failed actions and restore.object-failed findings; a backup that cannot be restored is no backup.',
          }),
        );
      } else summary += '; scratch namespaces removed: the backup restores';
    }
    return { summary, findings, errors };
  },
});
