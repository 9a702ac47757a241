// What eco-cleanup-bot deletes, as pure decisions over one object (kube-janitor and k8s-cleaner
// behaviour). Each returns a Decision, or undefined for "leave it".
import { lifetimeOf } from '../../shared/index.ts';
import type { KubeObject, Severity } from '../../shared/index.ts';

export type RuleName = 'ttl' | 'jobs' | 'pods' | 'replicasets';
export const RULES: readonly RuleName[] = ['ttl', 'jobs', 'pods', 'replicasets'];

export interface CleanupConfig {
  jobTtlMs: number;
  podAgeMs: number;
  replicaSetAgeMs: number;
  rules: ReadonlySet<RuleName>;
}

export interface Decision {
  check: string;
  severity: Severity;
  /** The action's reason: why this object goes. */
  reason: string;
  /** Event reason posted on the object when it is deleted. */
  eventReason: string;
  /** Since when the object has been due (for oldest-first ordering under the blast-radius cap). */
  dueSince: number;
  evidence: Record<string, unknown>;
}

interface Condition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
}
interface JobStatus {
  conditions?: Condition[];
  completionTime?: string;
  succeeded?: number;
  failed?: number;
}
interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  startTime?: string;
  conditions?: Condition[];
  containerStatuses?: { state?: { terminated?: { finishedAt?: string } } }[];
}

/** The annotations' lifetime (ttl/expires, both vocabularies): an object past it goes, whatever its kind. */
export function ttlDecision(object: KubeObject, now: Date): Decision | undefined {
  const life = lifetimeOf(object, now);
  if (life.kind !== 'deadline' || !life.expired) return undefined;
  const isTtl = life.key.endsWith('/ttl');
  return {
    check: isTtl ? 'cleanup.ttl-expired' : 'cleanup.expired',
    severity: 'info',
    reason: isTtl
      ? `${life.key}=${life.value} expired at ${life.at.toISOString()}`
      : `${life.key}=${life.value} reached at ${life.at.toISOString()}`,
    eventReason: isTtl ? 'TimeToLiveExpired' : 'ExpiryTimeReached',
    dueSince: life.at.getTime(),
    evidence: { annotation: life.key, value: life.value, due: life.at.toISOString() },
  };
}

/**
 * A finished (Complete or Failed) Job older than the TTL. Not Jobs owned by a CronJob (its
 * successful/failedJobsHistoryLimit keeps them on purpose) nor Jobs with ttlSecondsAfterFinished
 * (Kubernetes' own TTL controller deletes those).
 */
export function jobDecision(job: KubeObject, config: CleanupConfig, now: Date): Decision | undefined {
  if (ownedBy(job, 'CronJob')) return undefined;
  if ((job.spec as { ttlSecondsAfterFinished?: number } | undefined)?.ttlSecondsAfterFinished !== undefined)
    return undefined;
  const status = (job.status ?? {}) as JobStatus;
  const done = status.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  if (!done) return undefined;
  const finished = time(status.completionTime) ?? time(done.lastTransitionTime);
  if (finished === undefined) return undefined;
  const age = now.getTime() - finished;
  if (age <= config.jobTtlMs) return undefined;
  return {
    check: done.type === 'Failed' ? 'cleanup.job-failed' : 'cleanup.job-finished',
    severity: 'info',
    reason: `Job ${done.type === 'Complete' ? 'completed' : 'failed'} ${formatAge(age)} ago (TTL ${formatAge(config.jobTtlMs)})`,
    eventReason: 'FinishedJobExpired',
    dueSince: finished + config.jobTtlMs,
    evidence: {
      condition: done.type,
      finishedAt: new Date(finished).toISOString(),
      ageSeconds: Math.floor(age / 1000),
    },
  };
}

/**
 * An evicted or failed Pod older than the threshold. Never a running or pending pod, nor one a Job
 * owns (the Job's own lifecycle, and its failure accounting, covers those).
 */
export function podDecision(pod: KubeObject, config: CleanupConfig, now: Date): Decision | undefined {
  const status = (pod.status ?? {}) as PodStatus;
  if (status.phase !== 'Failed') return undefined;
  if (ownedBy(pod, 'Job')) return undefined;
  const evicted = status.reason === 'Evicted';
  const times = [
    ...(status.containerStatuses ?? []).map((c) => time(c.state?.terminated?.finishedAt)),
    ...(status.conditions ?? []).map((c) => time(c.lastTransitionTime)),
  ].filter((t): t is number => t !== undefined);
  const ended =
    times.length > 0 ? Math.max(...times) : (time(status.startTime) ?? time(pod.metadata.creationTimestamp));
  if (ended === undefined) return undefined;
  const age = now.getTime() - ended;
  if (age <= config.podAgeMs) return undefined;
  return {
    check: evicted ? 'cleanup.pod-evicted' : 'cleanup.pod-failed',
    severity: 'info',
    reason: `${evicted ? 'evicted' : 'failed'} ${formatAge(age)} ago (threshold ${formatAge(config.podAgeMs)})${status.message ? `: ${status.message.slice(0, 200)}` : ''}`,
    eventReason: evicted ? 'EvictedPodExpired' : 'FailedPodExpired',
    dueSince: ended + config.podAgeMs,
    evidence: {
      phase: status.phase,
      reason: status.reason,
      endedAt: new Date(ended).toISOString(),
      ageSeconds: Math.floor(age / 1000),
    },
  };
}

