// eco-image-bot: image policy and size per workload and container. Read-only.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  createRegistryAllowList,
  defineBot,
  finding,
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
  ReportError,
  RunResult,
  SettingValues,
} from '../../shared/index.ts';
import { analyseImages, type AnalyseInput } from './analyse.ts';

const NAME = 'eco-image-bot';
const KINDS = {
  pods: resources.pods,
  replicaSets: resources.replicasets,
  jobs: resources.jobs,
  nodes: resources.nodes,
};

const SETTINGS = {
  maxMb: setting.number({
    env: 'ECO_IMAGE_MAX_MB',
    default: 50,
    min: 1,
    max: 100_000,
    meaning:
      'image size target in MB (the seed: 50); larger images are a finding (Kyverno block-large-images)',
  }),
  allowedRegistries: setting.list({
    env: 'ECO_IMAGE_REGISTRIES',
    meaning:
      'allowed registries (host[:port], *.suffix), comma-separated; unset: any registry but the cloud providers’ (Popeye POP-113)',
  }),
  registryUrl: setting.url({
    env: REGISTRY_URL_ENV,
    meaning: 'the self-hosted OCI registry: image sizes from its manifests, the base image from its configs',
  }),
  registryCredentials: setting.file({
    env: REGISTRY_CREDENTIALS_ENV,
    meaning: 'registry credentials: a Docker config.json / .dockerconfigjson, or a user:password line',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    /** Override the size target for this run (MB). */
    maxMb: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

export default defineBot({
  name: NAME,
  category: 'container',
  tier: 'medium',
  summary:
    'Images against the seed’s rules: size over the 50 MB target (registry manifests, else node status.images), :latest or untagged, not pinned by digest, registries outside the allow-list and the cloud providers’ (Popeye 100/101/113, Kyverno), non-Wolfi bases',
  triggers: { cron: '0 * * * *', http: true, alerts: ['ContainerSize'] },
  rbac: [
    { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list'] },
  ],
  mutates: false,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const findings: Finding[] = [...snap.findings];
    const errors: ReportError[] = [...snap.errors];
    let registry: ConfiguredRegistry | undefined;
    if (!ctx.settings.registryUrl) {
      findings.push(
        registryUnconfigured(NAME, 'sizes come from the nodes only and base images are not checked'),
      );
    } else {
      try {
        registry = await registryFromSettings(
          ctx.settings.registryUrl,
          ctx.settings.registryCredentials,
          ctx.signal,
        );
      } catch (error) {
        errors.push(registryReportError(error, `read ${REGISTRY_CREDENTIALS_ENV}`));
      }
    }
    const allowed = ctx.settings.allowedRegistries;
    const maxMb = input.maxMb ?? ctx.settings.maxMb;
    const result = await analyseImages({
      pods: [...snap.objects.pods],
      replicaSets: [...snap.objects.replicaSets],
      jobs: [...snap.objects.jobs],
      nodes: snap.objects.nodes as AnalyseInput['nodes'],
      policy: {
        allowed: allowed && allowed.length > 0 ? createRegistryAllowList(allowed) : undefined,
        allowedPatterns: allowed ?? [],
      },
      maxBytes: maxMb * 1_000_000,
      registry,
    });
    findings.push(...result.drafts.map((draft) => finding({ bot: NAME, ...draft })));
    errors.push(...result.errors);
    const count = (check: string): number => result.drafts.filter((d) => d.check === check).length;
    return {
      summary:
        `${result.images} images: ${count('image.too-large')} over ${maxMb} MB, ${count('image.latest-tag') + count('image.untagged')} latest/untagged, ` +
        `${count('image.not-pinned')} not pinned, ${count('image.cloud-registry') + count('image.registry-not-allowed')} from forbidden registries, ` +
        `${count('image.non-wolfi-base')} non-Wolfi`,
      findings,
      errors,
      data: { images: result.images, maxMb, registry: registry?.host ?? null, sizes: result.sizes },
    };
  },
});
