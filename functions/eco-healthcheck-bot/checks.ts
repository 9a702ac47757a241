// The cluster-side health checks of eco-healthcheck-bot, pure functions of one snapshot: Services
// without a ready endpoint (EndpointSlices, Popeye 1105), pods not ready (Popeye 204 /
// kubernetes-mixin KubePodNotReady 15 m), crash loops (Robusta on_pod_crash_loop: restart_count 2,
// rate_limit 14400 s), OOM kills (Robusta on_pod_oom_killed, rate_limit 3600 s), image pull
// back-off (Robusta on_image_pull_backoff), failed Jobs (Robusta on_job_failure / KubeJobFailed)
// and pods Pending too long (kubernetes-mixin KubePodNotReady's Pending arm).
//
// Robusta's rate limits are kept without state: the finding's id (a hash of its discriminator) is
// the same for one object within one window, so a receiver that dedupes by id hears of a crash loop
// at most once per 4 h and of an OOM kill at most once per hour.
import { check, resources, type KubeObject, type Snapshot } from '../../shared/index.ts';

export const KINDS = {
  pods: resources.pods,
  services: resources.services,
  endpointslices: resources.endpointslices,
  jobs: resources.jobs,
};
export type Snap = Snapshot<typeof KINDS>;

export interface HealthSettings {
  /** restarts at or above which a CrashLoopBackOff container is reported (Robusta restart_count). */
  crashloopRestarts: number;
  /** ms: one crash-loop finding id per object per window (Robusta rate_limit 14400 s). */
  crashloopWindowMs: number;
  /** ms: one OOM-kill finding id per container per window (Robusta rate_limit 3600 s). */
  oomWindowMs: number;
  /** ms a Running pod may stay not ready before it is reported (KubePodNotReady: 15 m). */
  notReadyMs: number;
  /** ms a pod may stay Pending before it is reported (KubePodNotReady: 15 m). */
  pendingMs: number;
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; exitCode?: number; finishedAt?: string; startedAt?: string };
}
interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}
interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}
interface PodStatus {
  phase?: string;
  reason?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  startTime?: string;
}

const podStatus = (pod: KubeObject): PodStatus => (pod['status'] as PodStatus | undefined) ?? {};
const statusesOf = (pod: KubeObject): ContainerStatus[] => [
  ...(podStatus(pod).initContainerStatuses ?? []),
  ...(podStatus(pod).containerStatuses ?? []),
];
const ms = (iso: string | undefined): number | undefined => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
};
const minutes = (msValue: number): number => Math.round(msValue / 60_000);
/** A duration as a person says it: 40 minutes, 5 hours, 8 days. */
export function humanDuration(msValue: number): string {
  const m = minutes(msValue);
  if (m < 120) return `${m} minutes`;
  if (m < 48 * 60) return `${Math.round(m / 60)} hours`;
  return `${Math.round(m / 1440)} days`;
}
const ns = (o: KubeObject): string => o.metadata.namespace ?? '';
/** The start of the window `at` falls in, as an ISO time: part of a finding's discriminator. */
export function windowStart(at: number, windowMs: number): string {
  return new Date(Math.floor(at / windowMs) * windowMs).toISOString();
}
const isTerminating = (pod: KubeObject): boolean => pod.metadata.deletionTimestamp !== undefined;
const WAITING_PULL = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName']);
const isPullBackOff = (pod: KubeObject): boolean =>
  statusesOf(pod).some((c) => WAITING_PULL.has(c.state?.waiting?.reason ?? ''));
const isCrashLooping = (pod: KubeObject): boolean =>
  statusesOf(pod).some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff');

