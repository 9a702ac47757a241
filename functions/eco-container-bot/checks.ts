// What is wrong with a pod's containers, as pure functions over the pod object (unit-tested on
// real-shaped pods). Anchors: Popeye's pod codes 200-209 (terminating, waiting, restarted over 5,
// unmanaged), Robusta's crash-loop (2 restarts) and OOM triggers, k8s-cleaner's unhealthy set
// (crashloop, image pull error, stuck terminating).
import type { FindingInput, KubeObject, ObjectRef } from '../../shared/index.ts';

export type Draft = Omit<FindingInput, 'bot'>;

export interface ContainerConfig {
  /** Popeye's pod restart limit: more restarts than this is a finding (205). */
  restartLimit: number;
  /** Robusta on_pod_crash_loop: restarts before a back-off counts as a crash loop. */
  crashLoopRestarts: number;
  /** How long past its deletion deadline a Terminating pod counts as stuck. */
  stuckAfterMs: number;
}

export const DEFAULT_CONTAINER_CONFIG: ContainerConfig = {
  restartLimit: 5,
  crashLoopRestarts: 2,
  stuckAfterMs: 5 * 60_000,
};

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; finishedAt?: string; message?: string };
}

export interface ContainerStatus {
  name: string;
  image?: string;
  imageID?: string;
  restartCount?: number;
  ready?: boolean;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface ContainerSpec {
  name: string;
  image?: string;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
}

export interface Pod extends KubeObject {
  spec?: { containers?: ContainerSpec[]; initContainers?: ContainerSpec[]; nodeName?: string };
  status?: {
    phase?: string;
    reason?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** Waiting reasons that mean the image cannot be pulled (Popeye 202/203, k8s-cleaner image-pull rule). */
const PULL_FAILURES = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'RegistryUnavailable',
]);

export function podRef(pod: KubeObject): ObjectRef {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    ...(pod.metadata.namespace ? { namespace: pod.metadata.namespace } : {}),
    name: pod.metadata.name,
  };
}

/** Every container status of the pod, init containers included (a failing init container blocks the pod). */
export function containerStatuses(pod: Pod): ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** The pod's controller owner reference, if any. */
export function controllerOf(object: KubeObject): { kind: string; name: string; uid?: string } | undefined {
  const owner = object.metadata.ownerReferences?.find((o) => o.controller === true);
  return owner ? { kind: owner.kind, name: owner.name, uid: owner.uid } : undefined;
}

export function isMirrorPod(pod: KubeObject): boolean {
  return pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
}

/** Whether a container is in a crash loop now: back-off, or restarting after non-zero exits. */
export function isCrashLooping(status: ContainerStatus, config: ContainerConfig): boolean {
  if (status.state?.waiting?.reason === 'CrashLoopBackOff') return true;
  const last = status.lastState?.terminated;
  return (
    (status.restartCount ?? 0) >= config.crashLoopRestarts &&
    last !== undefined &&
    last.exitCode !== 0 &&
    status.state?.running === undefined
  );
}

/** When a Terminating pod became overdue: its deletionTimestamp already includes the grace period. */
export function terminatingOverdueMs(pod: KubeObject, now: Date): number | undefined {
  const deletion = pod.metadata.deletionTimestamp;
  if (!deletion) return undefined;
  const deadline = Date.parse(deletion);
  if (Number.isNaN(deadline)) return undefined;
  return now.getTime() - deadline;
}

