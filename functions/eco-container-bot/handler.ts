// eco-container-bot: crash loops, image pull failures, OOM kills, pods stuck Terminating, bare pods,
// restarts over Popeye's 5; force-deletes pods stuck Terminating (no finalizer) and rolls a workload
// whose pods crash-loop past a threshold, at most once per 4 h (Robusta's rate limit), through the rails.
import {
  SAFETY_RAILS_RBAC,
  createOwnerIndex,
  defineBot,
  finding,
  reportErrorFrom,
  resources,
  setting,
} from '../../shared/index.ts';
import type {
  Context,
  Finding,
  KubeObject,
  ReportError,
  ResourceType,
  RunResult,
  SettingValues,
} from '../../shared/index.ts';
import {
  DEFAULT_CONTAINER_CONFIG,
  checkPod,
  containerStatuses,
  decideRestart,
  isCrashLooping,
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

const SETTINGS = {
  restartLimit: setting.number({
    env: 'ECO_CONTAINER_RESTART_LIMIT',
    default: DEFAULT_CONTAINER_CONFIG.restartLimit,
    min: 0,
    max: 100_000,
    integer: true,
    meaning: 'restarts over this are a finding (Popeye POP-205: 5)',
  }),
  stuckAfter: setting.duration({
    env: 'ECO_CONTAINER_STUCK_AFTER',
    default: '5m',
    min: '0s',
    max: '7d',
    meaning:
      'how long past its grace period a Terminating pod counts as stuck (and is force-deleted when it has no finalizer)',
  }),
  rollAfterRestarts: setting.number({
    env: 'ECO_CONTAINER_ROLL_AFTER_RESTARTS',
    default: 10,
    min: 1,
    max: 100_000,
    integer: true,
    meaning:
      'a crash-looping container with this many restarts gets its workload rolled, at most once per 4 h (Robusta rate limit)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

export function containerConfig(settings: Settings): ContainerConfig {
  return {
    restartLimit: settings.restartLimit,
    crashLoopRestarts: DEFAULT_CONTAINER_CONFIG.crashLoopRestarts,
    stuckAfterMs: settings.stuckAfter,
  };
}

interface Crashing {
  kind: string;
  name: string;
  namespace: string;
  maxRestarts: number;
  pods: string[];
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
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['pods'], verbs: ['list', 'get', 'delete'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
    {
      apiGroups: ['apps'],
      resources: ['deployments', 'statefulsets', 'daemonsets'],
      verbs: ['get', 'patch'],
    },
  ],
  mutates: true,
  input: InputSchema,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const config = containerConfig(ctx.settings);
    const threshold = input.restartThreshold ?? ctx.settings.rollAfterRestarts;
    const now = ctx.now();
    const errors: ReportError[] = [];
    const scope = input.namespace ? { namespace: input.namespace } : {};

    const pods: Pod[] = [];
    try {
      for await (const pod of ctx.k8s.list<Pod>(resources.pods, scope)) pods.push(pod);
    } catch (error) {
      errors.push(reportErrorFrom(error, 'list pods'));
    }

    const findings: Finding[] = [];
    const stuck: Pod[] = [];
    const looping: Pod[] = [];
    for (const pod of pods) {
      for (const draft of checkPod(pod, now, config)) findings.push(finding({ bot: NAME, ...draft }));
      const overdue = terminatingOverdueMs(pod, now);
      if (overdue !== undefined && overdue > config.stuckAfterMs && !pod.metadata.finalizers?.length)
        stuck.push(pod);
      if (containerStatuses(pod).some((s) => isCrashLooping(s, config))) looping.push(pod);
    }

    if (input.remediate !== false) {
      for (const pod of stuck) {
        await ctx.safety.delete(
          resources.pods,
          pod,
          'Terminating past its grace period and no finalizer holds it: force delete (grace period 0)',
          { gracePeriodSeconds: 0, eventReason: 'EcoStuckPodDeleted' },
        );
      }
      for (const entry of await crashingWorkloads(ctx, looping, scope, config, errors)) {
        await rollIfDue(ctx, entry, threshold, now, errors);
      }
    }

    const count = (check: string): number => findings.filter((f) => f.check === check).length;
    return {
      summary:
        `${pods.length} pods: ${count('container.crashloop')} crash-looping, ${count('container.image-pull')} image pull failures, ` +
        `${count('container.oom-killed')} OOMKilled, ${count('container.stuck-terminating')} stuck Terminating, ` +
        `${count('container.bare-pod')} bare, ${count('container.restarts')} over ${config.restartLimit} restarts`,
      findings,
      errors,
      data: {
        pods: pods.length,
        thresholds: {
          restartLimit: config.restartLimit,
          stuckAfterSeconds: config.stuckAfterMs / 1000,
          rollAfterRestarts: threshold,
        },
      },
    };
  },
});

/** The Deployments/StatefulSets/DaemonSets behind crash-looping pods (ReplicaSets read only if needed). */
async function crashingWorkloads(
  ctx: Context<Settings>,
  looping: Pod[],
  scope: { namespace?: string },
  config: ContainerConfig,
  errors: ReportError[],
): Promise<Crashing[]> {
  if (looping.length === 0) return [];
  const replicaSets: KubeObject[] = [];
  try {
    for await (const rs of ctx.k8s.list(resources.replicasets, scope)) replicaSets.push(rs);
  } catch (error) {
    errors.push(reportErrorFrom(error, 'list replicasets'));
  }
  const owners = createOwnerIndex({ replicaSets });
  const byWorkload = new Map<string, Crashing>();
  for (const pod of looping) {
    const workload = owners.workloadOf(pod);
    if (!RESTARTABLE[workload.kind] || !workload.namespace) continue;
    const key = `${workload.kind}/${workload.namespace}/${workload.name}`;
    const entry = byWorkload.get(key) ?? {
      kind: workload.kind,
      name: workload.name,
      namespace: workload.namespace,
      maxRestarts: 0,
      pods: [],
    };
    const restarts = containerStatuses(pod)
      .filter((s) => isCrashLooping(s, config))
      .map((s) => s.restartCount ?? 0);
    entry.maxRestarts = Math.max(entry.maxRestarts, ...restarts);
    entry.pods.push(pod.metadata.name);
    byWorkload.set(key, entry);
  }
  return [...byWorkload.values()];
}

async function rollIfDue(
  ctx: Context<Settings>,
  entry: Crashing,
  threshold: number,
  now: Date,
  errors: ReportError[],
): Promise<void> {
  const type = RESTARTABLE[entry.kind];
  if (!type) return;
  let workload: KubeObject | undefined;
  try {
    workload = await ctx.k8s.get(type, entry.name, entry.namespace);
  } catch (error) {
    errors.push(reportErrorFrom(error, `get ${entry.kind} ${entry.namespace}/${entry.name}`));
    return;
  }
  if (!workload) return;
  const annotations = (
    workload.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined
  )?.template?.metadata?.annotations;
  const decision = decideRestart({
    maxRestarts: entry.maxRestarts,
    threshold,
    templateAnnotations: annotations,
    now,
  });
  if (!decision.restart) {
    ctx.safety.skip('restart', workload, decision.reason, type);
    return;
  }
  await ctx.safety.restart(type, workload, `${decision.reason}; pods ${entry.pods.join(', ')}`, {
    eventReason: 'EcoCrashLoopRestart',
    // Someone else rolled it meanwhile: decide again on the fresh object.
    redecide: (fresh) => {
      const again = decideRestart({
        maxRestarts: entry.maxRestarts,
        threshold,
        templateAnnotations: (
          fresh.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined
        )?.template?.metadata?.annotations,
        now,
      });
      return again.restart ? again.reason : false;
    },
  });
}
