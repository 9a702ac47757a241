// eco-build-bot: builds a container image as a Kubernetes Job (rootless BuildKit) from a build
// request, follows the Job (within the invocation) and reports the digest and size; `{ job }` follows
// a build started earlier; `{}` reports the bot's recent builds and the failed ones.
import { createHash } from 'node:crypto';
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  ValidationError,
  defineBot,
  finding,
  labelSelector,
  parseImageReference,
  registryFromSettings,
  registryReportError,
  reportErrorFrom,
  resources,
  setting,
  REGISTRY_CREDENTIALS_ENV,
  REGISTRY_URL_ENV,
} from '../../shared/index.ts';
import type {
  Context,
  Finding,
  KubeObject,
  ReportError,
  RunResult,
  SettingValues,
} from '../../shared/index.ts';
import {
  BUILD_LABEL,
  BUILDKIT_IMAGE,
  REQUESTED_IMAGE_ANNOTATION,
  BuildRequestError,
  buildJob,
  buildOutcome,
  type BuildOutcome,
} from './job.ts';

const NAME = 'eco-build-bot';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';

const SETTINGS = {
  namespace: setting.string({
    env: 'ECO_BUILD_NAMESPACE',
    default: 'eco-builds',
    pattern: new RegExp(DNS_LABEL),
    meaning: 'namespace the build Jobs run in',
  }),
  pushSecret: setting.string({
    env: 'ECO_BUILD_PUSH_SECRET',
    pattern: new RegExp(DNS_LABEL),
    meaning:
      'a kubernetes.io/dockerconfigjson Secret in that namespace with push credentials (unset: push anonymously)',
  }),
  insecureRegistries: setting.list({
    env: 'ECO_BUILD_INSECURE_REGISTRIES',
    default: [],
    meaning: 'registries (host[:port]) reached over plain HTTP',
  }),
  buildkitImage: setting.string({
    env: 'ECO_BUILD_BUILDKIT_IMAGE',
    default: BUILDKIT_IMAGE,
    meaning: 'the rootless BuildKit image the Job runs',
  }),
  wait: setting.duration({
    env: 'ECO_BUILD_WAIT',
    default: '45s',
    min: '0s',
    max: '15m',
    meaning:
      'how long one invocation follows the Job before answering "running" (stays below the invocation timeout)',
  }),
  registryUrl: setting.url({
    env: REGISTRY_URL_ENV,
    meaning: 'the registry builds push to: the built image’s size is read from its manifest',
  }),
  registryCredentials: setting.file({
    env: REGISTRY_CREDENTIALS_ENV,
    meaning: 'registry credentials: a Docker config.json / .dockerconfigjson, or a user:password line',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    /** A git URL (https://host/org/repo.git#ref) or configmap:<name> holding the build context. */
    context: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    dockerfile: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    /** registry/repository:tag to push to. */
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    buildArgs: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 4096 }))),
    target: Type.Optional(Type.String({ maxLength: 128 })),
    /** Follow a build started earlier. */
    job: Type.Optional(Type.String({ pattern: DNS_LABEL })),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

