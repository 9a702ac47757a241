// eco-registry-bot: retention on a self-hosted OCI registry. Tags no pod template in the cluster
// names, no pod runs (imageID), older than the retention and outside the newest N per repository
// are deleted by digest, through the rails' external-target path (dry-run by default, the cap, the
// audit entry). The registry frees the space only when its garbage collection runs.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  finding,
  isRegistryError,
  registryFromSettings,
  registryReportError,
  registryUnconfigured,
  resources,
  setting,
  takeSnapshot,
  REGISTRY_CREDENTIALS_ENV,
  REGISTRY_URL_ENV,
} from '../../shared/index.ts';
import type {
  Context,
  Finding,
  ObjectRef,
  ReportError,
  RunResult,
  SettingValues,
} from '../../shared/index.ts';
import { containersOf } from './containers.ts';
import { planRegistry } from './plan.ts';

const NAME = 'eco-registry-bot';
/** Every kind whose pod template names an image: a tag an old ReplicaSet names is a rollback target. */
const KINDS = {
  pods: resources.pods,
  replicaSets: resources.replicasets,
  statefulSets: resources.statefulsets,
  daemonSets: resources.daemonsets,
  jobs: resources.jobs,
  cronJobs: resources.cronjobs,
};

const SETTINGS = {
  registryUrl: setting.url({
    env: REGISTRY_URL_ENV,
    meaning: 'the self-hosted OCI registry whose tags are kept in check (CNCF Distribution, Harbor, Zot)',
  }),
  registryCredentials: setting.file({
    env: REGISTRY_CREDENTIALS_ENV,
    meaning:
      'registry credentials (with delete rights): a Docker config.json / .dockerconfigjson, or a user:password line',
  }),
  keepLast: setting.number({
    env: 'ECO_REGISTRY_KEEP_LAST',
    default: 10,
    min: 0,
    max: 10_000,
    integer: true,
    meaning: 'the newest tags per repository (by image creation time) that are always kept',
  }),
  retention: setting.duration({
    env: 'ECO_REGISTRY_RETENTION',
    default: '30d',
    min: '1h',
    meaning: 'tags younger than this are kept',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    /** Plan this repository only. */
    repository: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$',
      }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

export function manifestRef(host: string, repository: string, digest: string): ObjectRef {
  return {
    apiVersion: 'eco.bsw-arch.org/v1',
    kind: 'RegistryManifest',
    name: `${host}/${repository}@${digest}`,
  };
}

export default defineBot({
  name: NAME,
  category: 'container',
  tier: 'medium',
  summary:
    'Registry retention on a self-hosted OCI registry: tags no pod uses, older than the retention and outside the newest N per repository, deleted by digest (dry-run first); garbage collection frees the space',
  triggers: { cron: '30 3 * * *', http: true },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['replicasets', 'statefulsets', 'daemonsets'], verbs: ['list'] },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    if (!ctx.settings.registryUrl) {
      return {
        summary: `${REGISTRY_URL_ENV} is not set: nothing to do`,
        findings: [registryUnconfigured(NAME, 'no registry to keep in check')],
      };
    }
    const findings: Finding[] = [];
    const errors: ReportError[] = [];
    const snap = await takeSnapshot(ctx, KINDS);
    errors.push(...snap.errors);
    findings.push(...snap.findings);
    let registry;
    try {
      registry = await registryFromSettings(
        ctx.settings.registryUrl,
        ctx.settings.registryCredentials,
        ctx.signal,
      );
    } catch (error) {
      errors.push(registryReportError(error, `read ${REGISTRY_CREDENTIALS_ENV}`));
      return { summary: 'registry credentials unreadable: nothing planned', findings, errors };
    }
    const now = ctx.now();
    let plan;
    try {
      plan = await planRegistry({
        client: registry.client,
        host: registry.host,
        containers: containersOf(Object.values(snap.objects).flat()),
        policy: { keepLast: ctx.settings.keepLast, retentionMs: ctx.settings.retention },
        now,
        ...(input.repository ? { repositoryFilter: (r: string) => r === input.repository } : {}),
      });
    } catch (error) {
      errors.push(registryReportError(error, 'list repositories'));
      return { summary: `registry ${registry.host} unreadable: nothing planned`, findings, errors };
    }
    for (const failed of plan.errors)
      errors.push(registryReportError(failed.error, `describe ${failed.repository}`));

    // Fail safe: without a complete view of what the cluster runs, nothing is deleted.
    const blind = snap.failed.size > 0;
    for (const entry of plan.deletes) {
      const target = manifestRef(registry.host, entry.repository, entry.digest);
      const tags = entry.tags.map((t) => `${entry.repository}:${t}`).join(', ');
      const sample = plan.tags.find((t) => t.repository === entry.repository && t.digest === entry.digest);
      findings.push(
        finding({
          bot: NAME,
          check: 'registry.stale-tag',
          severity: 'info',
          object: target,
          message: `${tags} on ${registry.host}: not used by any pod, ${sample?.ageDays ?? '?'} days old, not among the newest ${ctx.settings.keepLast}`,
          evidence: {
            repository: entry.repository,
            digest: entry.digest,
            tags: entry.tags,
            created: sample?.created,
            ageDays: sample?.ageDays,
            compressedBytes: entry.bytes,
          },
          fix: `deleted by ${NAME} in apply mode (DELETE /v2/${entry.repository}/manifests/${entry.digest}); then run the registry's garbage collection`,
        }),
      );
      if (blind) {
        ctx.safety.skip(
          'delete',
          target,
          'the cluster could not be read completely: no delete without knowing what runs',
        );
        continue;
      }
      await ctx.safety.external(
        'delete',
        target,
        `${tags}: ${sample?.verdict.action === 'delete' ? sample.verdict.reason : 'past retention'}`,
        async () => {
          try {
            await registry.client.deleteManifest(entry.repository, entry.digest);
          } catch (error) {
            // Gone already (another run, a person): the goal is met.
            if (isRegistryError(error) && error.kind === 'not-found') return { alreadyGone: true };
            throw error;
          }
          return { deleted: entry.digest };
        },
        {
          before: {
            registry: registry.host,
            repository: entry.repository,
            digest: entry.digest,
            tags: entry.tags,
          },
        },
      );
    }
    const deleted = ctx.safety.actions().filter((a) => a.status === 'applied').length;
    if (plan.deletes.length > 0) {
      findings.push(
        finding({
          bot: NAME,
          check: 'registry.gc-needed',
          severity: 'info',
          object: { apiVersion: 'eco.bsw-arch.org/v1', kind: 'Registry', name: registry.host },
          message: `${deleted > 0 ? `${deleted} manifests deleted` : `${plan.deletes.length} manifests to delete`}: the registry frees the blobs only when its garbage collection runs`,
          evidence: {
            manifests: plan.deletes.length,
            applied: deleted,
            compressedBytes: plan.deletes.reduce((sum, d) => sum + (d.bytes ?? 0), 0),
          },
          fix: 'run `registry garbage-collect --delete-untagged /etc/docker/registry/config.yml` (Distribution; read-only mode or a stopped registry while it runs)',
        }),
      );
    }
    const kept = plan.tags.filter((t) => t.verdict.action === 'keep');
    return {
      summary: `${plan.repositories} repositories, ${plan.tags.length} tags: ${plan.deletes.length} manifests past retention, ${kept.length} tags kept`,
      findings,
      errors,
      data: {
        registry: registry.host,
        keepLast: ctx.settings.keepLast,
        retentionDays: Math.round(ctx.settings.retention / 86_400_000),
        kept: Object.fromEntries(
          ['in-use-tag', 'in-use-digest', 'newest', 'young', 'no-date', 'shared-digest'].map((reason) => [
            reason,
            kept.filter((t) => t.verdict.action === 'keep' && t.verdict.reason === reason).length,
          ]),
        ),
      },
    };
  },
});