export const serviceNoEndpoints = check<Snap, HealthSettings>({
  id: 'health.service-no-endpoints',
  severity: 'critical',
  title: 'Services with a selector whose EndpointSlices hold no ready endpoint',
  anchor: 'Popeye POP-1105 (no endpoints)',
  *run(snap) {
    const slicesOf = new Map<string, KubeObject[]>();
    for (const slice of snap.objects.endpointslices) {
      const service = slice.metadata.labels?.['kubernetes.io/service-name'];
      if (service === undefined) continue;
      const key = `${ns(slice)}/${service}`;
      slicesOf.set(key, [...(slicesOf.get(key) ?? []), slice]);
    }
    for (const svc of snap.objects.services) {
      const spec = (svc['spec'] as { type?: string; selector?: Record<string, string> } | undefined) ?? {};
      // ExternalName and selector-less Services have no controller-managed endpoints to judge.
      if (
        spec.type === 'ExternalName' ||
        spec.selector === undefined ||
        Object.keys(spec.selector).length === 0
      )
        continue;
      const slices = slicesOf.get(`${ns(svc)}/${svc.metadata.name}`) ?? [];
      let ready = 0;
      let notReady = 0;
      for (const slice of slices) {
        const endpoints =
          (slice['endpoints'] as { conditions?: { ready?: boolean } }[] | null | undefined) ?? [];
        // discovery.k8s.io/v1: a nil `ready` is to be read as ready.
        for (const e of endpoints) {
          if (e.conditions?.ready === false) notReady++;
          else ready++;
        }
      }
      if (ready > 0) continue;
      const selector = Object.entries(spec.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const matching = snap.objects.pods.filter(
        (p) =>
          ns(p) === ns(svc) &&
          Object.entries(spec.selector ?? {}).every(([k, v]) => p.metadata.labels?.[k] === v),
      ).length;
      yield {
        object: svc,
        type: resources.services,
        message:
          notReady > 0
            ? `Service ${ns(svc)}/${svc.metadata.name} has ${notReady} endpoints and none of them is ready: traffic to it fails`
            : `Service ${ns(svc)}/${svc.metadata.name} has no endpoints: its selector ${selector} matches ${matching === 0 ? 'no pod' : `${matching} pods, none ready`}`,
        evidence: {
          selector,
          endpointSlices: slices.length,
          readyEndpoints: 0,
          notReadyEndpoints: notReady,
          matchingPods: matching,
        },
        fix:
          matching === 0
            ? `Fix the selector or deploy the pods: kubectl get pods -n ${ns(svc)} -l ${selector}`
            : `Find why the pods are not ready: kubectl describe pods -n ${ns(svc)} -l ${selector}`,
      };
    }
  },
});

export const crashloop = check<Snap, HealthSettings>({
  id: 'health.crashloop',
  severity: 'critical',
  title: 'containers in CrashLoopBackOff with at least 2 restarts (one finding per object per 4 h)',
  anchor: 'Robusta on_pod_crash_loop (restart_count 2, rate_limit 14400 s)',
  *run(snap, settings, now) {
    for (const pod of snap.objects.pods) {
      for (const c of statusesOf(pod)) {
        const restarts = c.restartCount ?? 0;
        if (c.state?.waiting?.reason !== 'CrashLoopBackOff' || restarts < settings.crashloopRestarts)
          continue;
        const last = c.lastState?.terminated;
        yield {
          object: pod,
          type: resources.pods,
          discriminator: `${c.name}@${windowStart(now.getTime(), settings.crashloopWindowMs)}`,
          message: `container ${c.name} of pod ${ns(pod)}/${pod.metadata.name} is crash-looping: ${restarts} restarts${last ? `, last exit ${last.exitCode ?? '?'} (${last.reason ?? 'unknown'})` : ''}`,
          evidence: {
            container: c.name,
            restartCount: restarts,
            threshold: settings.crashloopRestarts,
            lastExitCode: last?.exitCode,
            lastReason: last?.reason,
            lastFinishedAt: last?.finishedAt,
            window: windowStart(now.getTime(), settings.crashloopWindowMs),
          },
          fix: `kubectl logs --previous -n ${ns(pod)} ${pod.metadata.name} -c ${c.name}`,
        };
      }
    }
  },
});

export const oomKilled = check<Snap, HealthSettings>({
  id: 'health.oom-killed',
  severity: 'warning',
  title: 'containers killed for memory (OOMKilled), at most one finding per container per hour',
  anchor: 'Robusta on_pod_oom_killed (rate_limit 3600 s)',
  *run(snap, settings, now) {
    for (const pod of snap.objects.pods) {
      for (const c of statusesOf(pod)) {
        const t = c.state?.terminated?.reason === 'OOMKilled' ? c.state.terminated : c.lastState?.terminated;
        if (t?.reason !== 'OOMKilled') continue;
        const at = ms(t.finishedAt) ?? now.getTime();
        // An old OOM kill is history, not news: report it while it is within one window of now.
        if (now.getTime() - at > settings.oomWindowMs) continue;
        yield {
          object: pod,
          type: resources.pods,
          discriminator: `${c.name}@${windowStart(at, settings.oomWindowMs)}`,
          message: `container ${c.name} of pod ${ns(pod)}/${pod.metadata.name} was OOMKilled ${humanDuration(now.getTime() - at)} ago (${c.restartCount ?? 0} restarts)`,
          evidence: {
            container: c.name,
            exitCode: t.exitCode,
            finishedAt: t.finishedAt,
            restartCount: c.restartCount ?? 0,
          },
          fix: `Raise the memory limit of ${c.name} or find the leak: kubectl top pod -n ${ns(pod)} ${pod.metadata.name} --containers`,
        };
      }
    }
  },
});

export const imagePullBackOff = check<Snap, HealthSettings>({
  id: 'health.image-pull-backoff',
  severity: 'critical',
  title: 'containers that cannot pull their image',
  anchor: 'Robusta on_image_pull_backoff',
  *run(snap) {
    for (const pod of snap.objects.pods) {
      for (const c of statusesOf(pod)) {
        const waiting = c.state?.waiting;
        if (!WAITING_PULL.has(waiting?.reason ?? '')) continue;
        yield {
          object: pod,
          type: resources.pods,
          discriminator: c.name,
          message: `container ${c.name} of pod ${ns(pod)}/${pod.metadata.name} cannot pull its image (${waiting?.reason})`,
          evidence: { container: c.name, reason: waiting?.reason, message: waiting?.message },
          fix: 'Check the image name and tag exist in the registry and the pod has the pull secret it needs',
        };
      }
    }
  },
});

export const podNotReady = check<Snap, HealthSettings>({
  id: 'health.pod-not-ready',
  severity: 'warning',
  title: 'Running pods not ready for longer than 15 minutes',
  anchor: 'Popeye POP-204 / kubernetes-mixin KubePodNotReady (15 m)',
  *run(snap, settings, now) {
    for (const pod of snap.objects.pods) {
      const status = podStatus(pod);
      // Crash loops and pull failures have their own, sharper findings.
      if (status.phase !== 'Running' || isTerminating(pod) || isCrashLooping(pod) || isPullBackOff(pod))
        continue;
      const ready = status.conditions?.find((c) => c.type === 'Ready');
      if (ready === undefined || ready.status === 'True') continue;
      const since =
        ms(ready.lastTransitionTime) ?? ms(status.startTime) ?? ms(pod.metadata.creationTimestamp);
      if (since === undefined || now.getTime() - since < settings.notReadyMs) continue;
      const notReady = statusesOf(pod)
        .filter((c) => c.ready === false)
        .map((c) => c.name);
      yield {
        object: pod,
        type: resources.pods,
        message: `pod ${ns(pod)}/${pod.metadata.name} has not been ready for ${humanDuration(now.getTime() - since)}`,
        evidence: {
          reason: ready.reason,
          notReadyContainers: notReady,
          sinceMinutes: minutes(now.getTime() - since),
          thresholdMinutes: minutes(settings.notReadyMs),
        },
        fix: `kubectl describe pod -n ${ns(pod)} ${pod.metadata.name} (readiness probe and events)`,
      };
    }
  },
});

export const podPending = check<Snap, HealthSettings>({
  id: 'health.pod-pending',
  severity: 'warning',
  title: 'pods Pending for longer than 15 minutes',
  anchor: 'kubernetes-mixin KubePodNotReady (phase Pending, 15 m)',
  *run(snap, settings, now) {
    for (const pod of snap.objects.pods) {
      const status = podStatus(pod);
      if (status.phase !== 'Pending' || isTerminating(pod) || isPullBackOff(pod)) continue;
      const since = ms(pod.metadata.creationTimestamp);
      if (since === undefined || now.getTime() - since < settings.pendingMs) continue;
      const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
      const waiting = statusesOf(pod).find((c) => c.state?.waiting !== undefined)?.state?.waiting;
      const why =
        scheduled?.status === 'False'
          ? (scheduled.message ?? scheduled.reason)
          : (waiting?.message ?? waiting?.reason);
      yield {
        object: pod,
        type: resources.pods,
        message: `pod ${ns(pod)}/${pod.metadata.name} has been Pending for ${humanDuration(now.getTime() - since)}${why ? `: ${why}` : ''}`,
        evidence: {
          scheduled: scheduled?.status,
          schedulingReason: scheduled?.reason,
          waitingReason: waiting?.reason,
          pendingMinutes: minutes(now.getTime() - since),
          thresholdMinutes: minutes(settings.pendingMs),
        },
        fix:
          scheduled?.status === 'False'
            ? 'The scheduler cannot place it: free capacity, or relax its requests, affinity or tolerations'
            : `kubectl describe pod -n ${ns(pod)} ${pod.metadata.name} (the waiting reason names what is missing)`,
      };
    }
  },
});

export const jobFailed = check<Snap, HealthSettings>({
  id: 'health.job-failed',
  severity: 'warning',
  title: 'Jobs that failed (condition Failed=True)',
  anchor: 'Robusta on_job_failure / kubernetes-mixin KubeJobFailed',
  *run(snap) {
    for (const job of snap.objects.jobs) {
      const status = (job['status'] as { failed?: number; conditions?: Condition[] } | undefined) ?? {};
      const failedCondition = status.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
      if (failedCondition === undefined) continue;
      yield {
        object: job,
        type: resources.jobs,
        message: `Job ${ns(job)}/${job.metadata.name} failed${failedCondition.reason ? ` (${failedCondition.reason})` : ''}`,
        evidence: {
          failedPods: status.failed ?? 0,
          reason: failedCondition.reason,
          message: failedCondition.message,
          failedAt: failedCondition.lastTransitionTime,
        },
        fix: `kubectl logs -n ${ns(job)} job/${job.metadata.name}; delete the Job once understood (KubeJobFailed fires while it exists)`,
      };
    }
  },
});

export const CLUSTER_CHECKS = [
  serviceNoEndpoints,
  crashloop,
  oomKilled,
  imagePullBackOff,
  podNotReady,
  podPending,
  jobFailed,
] as const;