/** A ReplicaSet no Deployment owns, scaled to zero, older than the threshold (k8s-cleaner's orphaned-replicasets). */
export function replicaSetDecision(rs: KubeObject, config: CleanupConfig, now: Date): Decision | undefined {
  if ((rs.metadata.ownerReferences ?? []).length > 0) return undefined;
  const spec = (rs.spec ?? {}) as { replicas?: number };
  const status = (rs.status ?? {}) as { replicas?: number };
  // spec.replicas defaults to 1 when unset.
  if ((spec.replicas ?? 1) !== 0 || (status.replicas ?? 0) !== 0) return undefined;
  const created = time(rs.metadata.creationTimestamp);
  if (created === undefined) return undefined;
  const age = now.getTime() - created;
  if (age <= config.replicaSetAgeMs) return undefined;
  return {
    check: 'cleanup.replicaset-orphaned',
    severity: 'info',
    reason: `ReplicaSet without owner, scaled to 0, ${formatAge(age)} old (threshold ${formatAge(config.replicaSetAgeMs)})`,
    eventReason: 'OrphanReplicaSetExpired',
    dueSince: created + config.replicaSetAgeMs,
    evidence: { replicas: 0, createdAt: new Date(created).toISOString() },
  };
}

/** What the history rule needs of a Deployment. */
export interface DeploymentInfo {
  object: KubeObject;
  revisionHistoryLimit: number;
}

/** The Deployment controller's revision of a ReplicaSet (annotation), or -1. */
export function revisionOf(rs: KubeObject): number {
  const value = Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision']);
  return Number.isInteger(value) ? value : -1;
}

/**
 * Old ReplicaSets a Deployment keeps beyond its revisionHistoryLimit (default 10), chosen the way
 * the Deployment controller's cleanupDeployment does: every owned ReplicaSet but the newest
 * revision is "old"; the oldest (count - limit) of them go, and only if scaled to zero. The
 * controller normally does this itself; what is left over (a limit lowered later, a controller that
 * was down) is what this rule finds.
 */
export function historyDecisions(
  owned: readonly KubeObject[],
  deployment: DeploymentInfo,
  now: Date,
): { rs: KubeObject; decision: Decision }[] {
  const alive = owned.filter((rs) => !rs.metadata.deletionTimestamp);
  if (alive.length <= 1) return [];
  const byRevision = [...alive].sort(
    (a, b) =>
      revisionOf(a) - revisionOf(b) ||
      (time(a.metadata.creationTimestamp) ?? 0) - (time(b.metadata.creationTimestamp) ?? 0),
  );
  const old = byRevision.slice(0, -1);
  const excess = old.length - deployment.revisionHistoryLimit;
  if (excess <= 0) return [];
  const out: { rs: KubeObject; decision: Decision }[] = [];
  for (const rs of old.slice(0, excess)) {
    const spec = (rs.spec ?? {}) as { replicas?: number };
    const status = (rs.status ?? {}) as { replicas?: number };
    if ((spec.replicas ?? 1) !== 0 || (status.replicas ?? 0) !== 0) continue;
    const created = time(rs.metadata.creationTimestamp) ?? now.getTime();
    out.push({
      rs,
      decision: {
        check: 'cleanup.replicaset-history',
        severity: 'info',
        reason: `old ReplicaSet (revision ${revisionOf(rs)}) beyond revisionHistoryLimit ${deployment.revisionHistoryLimit} of Deployment ${deployment.object.metadata.name}`,
        eventReason: 'OldReplicaSetPruned',
        dueSince: created,
        evidence: {
          revision: revisionOf(rs),
          revisionHistoryLimit: deployment.revisionHistoryLimit,
          deployment: deployment.object.metadata.name,
        },
      },
    });
  }
  return out;
}

/**
 * The one decision for an object of a scanned kind. An object's own ttl/expires annotation
 * overrides every rule (kube-janitor): before it ends nothing else may delete the object.
 */
export function decide(
  plural: string,
  object: KubeObject,
  config: CleanupConfig,
  now: Date,
): Decision | undefined {
  if (object.metadata.deletionTimestamp) return undefined;
  const life = lifetimeOf(object, now);
  if (life.kind !== 'none') return config.rules.has('ttl') ? ttlDecision(object, now) : undefined;
  if (plural === 'jobs' && config.rules.has('jobs')) return jobDecision(object, config, now);
  if (plural === 'pods' && config.rules.has('pods')) return podDecision(object, config, now);
  if (plural === 'replicasets' && config.rules.has('replicasets'))
    return replicaSetDecision(object, config, now);
  return undefined;
}

function ownedBy(object: KubeObject, kind: string): boolean {
  return (object.metadata.ownerReferences ?? []).some((owner) => owner.kind === kind);
}

function time(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** 9d, 3h, 25m, 40s: the largest whole unit, in the janitor's vocabulary. */
export function formatAge(ms: number): string {
  const units: [string, number][] = [
    ['w', 604_800_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  for (const [unit, size] of units.slice(1)) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return `${Math.floor(ms / 1000)}s`;
}
