// What a backup holds: a fixed catalog of resource types (the bot's RBAC is exactly `list` on these,
// no wildcards, so custom resources outside it are not backed up), plus the cluster-scoped objects
// the selected namespaces depend on.
import type { ResourceType } from '../../shared/index.ts';
import { NAMESPACED_TYPES, typeName } from '../../shared/storage/index.ts';

export { CLUSTER_TYPES, NAMESPACED_TYPES, typeName } from '../../shared/storage/index.ts';

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
