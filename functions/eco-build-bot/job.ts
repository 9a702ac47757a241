// A build request turned into a Kubernetes Job that runs rootless BuildKit (buildctl-daemonless),
// pure (unit-tested; the tests validate the Job with kubernetes-models). No anchor tool does this;
// the shape follows BuildKit's own examples/kubernetes/job.rootless.yaml: user 1000, no privileged,
// seccomp and AppArmor Unconfined (rootless BuildKit needs to create user namespaces),
// `--oci-worker-no-process-sandbox`. The image digest comes back through the termination message
// (buildctl's --metadata-file), so the bot needs no log access.
import { parseImageReference, type ImageReference } from '../../shared/index.ts';

export const BUILDKIT_IMAGE = 'docker.io/moby/buildkit:v0.23.2-rootless';
export const BUILD_LABEL = 'eco.bsw-arch/build';
export const REQUESTED_IMAGE_ANNOTATION = 'eco.bsw-arch/image';

export interface BuildRequest {
  /** A git URL (`https://host/org/repo.git#ref:subdir`, `git@…`, `git://…`) or `configmap:<name>`. */
  context: string;
  /** Path of the Dockerfile inside the context (default `Dockerfile`). */
  dockerfile?: string | undefined;
  /** Where to push: `registry/repo:tag`. */
  image: string;
  /** `--build-arg`s. */
  buildArgs?: Record<string, string> | undefined;
  /** Target stage. */
  target?: string | undefined;
}

export type BuildContext = { kind: 'git'; url: string } | { kind: 'configmap'; name: string };

