// eco-backup-bot: backs up the resources of selected namespaces (Velero's rules for what is skipped
// and how objects are cleaned), plus the cluster-scoped objects they depend on, as a compressed
// archive with a SHA-256 manifest, written through the object store; then applies retention (keep
// last N and GFS, never the last good backup). Writes go through the rails (`external`): dry-run by
// default, so `{}` in dry-run reports what the backup would hold.
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  finding,
  reportErrorFrom,
  resources,
  setting,
  takeSnapshot,
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
import { DEFAULT_PROTECTED_NAMESPACES } from '../../shared/safety/exclusions.ts';
import {
  DEFAULT_RETENTION,
  EXCLUDE_LABEL,
  OBJECT_STORE_SETTINGS,
  backupKeys,
  backupName,
  backupSkipReason,
  cleanForBackup,
  decideRetention,
  itemPath,
  listBackups,
  loadKeyFile,
  objectStoreFromSettings,
  packArchive,
  parseLabelSelector,
  storeReportError,
  type ArchiveItem,
  type ArchiveKey,
  type ObjectStore,
  type SkipReason,
  BACKUP_KIND,
  BACKUP_PREFIX_SETTING,
} from '../../shared/storage/index.ts';
import { CLUSTER_TYPES, NAMESPACED_TYPES, selectTypes, typeName } from './catalog.ts';
import { collectDependencies } from './dependencies.ts';
import { InputSchema, type Input } from './schema.ts';

const NAME = 'eco-backup-bot';

