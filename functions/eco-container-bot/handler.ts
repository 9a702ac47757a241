// eco-container-bot: crash loops, image pull failures, OOM kills, pods stuck Terminating, bare pods,
// restarts over Popeye's 5; force-deletes pods stuck Terminating (no finalizer) and rolls a workload
// whose pods crash-loop past a threshold, at most once per 4 h (Robusta's rate limit), through the rails.
import {
  ConfigError,
  createOwnerIndex,
  defineBot,
  finding,
  isK8sApiError,
  resources,
} from '../../shared/index.ts';
import type {
  Action,
  Context,
  Finding,
  KubeObject,
  OwnerIndex,
  ReportError,
  ResourceType,
  RunResult,
} from '../../shared/index.ts';
import {
  DEFAULT_CONTAINER_CONFIG,
  checkPod,
  containerStatuses,
  decideRestart,
  isCrashLooping,
  restartPatch,
  terminatingOverdueMs,
  type ContainerConfig,
  type Pod,
} from './checks.ts';
import { InputSchema, type Input } from './schema.ts';

const NAME = 'eco-container-bot';
const RESTARTABLE: Record<string, ResourceType> = {
  Deployment: resources.deployments,
  StatefulSet: resources.statefulsets,
  DaemonSet: resources.daemonsets,
};

type Env = Readonly<Record<string, string | undefined>>;

function intSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `"${raw}" is not a whole number from ${min} to ${max}`);
  }
  return n;
}

export function containerSettings(env: Env): ContainerConfig & { restartThreshold: number } {
  return {
    restartLimit: intSetting(
      env,
      'ECO_CONTAINER_RESTART_LIMIT',
      DEFAULT_CONTAINER_CONFIG.restartLimit,
      0,
      10_000,
    ),
    crashLoopRestarts: DEFAULT_CONTAINER_CONFIG.crashLoopRestarts,
    stuckAfterMs: intSetting(env, 'ECO_CONTAINER_STUCK_MINUTES', 5, 0, 10_080) * 60_000,
    restartThreshold: intSetting(env, 'ECO_CONTAINER_ROLL_AFTER_RESTARTS', 10, 1, 10_000),
  };
}

function apiError(error: unknown, what: string): ReportError {
  if (isK8sApiError(error))
    return { code: `k8s-${error.reason.toLowerCase()}`, message: `${what}: ${error.serverMessage}` };
  return { code: 'k8s-unavailable', message: `${what}: ${(error as Error).message}` };
}