/** A Job name from the image and the request: the same request within a minute is the same Job. */
export function jobName(image: string, request: unknown, now: Date): string {
  const ref = parseImageReference(image);
  const base = `build-${ref.repository.split('/').pop() ?? 'image'}-${ref.tag ?? 'latest'}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 50)
    .replace(/-+$/, '');
  const minute = Math.floor(now.getTime() / 60_000);
  const hash = createHash('sha256')
    .update(JSON.stringify([request, minute]))
    .digest('hex')
    .slice(0, 8);
  return `${base}-${hash}`;
}

export default defineBot({
  name: NAME,
  category: 'container',
  tier: 'large',
  summary:
    'Builds container images as Kubernetes Jobs (rootless BuildKit, non-root, not privileged) from a build request, follows them and reports digest and size',
  triggers: { http: true, events: ['org.bsw-arch.eco.build.requested.v1'], cron: '*/30 * * * *' },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
  ],
  mutates: true,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const namespace = ctx.settings.namespace;
    const errors: ReportError[] = [];
    if (input.job) return follow(ctx, input.job, errors);
    if (input.context === undefined && input.image === undefined) return recentBuilds(ctx, errors);
    if (input.context === undefined || input.image === undefined) {
      throw new BuildRequestError(
        input.context === undefined ? 'context' : 'image',
        'required for a build request',
      );
    }
    const request = {
      context: input.context,
      image: input.image,
      dockerfile: input.dockerfile,
      buildArgs: input.buildArgs,
      target: input.target,
    };
    let name: string;
    let job: Record<string, unknown>;
    try {
      name = jobName(input.image, request, ctx.now());
      job = buildJob(request, {
        namespace,
        name,
        pushSecret: ctx.settings.pushSecret,
        insecureRegistries: ctx.settings.insecureRegistries,
        buildkitImage: ctx.settings.buildkitImage,
      });
    } catch (error) {
      throw invalid(error);
    }
    const action = await ctx.safety.create(
      resources.jobs,
      job as KubeObject,
      `build ${input.image} from ${input.context}`,
      {
        eventReason: 'EcoBuildStarted',
      },
    );
    if (action.status === 'planned') {
      return {
        summary: `dry-run: would start Job ${namespace}/${name} to build ${input.image}`,
        findings: [],
        data: { job: name, namespace, image: input.image, state: 'planned' },
      };
    }
    if (action.status !== 'applied' && action.reason !== 'already-exists') {
      return {
        summary: `build Job not started: ${action.reason}`,
        findings: [],
        errors,
        data: { job: name, state: 'not-started' },
      };
    }
    return follow(ctx, name, errors);
  },
});

/** A bad build request is the caller's error: 400 naming the field. */
function invalid(error: unknown): unknown {
  if (error instanceof BuildRequestError) {
    return new ValidationError(`invalid options: ${error.message}`, {
      issues: [{ path: `/${error.field}`, message: error.message }],
    });
  }
  if (error instanceof Error && error.name === 'ImageReferenceError') {
    return new ValidationError(`invalid options: image: ${error.message}`, {
      issues: [{ path: '/image', message: error.message }],
    });
  }
  return error;
}

async function follow(ctx: Context<Settings>, name: string, errors: ReportError[]): Promise<RunResult> {
  const namespace = ctx.settings.namespace;
  const deadline = Date.now() + ctx.settings.wait;
  let outcome: BuildOutcome = { state: 'running' };
  let job: KubeObject | undefined;
  for (;;) {
    try {
      job = await ctx.k8s.get(resources.jobs, name, namespace);
    } catch (error) {
      errors.push(reportErrorFrom(error, `get job ${namespace}/${name}`));
      return { summary: `build ${name}: unknown (the Job could not be read)`, findings: [], errors };
    }
    if (!job) {
      return {
        summary: `build ${name}: no such Job in ${namespace}`,
        findings: [],
        errors: [...errors, { code: 'not-found', message: `job ${namespace}/${name} not found` }],
      };
    }
    const pod = await buildPod(ctx, name, errors);
    outcome = buildOutcome(
      job as Parameters<typeof buildOutcome>[0],
      pod as Parameters<typeof buildOutcome>[1],
    );
    if (outcome.state !== 'running' || Date.now() >= deadline || ctx.signal.aborted) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, Math.max(0, deadline - Date.now()))));
  }
  const image = job.metadata.annotations?.[REQUESTED_IMAGE_ANNOTATION];
  const findings: Finding[] = [];
  const data: Record<string, unknown> = { job: name, namespace, image, state: outcome.state };
  if (outcome.state === 'failed') {
    findings.push(failedFinding(job, outcome.reason));
  }
  if (outcome.state === 'succeeded') {
    data.digest = outcome.digest;
    if (image && outcome.digest) Object.assign(data, await sizeOf(ctx, image, outcome.digest, errors));
  }
  return {
    summary:
      outcome.state === 'succeeded'
        ? `built ${image ?? name}${outcome.digest ? `@${outcome.digest}` : ''}${typeof data.compressedBytes === 'number' ? ` (${(data.compressedBytes / 1e6).toFixed(1)} MB)` : ''}`
        : outcome.state === 'failed'
          ? `build ${name} failed: ${outcome.reason ?? 'unknown reason'}`
          : `build ${name} still running; invoke with { "job": "${name}" } to follow it`,
    findings,
    errors,
    data,
  };
}

async function buildPod(
  ctx: Context<Settings>,
  name: string,
  errors: ReportError[],
): Promise<KubeObject | undefined> {
  try {
    for await (const pod of ctx.k8s.list(resources.pods, {
      namespace: ctx.settings.namespace,
      labelSelector: labelSelector({ [BUILD_LABEL]: name }),
    }))
      return pod;
  } catch (error) {
    errors.push(reportErrorFrom(error, `list pods of job ${name}`));
  }
  return undefined;
}

async function sizeOf(
  ctx: Context<Settings>,
  image: string,
  digest: string,
  errors: ReportError[],
): Promise<Record<string, unknown>> {
  if (!ctx.settings.registryUrl) return {};
  try {
    const registry = await registryFromSettings(
      ctx.settings.registryUrl,
      ctx.settings.registryCredentials,
      ctx.signal,
    );
    const ref = parseImageReference(image);
    if (ref.registry !== registry.host) return {};
    const size = await registry.client.imageSize(ref.repository, digest);
    return {
      compressedBytes: Math.max(...size.platforms.map((p) => p.bytes)),
      platforms: size.platforms.map((p) => ({ platform: p.platform, bytes: p.bytes })),
    };
  } catch (error) {
    errors.push(registryReportError(error, `size of ${image}@${digest}`));
    return {};
  }
}

function failedFinding(job: KubeObject, reason: string | undefined): Finding {
  return finding({
    bot: NAME,
    check: 'build.failed',
    severity: 'warning',
    object: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: job.metadata.namespace ?? '',
      name: job.metadata.name,
    },
    message: `the build of ${job.metadata.annotations?.[REQUESTED_IMAGE_ANNOTATION] ?? job.metadata.name} failed: ${reason ?? 'unknown reason'}`,
    evidence: { image: job.metadata.annotations?.[REQUESTED_IMAGE_ANNOTATION], reason, status: job.status },
    fix: `kubectl logs -n ${job.metadata.namespace ?? ''} job/${job.metadata.name}: fix the Dockerfile or the context, then request the build again`,
  });
}

/** `{}`: the bot's builds in its namespace, failed ones as findings. */
async function recentBuilds(ctx: Context<Settings>, errors: ReportError[]): Promise<RunResult> {
  const findings: Finding[] = [];
  const states: Record<string, number> = { running: 0, succeeded: 0, failed: 0 };
  try {
    for await (const job of ctx.k8s.list(resources.jobs, {
      namespace: ctx.settings.namespace,
      labelSelector: labelSelector({ 'app.kubernetes.io/managed-by': NAME }),
    })) {
      const outcome = buildOutcome(job as Parameters<typeof buildOutcome>[0]);
      states[outcome.state] = (states[outcome.state] ?? 0) + 1;
      if (outcome.state === 'failed') findings.push(failedFinding(job, outcome.reason));
    }
  } catch (error) {
    errors.push(reportErrorFrom(error, `list jobs in ${ctx.settings.namespace}`));
  }
  return {
    summary: `builds in ${ctx.settings.namespace}: ${states.running} running, ${states.succeeded} succeeded, ${states.failed} failed`,
    findings,
    errors,
    data: { builds: states },
  };
}
