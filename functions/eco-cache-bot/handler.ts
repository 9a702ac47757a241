// eco-cache-bot: build-cache tags in the registry past retention (deleted by digest through the
// rails' external path, dry-run first), and per node the image bytes no pod on that node uses.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  defineBot,
  describeTags,
  digestsToDelete,
  finding,
  inUseFrom,
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
  ConfiguredRegistry,
  Context,
  Finding,
  KubeObject,
  ReportError,
  RunResult,
  SettingValues,
} from '../../shared/index.ts';
import {
  DEFAULT_CACHE_PATTERN,
  isCacheTag,
  nodeCacheDraft,
  nodeCaches,
  planCacheTags,
  type NodeLike,
  type PodOnNode,
} from './caches.ts';

const NAME = 'eco-cache-bot';
const KINDS = { pods: resources.pods, nodes: resources.nodes };

const SETTINGS = {
  registryUrl: setting.url({
    env: REGISTRY_URL_ENV,
    meaning:
      'the self-hosted OCI registry holding build-cache tags (BuildKit --cache-to type=registry, kaniko --cache-repo)',
  }),
  registryCredentials: setting.file({
    env: REGISTRY_CREDENTIALS_ENV,
    meaning:
      'registry credentials (with delete rights): a Docker config.json / .dockerconfigjson, or a user:password line',
  }),
  retention: setting.duration({
    env: 'ECO_CACHE_RETENTION',
    default: '7d',
    min: '1h',
    meaning:
      'build-cache tags older than this are deleted (the newest cache tag of a repository always stays)',
  }),
  tagPattern: setting.string({
    env: 'ECO_CACHE_TAG_PATTERN',
    default: DEFAULT_CACHE_PATTERN.source,
    meaning:
      'regular expression (case-insensitive) a tag or the last repository component matches when it holds build cache',
  }),
  nodeMinMb: setting.number({
    env: 'ECO_CACHE_NODE_MIN_MB',
    default: 50,
    min: 0,
    max: 10_000_000,
    meaning:
      'a node is reported when images no pod on it uses take at least this many MB (default: the seed’s 50 MB image target)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    checks: Type.Optional(
      Type.Array(
        Type.Union([Type.Literal('cache.unused-node-image'), Type.Literal('cache.stale-cache-tag')]),
        {
          uniqueItems: true,
        },
      ),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

/**
 * Every pod bound to a node, whatever its phase: the containers of a finished pod still exist on the
 * node until the pod is deleted, and the kubelet's image GC keeps their images too.
 */
function podsOnNodes(pods: readonly KubeObject[]): PodOnNode[] {
  return pods.map((p) => {
    const spec = p.spec as
      | {
          nodeName?: string;
          containers?: { name: string; image?: string }[];
          initContainers?: { name: string; image?: string }[];
        }
      | undefined;
    const status = p.status as
      | {
          containerStatuses?: { name: string; imageID?: string }[];
          initContainerStatuses?: { name: string; imageID?: string }[];
        }
      | undefined;
    const statuses = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
    return {
      nodeName: spec?.nodeName,
      containers: [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
        .filter((c) => c.image)
        .map((c) => ({
          image: c.image as string,
          imageID: statuses.find((s) => s.name === c.name)?.imageID,
        })),
    };
  });
}

export default defineBot({
  name: NAME,
  category: 'container',
  tier: 'medium',
  summary:
    'Build and image caches: registry build-cache tags past retention (deleted by digest, dry-run first), and per node the image bytes no pod on that node uses, with the disk reclaimable',
  triggers: { cron: '0 4 * * *', http: true },
  rbac: [...SAFETY_RAILS_RBAC, { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['list'] }],
  mutates: true,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const wants = (check: string): boolean => !input.checks || input.checks.includes(check as never);
    const snap = await takeSnapshot(ctx, KINDS);
    const findings: Finding[] = [...snap.findings];
    const errors: ReportError[] = [...snap.errors];
    const pods = podsOnNodes(snap.objects.pods);

    let reclaimable = 0;
    if (wants('cache.unused-node-image') && !snap.failed.has('pods')) {
      for (const cache of nodeCaches(snap.objects.nodes as unknown as NodeLike[], pods)) {
        const draft = nodeCacheDraft(cache, ctx.settings.nodeMinMb * 1_000_000);
        if (!draft) continue;
        reclaimable += cache.unusedBytes;
        findings.push(finding({ bot: NAME, ...draft }));
      }
    }

    let cacheTags = 0;
    if (wants('cache.stale-cache-tag')) {
      if (!ctx.settings.registryUrl) {
        findings.push(registryUnconfigured(NAME, 'build-cache tags in the registry are not checked'));
      } else {
        cacheTags = await registryCaches(ctx, pods, snap.failed.size > 0, findings, errors);
      }
    }
    return {
      summary: `${snap.objects.nodes.length} nodes, ${(reclaimable / 1e9).toFixed(2)} GB of unused images on the reported nodes; ${cacheTags} stale build-cache manifests`,
      findings,
      errors,
      data: { reclaimableBytes: reclaimable, staleCacheManifests: cacheTags },
    };
  },
});

async function registryCaches(
  ctx: Context<Settings>,
  pods: PodOnNode[],
  blind: boolean,
  findings: Finding[],
  errors: ReportError[],
): Promise<number> {
  let pattern: RegExp;
  try {
    pattern = new RegExp(ctx.settings.tagPattern, 'i');
  } catch (error) {
    errors.push({ code: 'config-invalid', message: `ECO_CACHE_TAG_PATTERN: ${(error as Error).message}` });
    return 0;
  }
  let registry: ConfiguredRegistry;
  try {
    registry = await registryFromSettings(
      ctx.settings.registryUrl ?? '',
      ctx.settings.registryCredentials,
      ctx.signal,
    );
  } catch (error) {
    errors.push(registryReportError(error, `read ${REGISTRY_CREDENTIALS_ENV}`));
    return 0;
  }
  const inUse = inUseFrom(
    pods.flatMap((p) => p.containers),
    registry.host,
  );
  let repositories: string[];
  try {
    repositories = await registry.client.listRepositories();
  } catch (error) {
    errors.push(registryReportError(error, 'list repositories'));
    return 0;
  }
  let stale = 0;
  for (const repository of repositories) {
    let plan;
    try {
      const tags = await registry.client.listTags(repository);
      if (!tags.some((t) => isCacheTag(repository, t, pattern))) continue;
      plan = planCacheTags(
        await describeTags(registry.client, repository, tags),
        inUse,
        ctx.settings.retention,
        ctx.now(),
        pattern,
      );
    } catch (error) {
      errors.push(registryReportError(error, `describe ${repository}`));
      continue;
    }
    for (const entry of digestsToDelete(plan)) {
      stale++;
      const target = {
        apiVersion: 'eco.bsw-arch.org/v1',
        kind: 'RegistryManifest',
        name: `${registry.host}/${repository}@${entry.digest}`,
      };
      const tag = plan.find((t) => t.digest === entry.digest);
      findings.push(
        finding({
          bot: NAME,
          check: 'cache.stale-cache-tag',
          severity: 'info',
          object: target,
          message: `build cache ${entry.tags.map((t) => `${repository}:${t}`).join(', ')} is ${tag?.ageDays ?? '?'} days old, past the ${Math.round(ctx.settings.retention / 86_400_000)}-day retention`,
          evidence: {
            repository,
            digest: entry.digest,
            tags: entry.tags,
            created: tag?.created,
            compressedBytes: entry.bytes,
          },
          fix: `deleted by ${NAME} in apply mode; then run the registry's garbage collection to free the space`,
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
        `build cache past retention: ${entry.tags.join(', ')}`,
        async () => {
          try {
            await registry.client.deleteManifest(repository, entry.digest);
          } catch (error) {
            if (isRegistryError(error) && error.kind === 'not-found') return { alreadyGone: true };
            throw error;
          }
          return { deleted: entry.digest };
        },
        { before: { registry: registry.host, repository, digest: entry.digest, tags: entry.tags } },
      );
    }
  }
  return stale;
}