export default defineBot({
  name: NAME,
  category: 'container',
  tier: 'medium',
  summary:
    'Container lifecycle (Popeye 200-209, Robusta, k8s-cleaner): crash loops, ImagePullBackOff, OOMKilled, pods stuck Terminating, bare pods, restarts over 5; force-deletes stuck pods and rolls crash-looping workloads (rate-limited)',
  triggers: {
    cron: '*/10 * * * *',
    http: true,
    alerts: ['KubePodCrashLooping', 'KubePodNotReady', 'KubeContainerWaiting'],
  },
  rbac: [
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'get', 'delete'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'daemonsets'],
      verbs: ['get', 'patch'],
    },
  ],
  mutates: true,
  input: InputSchema,
  env: {
    ECO_CONTAINER_RESTART_LIMIT: 'restarts over this are a finding (Popeye 205; default 5)',
    ECO_CONTAINER_STUCK_MINUTES:
      'minutes past its grace period before a Terminating pod counts as stuck (default 5)',
    ECO_CONTAINER_ROLL_AFTER_RESTARTS:
      'a crash-looping container with this many restarts gets its workload rolled, at most once per 4 h (default 10)',
  },

  async run(input: Input, ctx: Context): Promise<RunResult> {
    const settings = containerSettings(ctx.env);
    const threshold = input.restartThreshold ?? settings.restartThreshold;
    const now = ctx.now();
    const errors: ReportError[] = [];
    const scope = input.namespace ? { namespace: input.namespace } : {};

    const pods: Pod[] = [];
    try {
      for await (const pod of ctx.k8s.list<Pod>(resources.pods, scope)) pods.push(pod);
    } catch (error) {
      errors.push(apiError(error, 'list pods'));
    }
    const findings: Finding[] = [];
    const stuck: Pod[] = [];
    const crashing = new Map<
      string,
      { kind: string; name: string; namespace: string; maxRestarts: number; pods: string[] }
    >();
    let owners: OwnerIndex | undefined;

    for (const pod of pods) {
      for (const draft of checkPod(pod, now, settings)) findings.push(finding({ bot: NAME, ...draft }));
      const overdue = terminatingOverdueMs(pod, now);
      if (overdue !== undefined && overdue > settings.stuckAfterMs && !pod.metadata.finalizers?.length)
        stuck.push(pod);
      const looping = containerStatuses(pod).filter((s) => isCrashLooping(s, settings));
      if (looping.length === 0) continue;
      if (!owners) {
        // Read once, and only when something crash-loops: the Deployment is behind the ReplicaSet.
        const replicaSets: KubeObject[] = [];
        try {
          for await (const rs of ctx.k8s.list(resources.replicasets, scope)) replicaSets.push(rs);
        } catch (error) {
          errors.push(apiError(error, 'list replicasets'));
        }
        owners = createOwnerIndex({ replicaSets });
      }
      const workload = owners.workloadOf(pod);
      if (!RESTARTABLE[workload.kind] || !workload.namespace) continue;
      const key = `${workload.kind}/${workload.namespace}/${workload.name}`;
      const entry = crashing.get(key) ?? {
        kind: workload.kind,
        name: workload.name,
        namespace: workload.namespace,
        maxRestarts: 0,
        pods: [],
      };
      entry.maxRestarts = Math.max(entry.maxRestarts, ...looping.map((s) => s.restartCount ?? 0));
      entry.pods.push(pod.metadata.name);
      crashing.set(key, entry);
    }

    const actions: Action[] = [];
    const remediate = input.remediate !== false;
    if (remediate) {
      for (const pod of stuck) {
        actions.push(
          await ctx.safety.delete(
            resources.pods,
            pod,
            'stuck Terminating past its grace period with no finalizer: force delete',
            {
              eventReason: 'EcoStuckPodDeleted',
            },
          ),
        );
      }
      for (const entry of crashing.values()) {
        const type = RESTARTABLE[entry.kind]!;
        let workload: KubeObject | undefined;
        try {
          workload = await ctx.k8s.get(type, entry.name, entry.namespace);
        } catch (error) {
          errors.push(apiError(error, `get ${entry.kind} ${entry.namespace}/${entry.name}`));
          continue;
        }
        if (!workload) continue;
        const template = (
          workload.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined
        )?.template;
        const decision = decideRestart({
          maxRestarts: entry.maxRestarts,
          threshold,
          templateAnnotations: template?.metadata?.annotations,
          now,
        });
        if (!decision.restart) {
          actions.push({
            verb: 'restart',
            object: { apiVersion: 'apps/v1', kind: entry.kind, namespace: entry.namespace, name: entry.name },
            status: 'skipped',
            reason: decision.reason,
          });
          continue;
        }
        actions.push(
          await ctx.safety.patch(
            type,
            workload,
            restartPatch(now),
            'strategic',
            `rollout restart: ${decision.reason} (pods ${entry.pods.join(', ')})`,
            {
              eventReason: 'EcoCrashLoopRestart',
            },
          ),
        );
      }
    }

    const count = (check: string): number => findings.filter((f) => f.check === check).length;
    return {
      summary:
        `${pods.length} pods: ${count('container.crashloop')} crash-looping, ${count('container.image-pull')} image pull failures, ` +
        `${count('container.oom-killed')} OOMKilled, ${count('container.stuck-terminating')} stuck Terminating, ${count('container.bare-pod')} bare, ` +
        `${count('container.restarts')} over ${settings.restartLimit} restarts; ${actions.filter((a) => a.status === 'applied' || a.status === 'planned').length} actions`,
      findings,
      actions,
      errors,
      data: {
        pods: pods.length,
        thresholds: {
          restartLimit: settings.restartLimit,
          stuckMinutes: settings.stuckAfterMs / 60_000,
          rollAfterRestarts: threshold,
        },
      },
    };
  },
});
