// What a backup leaves out, and why (each reason is reported, never silent).
import type { KubeObject } from '../k8s/types.ts';

/** Velero's opt-out label, honoured on an object and on its namespace. */
export const EXCLUDE_LABEL = 'velero.io/exclude-from-backup';

export type SkipReason =
  | 'event' // Velero never backs up or restores events
  | 'excluded-by-label' // velero.io/exclude-from-backup=true on the object or its namespace
  | 'owned-by-controller' // its controller recreates it (Pods of a ReplicaSet, ReplicaSets of a Deployment, ...)
  | 'service-account-token' // the token controller issues a new one
  | 'cluster-managed' // created in every namespace by the control plane (kube-root-ca.crt)
  | 'secret-not-requested'; // Secrets only when asked (then the archive is encrypted)

/** Kinds a controller recreates from its owner, so backing them up would restore stale copies. */
const RECREATED_BY_OWNER = new Set(['Pod', 'ReplicaSet', 'Job', 'ControllerRevision', 'EndpointSlice']);

export interface SkipContext {
  /** Labels of the object's namespace (for the namespace-level opt-out). */
  namespaceLabels?: Readonly<Record<string, string>>;
  includeSecrets: boolean;
}

export function backupSkipReason(obj: KubeObject, context: SkipContext): SkipReason | undefined {
  const kind = obj.kind ?? '';
  if (kind === 'Event') return 'event';
  if (
    obj.metadata.labels?.[EXCLUDE_LABEL] === 'true' ||
    context.namespaceLabels?.[EXCLUDE_LABEL] === 'true'
  ) {
    return 'excluded-by-label';
  }
  if (RECREATED_BY_OWNER.has(kind) && obj.metadata.ownerReferences?.some((ref) => ref.controller === true)) {
    return 'owned-by-controller';
  }
  if (kind === 'Secret') {
    if (obj.type === 'kubernetes.io/service-account-token') return 'service-account-token';
    if (!context.includeSecrets) return 'secret-not-requested';
  }
  if (kind === 'ConfigMap' && obj.metadata.name === 'kube-root-ca.crt') return 'cluster-managed';
  return undefined;
}

export type RestoreSkipReason = 'completed' | 'never-restored';

/** Velero's restore-time skips: finished Pods and Jobs, and kinds it never restores. */
export function restoreSkipReason(obj: KubeObject): RestoreSkipReason | undefined {
  const kind = obj.kind ?? '';
  if (kind === 'Node' || kind === 'Event' || (obj.apiVersion ?? '').startsWith('velero.io/')) {
    return 'never-restored';
  }
  const status = obj.status as { phase?: unknown; completionTime?: unknown } | undefined;
  if (kind === 'Pod' && (status?.phase === 'Succeeded' || status?.phase === 'Failed')) return 'completed';
  if (kind === 'Job' && typeof status?.completionTime === 'string' && status.completionTime !== '') {
    return 'completed';
  }
  return undefined;
}
