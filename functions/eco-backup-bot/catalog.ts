// What a backup holds: a fixed catalog of resource types (the bot's RBAC is exactly `list` on these,
// no wildcards, so custom resources outside it are not backed up), plus the cluster-scoped objects
// the selected namespaces depend on.
import { resources, type ResourceType } from '../../shared/index.ts';

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

/** Also accepted: the kind (`Deployment`) or the bare plural (`deployments`). */
export function matchesTypeName(type: ResourceType, name: string): boolean {
  const n = name.trim();
  return n === typeName(type) || n === type.plural || n.toLowerCase() === type.kind.toLowerCase();
}

export interface TypeSelection {
  include?: readonly string[] | undefined;
  exclude?: readonly string[] | undefined;
}

/** The namespaced types to read; unknown names are returned so the bot answers 400 naming them. */
export function selectTypes(selection: TypeSelection): { types: ResourceType[]; unknown: string[] } {
  const all = [...NAMESPACED_TYPES];
  const known = (name: string): boolean => all.some((t) => matchesTypeName(t, name));
  const unknown = [...(selection.include ?? []), ...(selection.exclude ?? [])].filter((n) => !known(n));
  const included =
    selection.include === undefined || selection.include.length === 0
      ? all
      : all.filter((t) => selection.include?.some((n) => matchesTypeName(t, n)));
  const types = included.filter((t) => !selection.exclude?.some((n) => matchesTypeName(t, n)));
  return { types, unknown };
}
