// The resource types backups carry: the backup bot's RBAC is exactly `list` on these and the restore
// bot's `create` on these (no wildcards), so custom resources outside the catalog are not backed up.
import { resources } from '../k8s/resources.ts';
import type { ResourceType } from '../k8s/types.ts';

/** Namespaced types, in the order they are read. Pods and ReplicaSets: only those no controller owns. */
export const NAMESPACED_TYPES: readonly ResourceType[] = [
  resources.serviceaccounts,
  resources.secrets,
  resources.configmaps,
  resources.persistentvolumeclaims,
  resources.limitranges,
  resources.resourcequotas,
  resources.roles,
  resources.rolebindings,
  resources.services,
  resources.deployments,
  resources.statefulsets,
  resources.daemonsets,
  resources.replicasets,
  resources.jobs,
  resources.cronjobs,
  resources.pods,
  resources.ingresses,
  resources.networkpolicies,
  resources.poddisruptionbudgets,
  resources.horizontalpodautoscalers,
  resources.volumesnapshots,
];

/** Cluster-scoped types a backup may carry, when a selected object depends on them. */
export const CLUSTER_TYPES: readonly ResourceType[] = [
  resources.namespaces,
  resources.persistentvolumes,
  resources.storageclasses,
  resources.clusterroles,
  resources.ingressclasses,
  resources.volumesnapshotclasses,
  resources.volumesnapshotcontents,
];

/** `deployments.apps`, `configmaps`: how include/exclude options name types (Velero's form). */
export function typeName(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}
