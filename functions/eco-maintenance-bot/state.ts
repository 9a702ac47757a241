// The drain state machine, kept where a stateless function can find it again: annotations on the
// Node (what phase its maintenance is in, since when) and coordination.k8s.io Leases (who may
// drain now). Each cron tick reads both and moves every node it holds one step on, so a run that
// ends half-way (timeout, scale to zero, crash) loses nothing: the next tick resumes.
import type { KubeObject } from '../../shared/index.ts';

export const STATE_ANNOTATION = 'eco.bsw-arch.org/maintenance-state';
export const SINCE_ANNOTATION = 'eco.bsw-arch.org/maintenance-since';
/** Set by the bot for a node named in an HTTP request, as a node's own tooling sets it. */
export const REBOOT_REQUIRED = 'eco.bsw-arch.org/reboot-required';
export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export type DrainState = 'draining' | 'ready-for-reboot' | 'drain-timed-out';
const STATES: readonly DrainState[] = ['draining', 'ready-for-reboot', 'drain-timed-out'];

export function stateOf(node: KubeObject): { state?: DrainState; since?: Date } {
  const a = node.metadata.annotations ?? {};
  const raw = a[STATE_ANNOTATION];
  const state = STATES.find((s) => s === raw);
  const sinceMs = Date.parse(a[SINCE_ANNOTATION] ?? '');
  return {
    ...(state ? { state } : {}),
    ...(Number.isNaN(sinceMs) ? {} : { since: new Date(sinceMs) }),
  };
}

/**
 * Whether the node's own tooling (or an operator) asked for maintenance: a `reboot-required`
 * label or annotation (any prefix, e.g. `eco.bsw-arch.org/reboot-required`) not set to "false",
 * as kured's sentinel file, moved to the API.
 */
export function needsReboot(node: KubeObject): boolean {
  for (const map of [node.metadata.labels, node.metadata.annotations]) {
    for (const [key, value] of Object.entries(map ?? {})) {
      if ((key === 'reboot-required' || key.endsWith('/reboot-required')) && value.toLowerCase() !== 'false')
        return true;
    }
  }
  return false;
}

export function isCordoned(node: KubeObject): boolean {
  return (node['spec'] as { unschedulable?: boolean } | undefined)?.unschedulable === true;
}

export type PodDisposition = 'daemonset' | 'mirror' | 'terminating' | 'evict';

/** kubectl drain's filters: DaemonSet pods stay (their controller ignores cordons), mirror pods are the kubelet's. */
export function podDisposition(pod: KubeObject): PodDisposition {
  if (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) return 'mirror';
  if (pod.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.controller !== false))
    return 'daemonset';
  if (pod.metadata.deletionTimestamp) return 'terminating';
  return 'evict';
}

// ---------- Lease slots ----------

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
}

/** Lease names of the `concurrency` drain slots. */
export function slotNames(prefix: string, concurrency: number): string[] {
  return Array.from({ length: concurrency }, (_, i) => `${prefix}-${i}`);
}

/** A Lease's holder while it is live; undefined when free or expired (a crashed run never blocks forever). */
export function liveHolder(lease: KubeObject | undefined, now: Date): string | undefined {
  if (!lease) return undefined;
  const spec = (lease['spec'] as LeaseSpec | undefined) ?? {};
  if (!spec.holderIdentity) return undefined;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  const ttl = (spec.leaseDurationSeconds ?? 0) * 1000;
  if (Number.isNaN(renewed) || renewed + ttl <= now.getTime()) return undefined;
  return spec.holderIdentity;
}

/** The Lease's holder as written, live or not. */
export function writtenHolder(lease: KubeObject | undefined): string | undefined {
  return ((lease?.['spec'] as LeaseSpec | undefined)?.holderIdentity ?? undefined) || undefined;
}

/** RFC 3339 with microseconds: the MicroTime format of Lease times. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