export class BuildRequestError extends Error {
  override readonly name = 'BuildRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const GIT_URL =
  /^(?:https:\/\/[^\s#]+?|git:\/\/[^\s#]+|ssh:\/\/[^\s#]+|git@[^\s:#]+:[^\s#]+)(?:#[\w./:-]*)?$/;

export function parseContext(context: string): BuildContext {
  const trimmed = context.trim();
  if (trimmed.startsWith('configmap:')) {
    const name = trimmed.slice('configmap:'.length);
    if (!DNS_LABEL.test(name) && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
      throw new BuildRequestError('context', `"${name}" is not a ConfigMap name`);
    }
    return { kind: 'configmap', name };
  }
  if (GIT_URL.test(trimmed)) return { kind: 'git', url: trimmed };
  throw new BuildRequestError(
    'context',
    'expected a git URL (https://…/repo.git#ref, git@host:org/repo.git) or configmap:<name>',
  );
}

export function parseTarget(image: string): ImageReference {
  let ref: ImageReference;
  try {
    ref = parseImageReference(image);
  } catch (error) {
    throw new BuildRequestError('image', (error as Error).message);
  }
  if (ref.digest) throw new BuildRequestError('image', 'name a tag to push to, not a digest');
  if (!image.includes('/') || !/[.:]|^localhost/.test(image.split('/')[0] ?? '')) {
    throw new BuildRequestError('image', 'name the registry explicitly (registry.example.com/repo:tag)');
  }
  if (ref.tag === undefined) throw new BuildRequestError('image', 'name a tag (registry/repo:tag)');
  return ref;
}

export function validateDockerfile(path: string | undefined): string {
  const value = path ?? 'Dockerfile';
  if (value.startsWith('/') || value.split('/').includes('..') || !/^[\w./-]+$/.test(value)) {
    throw new BuildRequestError(
      'dockerfile',
      'a relative path inside the context, e.g. Dockerfile or build/Dockerfile',
    );
  }
  return value;
}

export interface JobOptions {
  namespace: string;
  /** Job name (DNS label). */
  name: string;
  /** A `kubernetes.io/dockerconfigjson` Secret with push credentials, mounted for buildctl. */
  pushSecret?: string | undefined;
  /** Registries reached over plain HTTP (`registry.insecure=true`). */
  insecureRegistries?: readonly string[];
  /** Seed tier of the build pod (eco-build-bot's is large). */
  resources?: { requests: Record<string, string>; limits: Record<string, string> };
  activeDeadlineSeconds?: number;
  buildkitImage?: string;
}

/** The seed's large tier. */
export const LARGE_TIER = {
  requests: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '5Gi' },
  limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '5Gi' },
};

/** buildctl arguments: a git context is fetched by BuildKit itself; a ConfigMap is a local dir. */
export function buildctlArgs(request: BuildRequest, target: ImageReference, insecure: boolean): string[] {
  const context = parseContext(request.context);
  const dockerfile = validateDockerfile(request.dockerfile);
  const slash = dockerfile.lastIndexOf('/');
  const dir = slash === -1 ? '.' : dockerfile.slice(0, slash);
  const file = slash === -1 ? dockerfile : dockerfile.slice(slash + 1);
  const args = ['build', '--frontend', 'dockerfile.v0'];
  if (context.kind === 'git') {
    args.push('--opt', `context=${context.url}`, '--opt', `filename=${dockerfile}`);
  } else {
    args.push(
      '--local',
      'context=/workspace',
      '--local',
      `dockerfile=/workspace/${dir}`,
      '--opt',
      `filename=${file}`,
    );
  }
  for (const [key, value] of Object.entries(request.buildArgs ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new BuildRequestError(`buildArgs.${key}`, 'not a valid build argument name');
    args.push('--opt', `build-arg:${key}=${value}`);
  }
  if (request.target) {
    if (!/^[\w.-]+$/.test(request.target)) throw new BuildRequestError('target', 'not a stage name');
    args.push('--opt', `target=${request.target}`);
  }
  const name = `${target.registry}/${target.repository}:${target.tag ?? 'latest'}`;
  args.push(
    '--output',
    `type=image,name=${name},push=true${insecure ? ',registry.insecure=true' : ''}`,
    '--metadata-file',
    '/tmp/build/metadata.json',
  );
  return args;
}

/** The Job; the container's termination message is buildctl's metadata (with `containerimage.digest`). */
export function buildJob(request: BuildRequest, options: JobOptions): Record<string, unknown> {
  const target = parseTarget(request.image);
  const context = parseContext(request.context);
  if (!DNS_LABEL.test(options.name))
    throw new BuildRequestError('name', `"${options.name}" is not a DNS label`);
  const insecure = (options.insecureRegistries ?? []).includes(target.registry);
  const args = buildctlArgs(request, target, insecure);
  const script = `buildctl-daemonless.sh ${args.map(shellQuote).join(' ')} && cat /tmp/build/metadata.json > /dev/termination-log`;
  const volumes: Record<string, unknown>[] = [
    { name: 'buildkitd', emptyDir: {} },
    { name: 'build', emptyDir: {} },
  ];
  const mounts: Record<string, unknown>[] = [
    { name: 'buildkitd', mountPath: '/home/user/.local/share/buildkit' },
    { name: 'build', mountPath: '/tmp/build' },
  ];
  if (context.kind === 'configmap') {
    volumes.push({ name: 'context', configMap: { name: context.name } });
    mounts.push({ name: 'context', mountPath: '/workspace', readOnly: true });
  }
  if (options.pushSecret) {
    volumes.push({
      name: 'push-credentials',
      secret: { secretName: options.pushSecret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] },
    });
    mounts.push({ name: 'push-credentials', mountPath: '/home/user/.docker', readOnly: true });
  }
  const labels = { 'app.kubernetes.io/managed-by': 'eco-build-bot', [BUILD_LABEL]: options.name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels,
      annotations: { [REQUESTED_IMAGE_ANNOTATION]: request.image },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: options.activeDeadlineSeconds ?? 1800,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'Unconfined' },
            appArmorProfile: { type: 'Unconfined' },
          },
          containers: [
            {
              name: 'buildkit',
              image: options.buildkitImage ?? BUILDKIT_IMAGE,
              command: ['sh', '-c', script],
              env: [{ name: 'BUILDKITD_FLAGS', value: '--oci-worker-no-process-sandbox' }],
              resources: options.resources ?? LARGE_TIER,
              securityContext: {
                // Not privileged, not root. Capabilities stay the default and privilege escalation
                // allowed: rootless BuildKit maps its user namespace with the setuid newuidmap.
                privileged: false,
                runAsNonRoot: true,
                runAsUser: 1000,
              },
              terminationMessagePolicy: 'File',
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

function shellQuote(value: string): string {
  return /^[\w./:=,@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface BuildOutcome {
  state: 'running' | 'succeeded' | 'failed';
  digest?: string | undefined;
  reason?: string | undefined;
}

/** Reads a Job (and its pod's termination message) into the build's outcome. */
export function buildOutcome(
  job: {
    status?: {
      succeeded?: number;
      failed?: number;
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
    };
  },
  pod?: {
    status?: {
      containerStatuses?: {
        state?: { terminated?: { message?: string; reason?: string; exitCode?: number } };
      }[];
    };
  },
): BuildOutcome {
  const terminated = pod?.status?.containerStatuses?.[0]?.state?.terminated;
  const failedCondition = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if ((job.status?.succeeded ?? 0) > 0) {
    return { state: 'succeeded', digest: digestFromMetadata(terminated?.message) };
  }
  if (failedCondition || (job.status?.failed ?? 0) > 0) {
    const reason =
      failedCondition?.message ??
      failedCondition?.reason ??
      `exit code ${terminated?.exitCode ?? '?'}: ${terminated?.message?.slice(-300) ?? 'no message'}`;
    return { state: 'failed', reason };
  }
  return { state: 'running' };
}

/** `containerimage.digest` from buildctl's metadata JSON. */
export function digestFromMetadata(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const digest = parsed['containerimage.digest'];
    return typeof digest === 'string' && /^sha256:[a-f0-9]{64}$/.test(digest) ? digest : undefined;
  } catch {
    return undefined;
  }
}
