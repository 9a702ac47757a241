import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  REGISTRY_CREDENTIALS_ENV,
  REGISTRY_URL_ENV,
  SAFETY_RAILS_RBAC,
  defineBot,
  finding,
  objectRef,
  parseImageReference,
  registryFromSettings,
  registryReportError,
  registryUnconfigured,
  reportErrorFrom,
  resources,
  setting,
  type Context,
  type Finding,
  type KubeObject,
  type ReportError,
  type RunResult,
  type SettingValues,
} from '../../shared/index.ts';
import { newestPatch, rolloutOf } from './patches.ts';

const NAME = 'eco-patch-bot';
/** The images before the bot's patch, per container (JSON), kept until the rollout is judged. */
export const PREVIOUS_ANNOTATION = 'eco.bsw-arch.org/patch-previous-images';

const SETTINGS = {
  registryUrl: setting.url({
    env: REGISTRY_URL_ENV,
    meaning:
      'the registry whose images are patched: newer patch tags are read from it (images of other registries are left alone)',
  }),
  registryCredentials: setting.file({
    env: REGISTRY_CREDENTIALS_ENV,
    meaning: 'registry credentials: a Docker config.json / .dockerconfigjson, or a user:password line',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  { namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })) },
  { additionalProperties: false },
);
type InputT = Static<typeof Input>;

interface Container {
  name: string;
  image?: string;
}
const containersOf = (d: KubeObject): Container[] =>
  (d['spec'] as { template?: { spec?: { containers?: Container[] } } } | undefined)?.template?.spec
    ?.containers ?? [];

function withImages(d: KubeObject, images: Record<string, string>): Container[] {
  return containersOf(d).map((c) => {
    const image = images[c.name];
    return image === undefined ? c : { ...c, image };
  });
}