const SETTINGS = {
  ...OBJECT_STORE_SETTINGS,
  prefix: BACKUP_PREFIX_SETTING,
  keyFile: setting.file({
    env: 'ECO_BACKUP_KEY_FILE',
    meaning:
      'AES-256 key (64 hex, base64 or 32 raw bytes): archives are encrypted with it; required for Secrets',
  }),
  includeSecrets: setting.boolean({
    env: 'ECO_BACKUP_INCLUDE_SECRETS',
    default: false,
    meaning: 'include Secrets in scheduled backups (needs ECO_BACKUP_KEY_FILE)',
  }),
  namespaces: setting.list({
    env: 'ECO_BACKUP_NAMESPACES',
    default: [],
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    meaning: 'namespaces of scheduled backups (empty: every namespace that is not protected)',
  }),
  keepLast: setting.number({
    env: 'ECO_BACKUP_KEEP_LAST',
    default: DEFAULT_RETENTION.keepLast,
    min: 0,
    max: 1000,
    integer: true,
    meaning: 'retention: newest good backups kept',
  }),
  keepDaily: setting.number({
    env: 'ECO_BACKUP_KEEP_DAILY',
    default: DEFAULT_RETENTION.keepDaily,
    min: 0,
    max: 1000,
    integer: true,
    meaning: 'retention: days with a backup kept (newest of each)',
  }),
  keepWeekly: setting.number({
    env: 'ECO_BACKUP_KEEP_WEEKLY',
    default: DEFAULT_RETENTION.keepWeekly,
    min: 0,
    max: 1000,
    integer: true,
    meaning: 'retention: ISO weeks kept',
  }),
  keepMonthly: setting.number({
    env: 'ECO_BACKUP_KEEP_MONTHLY',
    default: DEFAULT_RETENTION.keepMonthly,
    min: 0,
    max: 1000,
    integer: true,
    meaning: 'retention: months kept',
  }),
  incompleteAfter: setting.duration({
    env: 'ECO_BACKUP_INCOMPLETE_AFTER',
    default: '1h',
    min: '1m',
    meaning: 'a backup without its manifest older than this is a failed one (retention may delete it)',
  }),
  staleAfter: setting.duration({
    env: 'ECO_BACKUP_STALE_AFTER',
    default: '26h',
    min: '1m',
    meaning: 'no complete backup newer than this is reported (backup.stale)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const NAMESPACE_KINDS = Object.fromEntries(NAMESPACED_TYPES.map((t) => [typeName(t), t])) as Record<
  string,
  ResourceType
>;

const readList = (types: readonly ResourceType[]) =>
  types.map((t) => ({
    apiGroups: [t.group],
    resources: [t.plural],
    verbs: ['get' as const, 'list' as const],
  }));

const backupRef = (name: string): ObjectRef => ({ ...BACKUP_KIND, name });

interface Collected {
  items: ArchiveItem[];
  skipped: Partial<Record<SkipReason | 'not-selected', number>>;
  namespaces: string[];
  findings: Finding[];
  errors: ReportError[];
}

async function collectObjects(ctx: Context<Settings>, input: Input): Promise<Collected | string> {
  const includeSecrets = input.includeSecrets ?? ctx.settings.includeSecrets;
  const selection = selectTypes({ include: input.includeResources, exclude: input.excludeResources });
  if (selection.unknown.length > 0) return `unknown resources: ${selection.unknown.join(', ')}`;
  const nsMatch =
    input.namespaceSelector === undefined ? () => true : parseLabelSelector(input.namespaceSelector);
  if (typeof nsMatch === 'string') return `namespaceSelector: ${nsMatch}`;
  const objMatch = input.labelSelector === undefined ? () => true : parseLabelSelector(input.labelSelector);
  if (typeof objMatch === 'string') return `labelSelector: ${objMatch}`;

  const kinds: Record<string, ResourceType> = { namespaces: resources.namespaces };
  for (const type of selection.types) {
    if (type.plural === 'secrets' && !includeSecrets) continue;
    kinds[typeName(type)] = type;
  }
  const snap = await takeSnapshot(ctx, kinds, { optional: ['volumesnapshots.snapshot.storage.k8s.io'] });
  const wanted = new Set(
    input.namespaces ?? (ctx.settings.namespaces.length > 0 ? ctx.settings.namespaces : []),
  );
  // Named namespaces, or every namespace that is not protected; the selector narrows either.
  const namespaceObjects = (snap.objects.namespaces ?? []).filter(
    (ns) =>
      (wanted.size > 0
        ? wanted.has(ns.metadata.name)
        : !DEFAULT_PROTECTED_NAMESPACES.includes(ns.metadata.name)) && nsMatch(ns.metadata.labels),
  );
  const selected = new Map(namespaceObjects.map((ns) => [ns.metadata.name, ns]));
  const missingNs = [...wanted].filter(
    (n) => !(snap.objects.namespaces ?? []).some((ns) => ns.metadata.name === n),
  );
  if (missingNs.length > 0) return `namespaces not found: ${missingNs.join(', ')}`;

  const items: ArchiveItem[] = [];
  const skipped: Collected['skipped'] = {};
  const count = (reason: SkipReason | 'not-selected'): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  const backedUp: KubeObject[] = [];
  for (const ns of namespaceObjects) {
    if (ns.metadata.labels?.[EXCLUDE_LABEL] === 'true') {
      count('excluded-by-label');
      continue;
    }
    items.push({
      path: itemPath({ plural: 'namespaces', group: '', name: ns.metadata.name }),
      data: cleanForBackup({ ...ns, apiVersion: 'v1', kind: 'Namespace' }),
    });
  }
  for (const [key, type] of Object.entries(kinds)) {
    if (key === 'namespaces') continue;
    for (const raw of snap.objects[key] ?? []) {
      const obj: KubeObject = {
        ...raw,
        apiVersion: raw.apiVersion ?? (type.group === '' ? type.version : `${type.group}/${type.version}`),
        kind: raw.kind ?? type.kind,
      };
      const ns = selected.get(obj.metadata.namespace ?? '');
      if (ns === undefined) continue;
      if (!objMatch(obj.metadata.labels)) {
        count('not-selected');
        continue;
      }
      const reason = backupSkipReason(obj, { namespaceLabels: ns.metadata.labels ?? {}, includeSecrets });
      if (reason !== undefined) {
        count(reason);
        continue;
      }
      backedUp.push(obj);
      items.push({
        path: itemPath({
          plural: type.plural,
          group: type.group,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name,
        }),
        data: cleanForBackup(obj),
      });
    }
  }

  const findings: Finding[] = [...snap.findings];
  const errors: ReportError[] = [...snap.errors];
  const { found, missing } = await collectDependencies(backedUp, async (ref) => {
    try {
      return await ctx.k8s.get(ref.type, ref.name);
    } catch (error) {
      errors.push(reportErrorFrom(error, `reading ${ref.type.plural}/${ref.name}`));
      return undefined;
    }
  });
  for (const { ref, object } of found) {
    const obj = {
      ...object,
      apiVersion: object.apiVersion ?? ref.type.version,
      kind: object.kind ?? ref.type.kind,
    };
    items.push({
      path: itemPath({ plural: ref.type.plural, group: ref.type.group, name: ref.name }),
      data: cleanForBackup(obj),
    });
  }
  for (const ref of missing) {
    findings.push(
      finding({
        bot: NAME,
        check: 'backup.dependency-missing',
        severity: 'warning',
        object: {
          apiVersion: ref.type.group === '' ? ref.type.version : `${ref.type.group}/${ref.type.version}`,
          kind: ref.type.kind,
          name: ref.name,
        },
        message: `${ref.neededBy} needs ${ref.type.kind} ${ref.name}, which does not exist, so the backup cannot carry it.`,
        evidence: { neededBy: ref.neededBy },
        fix: `Create ${ref.type.kind} ${ref.name} or fix the reference in ${ref.neededBy}; a restore will need it.`,
      }),
    );
  }
  return { items, skipped, namespaces: namespaceObjects.map((n) => n.metadata.name), findings, errors };
}

async function writeBackup(
  ctx: Context<Settings>,
  store: ObjectStore,
  name: string,
  archive: Buffer,
  manifest: unknown,
  reason: string,
): Promise<ReportError | undefined> {
  const keys = backupKeys(ctx.settings.prefix, name);
  let failure: unknown;
  const action = await ctx.safety.external('create', backupRef(name), reason, async () => {
    try {
      // The archive first, the manifest last: a backup without its manifest is an incomplete one.
      await store.put(keys.archive, archive, { contentType: 'application/gzip', signal: ctx.signal });
      const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
      await store.put(keys.manifest, body, { contentType: 'application/json', signal: ctx.signal });
      return { location: store.location, archive: keys.archive, manifest: keys.manifest };
    } catch (error) {
      failure = error;
      throw error;
    }
  });
  return action.status === 'failed' ? storeReportError(failure, `writing backup ${name}`) : undefined;
}

async function applyRetention(
  ctx: Context<Settings>,
  store: ObjectStore,
  findings: Finding[],
  errors: ReportError[],
): Promise<number> {
  let backups;
  try {
    backups = await listBackups(store, ctx.settings.prefix, ctx.signal);
  } catch (error) {
    errors.push(storeReportError(error, 'listing backups'));
    return 0;
  }
  const now = ctx.now();
  const newestGood = backups
    .filter((b) => b.complete)
    .reduce<Date | undefined>(
      (at, b) => (at === undefined || b.lastModified > at ? b.lastModified : at),
      undefined,
    );
  if (newestGood === undefined || now.getTime() - newestGood.getTime() > ctx.settings.staleAfter) {
    findings.push(
      finding({
        bot: NAME,
        check: 'backup.stale',
        severity: 'critical',
        object: { ...BACKUP_KIND, name: ctx.settings.prefix || '/' },
        message:
          newestGood === undefined
            ? `There is no complete backup under ${store.location}/${ctx.settings.prefix}.`
            : `The newest complete backup is ${Math.floor((now.getTime() - newestGood.getTime()) / 3_600_000)} hours old.`,
        evidence: {
          newestComplete: newestGood?.toISOString() ?? null,
          staleAfterHours: ctx.settings.staleAfter / 3_600_000,
          backups: backups.length,
        },
        fix: 'Check the backup bot runs (its cron, ECO_MODE=apply) and that the store accepts writes.',
      }),
    );
  }
  const decisions = decideRetention(
    backups.map((b) => ({
      id: b.name,
      time: b.lastModified,
      state: b.complete
        ? 'good'
        : now.getTime() - b.lastModified.getTime() > ctx.settings.incompleteAfter
          ? 'bad'
          : 'pending',
    })),
    {
      keepLast: ctx.settings.keepLast,
      keepDaily: ctx.settings.keepDaily,
      keepWeekly: ctx.settings.keepWeekly,
      keepMonthly: ctx.settings.keepMonthly,
    },
    now,
  );
  let deleted = 0;
  for (const decision of decisions) {
    if (decision.keep) continue;
    const keys = backupKeys(ctx.settings.prefix, decision.id);
    const action = await ctx.safety.external(
      'delete',
      backupRef(decision.id),
      decision.state === 'bad' ? 'incomplete backup (no manifest)' : 'beyond retention (keep-last and GFS)',
      async () => {
        await store.delete(keys.manifest, { signal: ctx.signal });
        await store.delete(keys.archive, { signal: ctx.signal });
        return { deleted: [keys.manifest, keys.archive] };
      },
    );
    if (action.status === 'applied' || action.status === 'planned') deleted += 1;
  }
  return deleted;
}

export default defineBot({
  name: NAME,
  category: 'storage',
  tier: 'medium',
  summary:
    "Backs up namespaces' resources to a compressed archive with a SHA-256 manifest, to a volume or a self-hosted S3-compatible store; retention by count and GFS",
  triggers: { http: true, cron: '0 2 * * *' },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    ...readList([
      resources.namespaces,
      ...Object.values(NAMESPACE_KINDS),
      ...CLUSTER_TYPES.filter((t) => t.plural !== 'namespaces'),
    ]),
  ],
  mutates: true,
  input: InputSchema,
  settings: SETTINGS,
  scopeOptions: ['namespaces', 'namespaceSelector', 'labelSelector', 'includeResources', 'excludeResources'],
  async run(input: Input, ctx): Promise<RunResult> {
    const choice = objectStoreFromSettings(ctx.settings);
    if (!choice.configured) {
      return {
        summary: 'no object store configured: nothing backed up',
        findings: [
          unconfiguredFinding({
            bot: NAME,
            setting: choice.setting,
            message: 'No object store is configured, so no backup is taken.',
            fix: 'Set ECO_BACKUP_DIR to a mounted volume, or ECO_S3_URL, ECO_S3_BUCKET and the key files for an S3-compatible store.',
          }),
        ],
        errors: [],
      };
    }
    const store = choice.store;
    const includeSecrets = input.includeSecrets ?? ctx.settings.includeSecrets;
    let key: ArchiveKey | undefined;
    try {
      key = ctx.settings.keyFile === undefined ? undefined : await loadKeyFile(ctx.settings.keyFile);
    } catch (error) {
      return {
        summary: 'refused: the encryption key is unusable',
        findings: [],
        errors: [{ code: 'encryption-key-invalid', message: (error as Error).message }],
      };
    }
    if (includeSecrets && key === undefined) {
      return {
        summary: 'refused: Secrets asked for but no encryption key configured',
        findings: [],
        errors: [
          {
            code: 'encryption-key-missing',
            message: 'includeSecrets needs ECO_BACKUP_KEY_FILE: Secrets are only stored encrypted',
          },
        ],
      };
    }
    const collected = await collectObjects(ctx, input);
    if (typeof collected === 'string') {
      return {
        summary: `refused: ${collected}`,
        findings: [],
        errors: [{ code: 'invalid-selection', message: collected }],
      };
    }
    const name = backupName(input.name ?? 'eco', ctx.now());
    const { archive, manifest } = await packArchive(collected.items, {
      createdAt: ctx.now(),
      labels: { bot: NAME, namespaces: collected.namespaces.join(','), secrets: String(includeSecrets) },
      ...(key === undefined ? {} : { key }),
    });
    const skippedText = Object.entries(collected.skipped)
      .map(([r, n]) => `${n} ${r}`)
      .join(', ');
    const reason = `${collected.items.length} objects from ${collected.namespaces.length} namespaces (${archive.byteLength} bytes, sha256 ${manifest.archive.sha256.slice(0, 12)})`;
    const errors = [...collected.errors];
    const writeError = await writeBackup(ctx, store, name, archive, manifest, reason);
    if (writeError) errors.push(writeError);
    const deleted =
      input.retention === false || writeError
        ? 0
        : await applyRetention(ctx, store, collected.findings, errors);
    return {
      summary: `backup ${name}: ${reason}${skippedText ? `; skipped ${skippedText}` : ''}; ${manifest.archive.encryption === 'none' ? 'not encrypted' : 'encrypted'}; ${deleted} old backup(s) ${ctx.mode === 'apply' ? 'deleted' : 'to delete'} by retention; store ${store.location}`,
      findings: collected.findings,
      errors,
    };
  },
});
