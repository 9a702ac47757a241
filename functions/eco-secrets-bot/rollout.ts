// Reloader's job: find workloads whose pods started before a Secret they use last changed, and the
// patch that restarts them (what `kubectl rollout restart` writes). Also the rotation-age check.
import { ANNOTATIONS } from './mapping.ts';

interface ContainerRefs {
  env?: { valueFrom?: { secretKeyRef?: { name?: string } } }[];
  envFrom?: { secretRef?: { name?: string } }[];
}
export interface PodSpecRefs {
  containers?: ContainerRefs[];
  initContainers?: ContainerRefs[];
  volumes?: {
    secret?: { secretName?: string };
    projected?: { sources?: { secret?: { name?: string } }[] };
  }[];
  imagePullSecrets?: { name?: string }[];
}

/** Secret names a pod spec reads (env, envFrom, volumes, projected volumes; not image pull secrets). */
export function secretsUsedBy(spec: PodSpecRefs | undefined): Set<string> {
  const out = new Set<string>();
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) out.add(e.valueFrom.secretKeyRef.name);
    for (const e of c.envFrom ?? []) if (e.secretRef?.name) out.add(e.secretRef.name);
  }
  for (const v of spec?.volumes ?? []) {
    if (v.secret?.secretName) out.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) if (s.secret?.name) out.add(s.secret.name);
  }
  return out;
}

/**
 * When a Secret's data last changed: the bot's synced-at annotation, else the latest managedFields
 * time (every write records one), else its creation.
 */
export function secretChangedAt(secret: {
  metadata: {
    annotations?: Record<string, string>;
    managedFields?: { time?: string }[];
    creationTimestamp?: string;
  };
}): number | undefined {
  const synced = Date.parse(secret.metadata.annotations?.[ANNOTATIONS.syncedAt] ?? '');
  if (!Number.isNaN(synced)) return synced;
  const times = (secret.metadata.managedFields ?? [])
    .map((f) => Date.parse(f.time ?? ''))
    .filter((t) => !Number.isNaN(t));
  if (times.length) return Math.max(...times);
  const created = Date.parse(secret.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? undefined : created;
}

export interface StaleUse {
  secret: string;
  changedAt: number;
  /** The earliest start among the workload's running pods that predate the change. */
  oldestPodStart: number;
  stalePods: number;
}

/**
 * The Secrets a workload's running pods use that changed after those pods started. Pods without a
 * start time (not scheduled yet) are not stale.
 */
export function staleSecretUses(
  podSpec: PodSpecRefs | undefined,
  pods: readonly { readonly [key: string]: unknown }[],
  changedAtByName: ReadonlyMap<string, number>,
): StaleUse[] {
  const out: StaleUse[] = [];
  const starts = pods
    .map((p) => p['status'] as { startTime?: string; phase?: string } | undefined)
    .filter((s) => s?.phase === 'Running' || s?.phase === 'Pending')
    .map((s) => Date.parse(s?.startTime ?? ''))
    .filter((t) => !Number.isNaN(t));
  for (const name of [...secretsUsedBy(podSpec)].sort()) {
    const changedAt = changedAtByName.get(name);
    if (changedAt === undefined) continue;
    const stale = starts.filter((t) => t < changedAt);
    if (stale.length)
      out.push({ secret: name, changedAt, oldestPodStart: Math.min(...stale), stalePods: stale.length });
  }
  return out;
}

/** The strategic-merge patch `kubectl rollout restart` sends. */
export function restartPatch(now: Date): {
  spec: { template: { metadata: { annotations: Record<string, string> } } };
} {
  return {
    spec: {
      template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now.toISOString() } } },
    },
  };
}

/** Days since the current version was written, when that is over the rotation age. */
export function rotationOverdue(createdTime: string, now: Date, maxAgeMs: number): number | undefined {
  const created = Date.parse(createdTime);
  if (Number.isNaN(created)) return undefined;
  const age = now.getTime() - created;
  return age > maxAgeMs ? Math.floor(age / 86_400_000) : undefined;
}