function previousOf(d: KubeObject): Record<string, string> | undefined {
  const raw = d.metadata.annotations?.[PREVIOUS_ANNOTATION];
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, string>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A Deployment this bot patched earlier: judge its rollout, roll back a failed one, forget a complete one. */
async function followUp(
  ctx: Context<Settings>,
  d: KubeObject,
  previous: Record<string, string>,
  findings: Finding[],
): Promise<void> {
  const rollout = rolloutOf(d);
  const ref = `${d.metadata.namespace ?? ''}/${d.metadata.name}`;
  if (rollout === 'progressing') return;
  if (rollout === 'complete') {
    await ctx.safety.patch(
      resources.deployments,
      d,
      { metadata: { annotations: { [PREVIOUS_ANNOTATION]: null } } },
      'merge',
      `rollout of the patch on ${ref} complete`,
    );
    return;
  }
  const failed = containersOf(d)
    .filter((c) => previous[c.name] !== undefined)
    .map((c) => ({ container: c.name, image: c.image, previous: previous[c.name] }));
  // A rollback restores the state before the bot's own change: not held by windows or freezes.
  const action = await ctx.safety.patch(
    resources.deployments,
    d,
    {
      metadata: { annotations: { [PREVIOUS_ANNOTATION]: null } },
      spec: { template: { spec: { containers: withImages(d, previous) } } },
    },
    'merge',
    `roll back ${ref}: the rollout of the patched image exceeded its progress deadline`,
    { disruptive: false, eventReason: 'EcoPatchRolledBack' },
  );
  const progressing = (
    (d['status'] as { conditions?: { type: string; message?: string }[] } | undefined)?.conditions ?? []
  ).find((c) => c.type === 'Progressing');
  findings.push(
    finding({
      bot: NAME,
      check: 'patch.rollout-failed',
      severity: 'warning',
      object: objectRef(d, resources.deployments),
      message: `The patched image of Deployment ${ref} did not roll out within its progress deadline; ${action.status === 'applied' ? 'it was rolled back' : `roll back ${action.status}`} to the previous image.`,
      evidence: {
        containers: failed,
        progressDeadlineSeconds:
          (d['spec'] as { progressDeadlineSeconds?: number }).progressDeadlineSeconds ?? 600,
        condition: progressing?.message ?? null,
        rollback: action.status,
      },
      fix: `look at the new pods' events and logs (kubectl -n ${d.metadata.namespace ?? ''} describe rs -l ...) before the patch release is tried again; annotate eco.bsw-arch.org/exclude: "true" to keep the bot away`,
    }),
  );
}

export default defineBot({
  name: NAME,
  category: 'maintenance',
  tier: 'medium',
  summary:
    'Newer patch releases (semver tags of the same major.minor in the registry) for running images, resolved to digests (Kyverno resolve-image-to-digest); inside a maintenance window updates the Deployment to the new digest, follows the rollout (Progressing / progressDeadlineSeconds) and rolls back a failed one; outside a window plans only',
  triggers: { cron: '23 */6 * * *', http: true },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'patch'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,

  async run(input: InputT, ctx: Context<Settings>): Promise<RunResult> {
    const findings: Finding[] = [];
    const errors: ReportError[] = [];
    const deployments: KubeObject[] = [];
    try {
      for await (const d of ctx.k8s.list(
        resources.deployments,
        input.namespace ? { namespace: input.namespace } : {},
      ))
        deployments.push({ apiVersion: 'apps/v1', kind: 'Deployment', ...d });
    } catch (error) {
      errors.push(reportErrorFrom(error, 'list deployments'));
      return { summary: 'deployments could not be read', findings, errors };
    }
    // Rollouts the bot started come first: a failed one is rolled back even without a registry.
    let following = 0;
    for (const d of deployments) {
      const previous = previousOf(d);
      if (previous) {
        following++;
        await followUp(ctx, d, previous, findings);
      }
    }
    if (!ctx.settings.registryUrl) {
      findings.push(registryUnconfigured(NAME, 'no image is checked for newer patch releases'));
      return { summary: `registry not configured; ${following} patched rollouts followed`, findings, errors };
    }
    const { client, host } = await registryFromSettings(
      ctx.settings.registryUrl,
      ctx.settings.registryCredentials,
      ctx.signal,
    );
    const tagsOf = new Map<string, Promise<string[]>>();
    let checked = 0;
    for (const d of deployments) {
      if (previousOf(d)) continue; // one change at a time per Deployment
      const updates: Record<string, string> = {};
      const evidence: Record<string, unknown>[] = [];
      for (const c of containersOf(d)) {
        if (!c.image) continue;
        let ref;
        try {
          ref = parseImageReference(c.image);
        } catch {
          continue;
        }
        if (ref.registry !== host || ref.tag === undefined) continue;
        checked++;
        let tags = tagsOf.get(ref.repository);
        if (!tags) tagsOf.set(ref.repository, (tags = client.listTags(ref.repository)));
        let candidate: string | undefined;
        let digest: string;
        try {
          candidate = newestPatch(ref.tag, await tags);
          if (!candidate) continue;
          digest = (await client.headManifest(ref.repository, candidate)).digest;
        } catch (error) {
          errors.push(registryReportError(error, `${ref.repository}:${ref.tag}`));
          continue;
        }
        updates[c.name] = `${host}/${ref.repository}:${candidate}@${digest}`;
        evidence.push({ container: c.name, current: c.image, tag: candidate, digest });
      }
      if (evidence.length === 0) continue;
      const ref = `${d.metadata.namespace ?? ''}/${d.metadata.name}`;
      const previous = Object.fromEntries(
        containersOf(d)
          .filter((c) => updates[c.name])
          .map((c) => [c.name, c.image ?? '']),
      );
      const action = await ctx.safety.patch(
        resources.deployments,
        d,
        {
          metadata: { annotations: { [PREVIOUS_ANNOTATION]: JSON.stringify(previous) } },
          spec: { template: { spec: { containers: withImages(d, updates) } } },
        },
        'merge',
        `patch release: ${evidence.map((e) => `${String(e['container'])} -> ${String(e['tag'])}`).join(', ')}`,
        { disruptive: true, eventReason: 'EcoPatchImage' },
      );
      findings.push(
        finding({
          bot: NAME,
          check: 'patch.available',
          severity: 'info',
          object: objectRef(d, resources.deployments),
          message: `Deployment ${ref} runs ${evidence.map((e) => String(e['current'])).join(', ')}; a newer patch release is in the registry (${evidence.map((e) => String(e['tag'])).join(', ')}).`,
          evidence: {
            updates: evidence,
            action: action.status,
            ...(action.reason ? { reason: action.reason } : {}),
          },
          fix: `${NAME} updates it to the digest inside a maintenance window with ECO_MODE=apply; by hand: kubectl -n ${d.metadata.namespace ?? ''} set image deployment/${d.metadata.name} ${evidence.map((e) => `${String(e['container'])}=${updates[String(e['container'])] ?? ''}`).join(' ')}`,
        }),
      );
    }
    return {
      summary: `${deployments.length} deployments, ${checked} images from ${host} checked, ${findings.filter((f) => f.check === 'patch.available').length} with a newer patch release, ${following} patched rollouts followed`,
      findings,
      errors,
    };
  },
});
