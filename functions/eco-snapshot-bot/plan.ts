// eco-snapshot-bot's decisions, pure: which opted-in PVCs get a new VolumeSnapshot now (none of its
// snapshots is younger than the interval, or an alert asked for one: Robusta create_pvc_snapshot),
// which snapshots are stuck (not ready after Velero CSI's 10-minute timeout) or failed, and which
// of the bot's own snapshots retention removes (keep-last-N and GFS, never a snapshot that is not
// ready, never the newest ready one).
import type { KubeObject } from '../../shared/index.ts';
import { decideRetention, type RetentionDecision, type RetentionPolicy } from '../../shared/storage/index.ts';

export const SNAPSHOT_ANNOTATION = 'eco.bsw-arch.org/snapshot';
/** Set on every snapshot the bot creates; retention only ever touches snapshots carrying it. */
export const SNAPSHOT_OF_LABEL = 'eco.bsw-arch.org/snapshot-of';
/** Velero CSI snapshot timeout. */
export const READY_TIMEOUT_MINUTES = 10;

function get(obj: unknown, ...path: string[]): unknown {
  let at = obj;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

export interface SnapshotState {
  snapshot: KubeObject;
  pvc: string;
  namespace: string;
  created: Date;
  ready: boolean;
  error: string | undefined;
  ours: boolean;
}

export function snapshotState(snapshot: KubeObject): SnapshotState {
  const created = Date.parse(
    (get(snapshot, 'status', 'creationTime') as string | undefined) ??
      snapshot.metadata.creationTimestamp ??
      '',
  );
  const error = get(snapshot, 'status', 'error', 'message');
  return {
    snapshot,
    pvc: String(get(snapshot, 'spec', 'source', 'persistentVolumeClaimName') ?? ''),
    namespace: snapshot.metadata.namespace ?? '',
    created: new Date(Number.isNaN(created) ? 0 : created),
    ready: get(snapshot, 'status', 'readyToUse') === true,
    error: typeof error === 'string' ? error : undefined,
    ours: snapshot.metadata.labels?.[SNAPSHOT_OF_LABEL] !== undefined,
  };
}

export interface DuePvc {
  pvc: KubeObject;
  reason: 'schedule' | 'alert';
  /** Age of its newest snapshot in hours; undefined when it has none. */
  newestAgeHours: number | undefined;
}

/** Opted-in, Bound PVCs whose newest snapshot is older than the interval, plus those an alert names. */
export function duePvcs(
  pvcs: readonly KubeObject[],
  snapshots: readonly SnapshotState[],
  options: { now: Date; intervalHours: number; alerted?: ReadonlySet<string> },
): DuePvc[] {
  const out: DuePvc[] = [];
  for (const pvc of pvcs) {
    if (pvc.metadata.annotations?.[SNAPSHOT_ANNOTATION] !== 'true' || get(pvc, 'status', 'phase') !== 'Bound')
      continue;
    const key = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
    const newest = snapshots
      .filter((s) => `${s.namespace}/${s.pvc}` === key && s.error === undefined)
      .reduce<Date | undefined>((at, s) => (at === undefined || s.created > at ? s.created : at), undefined);
    const ageHours =
      newest === undefined ? undefined : (options.now.getTime() - newest.getTime()) / 3_600_000;
    if (options.alerted?.has(key)) out.push({ pvc, reason: 'alert', newestAgeHours: ageHours });
    else if (ageHours === undefined || ageHours >= options.intervalHours) {
      out.push({ pvc, reason: 'schedule', newestAgeHours: ageHours });
    }
  }
  return out;
}

/**
 * `<pvc>-<yyyymmddhhmmss>` (an `a` appended for an alert's snapshot, which may follow a scheduled one
 * within the second), cut to 63 characters: unique per PVC and second, sortable.
 */
export function snapshotName(pvc: string, now: Date, alert = false): string {
  const stamp = `${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}${alert ? 'a' : ''}`;
  const base = pvc.slice(0, 63 - stamp.length - 1).replace(/-+$/, '');
  return `${base}-${stamp}`;
}

/** The VolumeSnapshot to create for a PVC. */
export function snapshotFor(
  pvc: KubeObject,
  now: Date,
  className: string | undefined,
  alert = false,
): KubeObject {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: {
      name: snapshotName(pvc.metadata.name, now, alert),
      namespace: pvc.metadata.namespace ?? '',
      labels: { [SNAPSHOT_OF_LABEL]: pvc.metadata.name, 'app.kubernetes.io/managed-by': 'eco-snapshot-bot' },
    },
    spec: {
      source: { persistentVolumeClaimName: pvc.metadata.name },
      ...(className === undefined ? {} : { volumeSnapshotClassName: className }),
    },
  };
}

export type Health =
  | { state: 'ready' }
  | { state: 'pending'; minutes: number }
  | { state: 'stuck'; minutes: number }
  | { state: 'failed'; message: string };

/** Readiness, checked on the run after creation. */
export function health(s: SnapshotState, now: Date): Health {
  if (s.error !== undefined) return { state: 'failed', message: s.error };
  if (s.ready) return { state: 'ready' };
  const minutes = Math.floor((now.getTime() - s.created.getTime()) / 60_000);
  return minutes >= READY_TIMEOUT_MINUTES ? { state: 'stuck', minutes } : { state: 'pending', minutes };
}

/** Retention per PVC over the bot's own snapshots; one that is not ready (failed included) is kept. */
export function retention(
  snapshots: readonly SnapshotState[],
  policy: RetentionPolicy,
  now: Date,
): Array<RetentionDecision & { state: string; snapshot: SnapshotState }> {
  const byPvc = new Map<string, SnapshotState[]>();
  for (const s of snapshots) {
    if (!s.ours) continue;
    const key = `${s.namespace}/${s.pvc}`;
    byPvc.set(key, [...(byPvc.get(key) ?? []), s]);
  }
  const out: Array<RetentionDecision & { snapshot: SnapshotState }> = [];
  for (const group of byPvc.values()) {
    const byId = new Map(group.map((s) => [`${s.namespace}/${s.snapshot.metadata.name}`, s]));
    const decisions = decideRetention(
      group.map((s) => ({
        id: `${s.namespace}/${s.snapshot.metadata.name}`,
        time: s.created,
        // Never deleted unless ready: a failed snapshot is reported for a person to look at.
        state: s.ready ? 'good' : 'pending',
      })),
      policy,
      now,
    );
    for (const d of decisions) out.push({ ...d, snapshot: byId.get(d.id) as SnapshotState });
  }
  return out;
}