export function checkPod(pod: Pod, now: Date, config: ContainerConfig = DEFAULT_CONTAINER_CONFIG): Draft[] {
  const drafts: Draft[] = [];
  const object = podRef(pod);
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

  const overdue = terminatingOverdueMs(pod, now);
  if (overdue !== undefined && overdue > config.stuckAfterMs) {
    drafts.push({
      check: 'container.stuck-terminating',
      severity: 'warning',
      object,
      message: `pod has been Terminating ${formatDuration(overdue)} past its grace period`,
      evidence: {
        deletionTimestamp: pod.metadata.deletionTimestamp,
        gracePeriodSeconds: (pod.metadata as { deletionGracePeriodSeconds?: number })
          .deletionGracePeriodSeconds,
        finalizers: pod.metadata.finalizers ?? [],
        overdueSeconds: Math.round(overdue / 1000),
        node: pod.spec?.nodeName,
      },
      fix: pod.metadata.finalizers?.length
        ? `a finalizer holds it (${pod.metadata.finalizers.join(', ')}): fix the controller that owns the finalizer, or remove it`
        : 'the node or kubelet is not confirming the stop: check the node; the bot force-deletes it in apply mode',
    });
  }

  if (!controllerOf(pod) && !isMirrorPod(pod) && !terminal && pod.metadata.deletionTimestamp === undefined) {
    drafts.push({
      check: 'container.bare-pod',
      severity: 'warning',
      object,
      message: 'pod has no controller: it is not recreated when it dies or its node is drained',
      evidence: { ownerReferences: pod.metadata.ownerReferences ?? [] },
      fix: 'run it from a Deployment, StatefulSet, DaemonSet or Job',
    });
  }

  if (terminal) return drafts;
  for (const status of containerStatuses(pod)) {
    const waiting = status.state?.waiting;
    const restarts = status.restartCount ?? 0;
    const common = { object, discriminator: status.name };
    if (waiting?.reason && PULL_FAILURES.has(waiting.reason)) {
      drafts.push({
        ...common,
        check: 'container.image-pull',
        severity: 'critical',
        message:
          `container ${status.name} cannot pull its image ${status.image ?? ''} (${waiting.reason})`.replace(
            '  ',
            ' ',
          ),
        evidence: {
          container: status.name,
          image: status.image,
          reason: waiting.reason,
          detail: waiting.message,
        },
        fix: 'check the image name and tag exist in the registry, and that the pod has the pull secret the registry needs',
      });
    }
    if (isCrashLooping(status, config)) {
      const last = status.lastState?.terminated;
      drafts.push({
        ...common,
        check: 'container.crashloop',
        severity: 'critical',
        message: `container ${status.name} is crash-looping (${restarts} restarts${last?.exitCode !== undefined ? `, last exit code ${last.exitCode}` : ''})`,
        evidence: {
          container: status.name,
          restartCount: restarts,
          waitingReason: waiting?.reason,
          lastExitCode: last?.exitCode,
          lastReason: last?.reason,
          lastFinishedAt: last?.finishedAt,
        },
        fix: 'read the previous logs (kubectl logs --previous) and fix the crash; a restart of the workload only helps with a stuck dependency',
      });
    }
    const oom =
      status.lastState?.terminated?.reason === 'OOMKilled' ||
      status.state?.terminated?.reason === 'OOMKilled';
    if (oom) {
      const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
        (c) => c.name === status.name,
      );
      drafts.push({
        ...common,
        check: 'container.oom-killed',
        severity: 'warning',
        message: `container ${status.name} was OOMKilled${spec?.resources?.limits?.memory ? ` at its ${spec.resources.limits.memory} memory limit` : ''}`,
        evidence: {
          container: status.name,
          memoryLimit: spec?.resources?.limits?.memory,
          memoryRequest: spec?.resources?.requests?.memory,
          finishedAt: (status.lastState?.terminated ?? status.state?.terminated)?.finishedAt,
          restartCount: restarts,
        },
        fix: 'raise the memory limit (eco-optimize-bot suggests one from usage) or find the leak',
      });
    }
    if (restarts > config.restartLimit) {
      drafts.push({
        ...common,
        check: 'container.restarts',
        severity: 'warning',
        message: `container ${status.name} restarted ${restarts} times (over ${config.restartLimit})`,
        evidence: { container: status.name, restartCount: restarts, limit: config.restartLimit },
        fix: 'find why it restarts: previous logs, liveness probe failures, OOM kills',
      });
    }
  }
  return drafts;
}

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  return `${Math.floor(hours / 24)}d`;
}

// ---------------------------------------------------------------------------------------------
// Remediation decisions (pure: the handler carries them out through the rails)

/** Robusta's crash-loop rate limit: one action per object per 4 h. */
export const RESTART_RATE_LIMIT_MS = 4 * 3600_000;
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export interface RestartDecision {
  restart: boolean;
  reason: string;
}

/**
 * Whether to roll a workload whose pods crash-loop: only when a container passed the restart
 * threshold, and not again within the rate limit (read from the template's restartedAt annotation,
 * which `kubectl rollout restart` and this bot both set, so the state lives in the cluster).
 */
export function decideRestart(input: {
  maxRestarts: number;
  threshold: number;
  templateAnnotations: Record<string, string> | undefined;
  now: Date;
  rateLimitMs?: number;
}): RestartDecision {
  if (input.maxRestarts < input.threshold) {
    return {
      restart: false,
      reason: `${input.maxRestarts} restarts, below the threshold of ${input.threshold}`,
    };
  }
  const last = input.templateAnnotations?.[RESTARTED_AT];
  const lastMs = last ? Date.parse(last) : Number.NaN;
  const limit = input.rateLimitMs ?? RESTART_RATE_LIMIT_MS;
  if (!Number.isNaN(lastMs) && input.now.getTime() - lastMs < limit) {
    return { restart: false, reason: `restarted at ${last}, within the ${formatDuration(limit)} rate limit` };
  }
  return {
    restart: true,
    reason: `crash loop with ${input.maxRestarts} restarts (threshold ${input.threshold})`,
  };
}
