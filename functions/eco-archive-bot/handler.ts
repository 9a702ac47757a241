// eco-archive-bot: moves backups and reports older than N days from the hot prefixes to a cold
// prefix of the object store, reads the copy back (its SHA-256 verified against the one recorded
// when the original was written) and deletes the hot copy only after that. A backup folder moves as
// one unit. Through the rails (`external`): dry-run by default, one action per unit, capped.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  finding,
  setting,
  type Finding,
  type ReportError,
  type RunResult,
  unconfiguredFinding,
} from '../../shared/index.ts';
import {
  OBJECT_STORE_SETTINGS,
  listAll,
  objectStoreFromSettings,
  storeReportError,
  type ObjectSummary,
} from '../../shared/storage/index.ts';
import { checkCopy, planMoves, type Move } from './plan.ts';

const NAME = 'eco-archive-bot';
const PREFIX = /^([a-z0-9][-a-z0-9._]*\/)+$/;

const SETTINGS = {
  ...OBJECT_STORE_SETTINGS,
  afterDays: setting.number({
    env: 'ECO_ARCHIVE_AFTER_DAYS',
    default: 30,
    min: 0,
    max: 36500,
    integer: true,
    meaning: 'objects older than this many days move to the cold prefix (Velero TTL: 30)',
  }),
  coldPrefix: setting.string({
    env: 'ECO_ARCHIVE_COLD_PREFIX',
    default: 'cold/',
    pattern: PREFIX,
    meaning: 'where archived objects go (their key under it is unchanged)',
  }),
  folderPrefixes: setting.list({
    env: 'ECO_ARCHIVE_FOLDER_PREFIXES',
    default: ['backups/'],
    pattern: PREFIX,
    meaning: 'prefixes whose sub-folders move as one unit (one backup each)',
  }),
  objectPrefixes: setting.list({
    env: 'ECO_ARCHIVE_OBJECT_PREFIXES',
    default: ['reports/'],
    pattern: PREFIX,
    meaning: 'prefixes whose objects move one by one (reports)',
  }),
};

const Input = Type.Object(
  {
    /** Override the age for this run. */
    afterDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 36500 })),
  },
  { additionalProperties: false },
);

export default defineBot({
  name: NAME,
  category: 'storage',
  tier: 'medium',
  summary:
    'Moves old backups and reports to cold storage after N days, verifies the copy’s checksum, deletes the hot copy only after a verified copy',
  triggers: { http: true, cron: '0 4 * * *' },
  rbac: [],
  mutates: true,
  input: Input,
  settings: SETTINGS,
  async run(input: Static<typeof Input>, ctx): Promise<RunResult> {
    const choice = objectStoreFromSettings(ctx.settings);
    if (!choice.configured) {
      return {
        summary: 'no object store configured: nothing to archive',
        findings: [
          unconfiguredFinding({
            bot: NAME,
            setting: choice.setting,
            message: 'No object store is configured, so nothing is archived.',
            fix: 'Set ECO_BACKUP_DIR or ECO_S3_URL (with ECO_S3_BUCKET and the key files), as for eco-backup-bot.',
          }),
        ],
        errors: [],
      };
    }
    const store = choice.store;
    const errors: ReportError[] = [];
    const findings: Finding[] = [];
    const objects: ObjectSummary[] = [];
    for (const prefix of [...ctx.settings.folderPrefixes, ...ctx.settings.objectPrefixes]) {
      try {
        for await (const object of listAll(store, prefix, { signal: ctx.signal })) objects.push(object);
      } catch (error) {
        errors.push(storeReportError(error, `listing ${prefix}`));
      }
    }
    const moves = planMoves(objects, {
      now: ctx.now(),
      olderThanDays: input.afterDays ?? ctx.settings.afterDays,
      folderPrefixes: ctx.settings.folderPrefixes,
      objectPrefixes: ctx.settings.objectPrefixes,
      coldPrefix: ctx.settings.coldPrefix,
    });
    let moved = 0;
    for (const move of moves) {
      let problem: string | undefined;
      const bytes = move.objects.reduce((sum, o) => sum + o.size, 0);
      const action = await ctx.safety.external(
        'update',
        { apiVersion: 'eco.bsw-arch.org/v1', kind: 'StoredObject', name: move.unit },
        `archive: ${move.ageDays} days old, ${move.objects.length} object(s), ${bytes} bytes -> ${ctx.settings.coldPrefix}`,
        async () => {
          try {
            return await moveUnit(move);
          } catch (error) {
            problem = error instanceof Error ? error.message : String(error);
            throw error;
          }
        },
        { before: { keys: move.objects.map((o) => o.hot) } },
      );
      if (action.status === 'applied' || action.status === 'planned') moved += 1;
      if (action.status === 'failed') {
        findings.push(
          finding({
            bot: NAME,
            check: 'archive.copy-unverified',
            severity: 'warning',
            object: { apiVersion: 'eco.bsw-arch.org/v1', kind: 'StoredObject', name: move.unit },
            message: `${move.unit} was not archived: ${problem ?? action.error ?? 'the copy could not be verified'}; the hot copy is kept.`,
            evidence: {
              keys: move.objects.map((o) => o.hot),
              ageDays: move.ageDays,
              location: store.location,
            },
            fix: 'Check the store (space, permissions, damaged objects); the next run tries again.',
          }),
        );
      }
    }

    /** Copy every object, read each copy back verified, then (only then) delete the hot ones. */
    async function moveUnit(move: Move): Promise<unknown> {
      for (const object of move.objects) {
        const source = await store.head(object.hot, { signal: ctx.signal });
        await store.copy(object.hot, object.cold, { signal: ctx.signal });
        const copy = await store.head(object.cold, { signal: ctx.signal });
        const check = checkCopy(source, copy);
        if (!check.ok) throw new Error(`${object.cold}: ${check.reason}`);
        // Reading it back verifies the content itself against the recorded sha256.
        await store.get(object.cold, { signal: ctx.signal });
      }
      for (const object of move.objects) await store.delete(object.hot, { signal: ctx.signal });
      return { moved: move.objects.map((o) => `${o.hot} -> ${o.cold}`) };
    }

    return {
      summary: `${objects.length} objects under ${[...ctx.settings.folderPrefixes, ...ctx.settings.objectPrefixes].join(', ')}: ${moves.length} unit(s) older than ${input.afterDays ?? ctx.settings.afterDays} days, ${moved} ${ctx.mode === 'apply' ? 'moved' : 'to move'} to ${ctx.settings.coldPrefix} in ${store.location}`,
      findings,
      errors,
    };
  },
});
