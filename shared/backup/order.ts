// Velero's restore priorities (pkg/cmd/server/config/config.go defaultRestorePriorities), with
// ResourceQuotas after LimitRanges. Anything not listed follows, in a stable order, so workloads
// (Deployments, StatefulSets, ...) come after everything they mount or run as.

/** `<plural>` for core, `<plural>.<group>` otherwise, as Velero writes resources. */
export const RESTORE_PRIORITIES: readonly string[] = [
  'customresourcedefinitions.apiextensions.k8s.io',
  'namespaces',
  'storageclasses.storage.k8s.io',
  'volumesnapshotclasses.snapshot.storage.k8s.io',
  'volumesnapshotcontents.snapshot.storage.k8s.io',
  'volumesnapshots.snapshot.storage.k8s.io',
  'persistentvolumes',
  'persistentvolumeclaims',
  'clusterroles.rbac.authorization.k8s.io',
  'roles.rbac.authorization.k8s.io',
  'serviceaccounts',
  'clusterrolebindings.rbac.authorization.k8s.io',
  'rolebindings.rbac.authorization.k8s.io',
  'secrets',
  'configmaps',
  'limitranges',
  'resourcequotas',
  'priorityclasses.scheduling.k8s.io',
  'pods',
  'replicasets.apps',
  'endpoints',
  'services',
];

export function groupResource(plural: string, group: string): string {
  return group === '' ? plural : `${plural}.${group}`;
}

/** Sorts by Velero's priority, then the rest by resource name, then by namespace and name. */
export function compareRestoreOrder(
  a: { plural: string; group: string; namespace?: string | undefined; name: string },
  b: { plural: string; group: string; namespace?: string | undefined; name: string },
): number {
  const rank = (x: typeof a): number => {
    const at = RESTORE_PRIORITIES.indexOf(groupResource(x.plural, x.group));
    return at < 0 ? RESTORE_PRIORITIES.length : at;
  };
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return byRank;
  const byResource = groupResource(a.plural, a.group).localeCompare(groupResource(b.plural, b.group));
  if (byResource !== 0) return byResource;
  return `${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.namespace ?? ''}/${b.name}`);
}
