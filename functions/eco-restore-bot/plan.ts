// A restore plan from an archive's items: Velero's restore-time skips, the namespace and resource
// filters, cleaning (resetMetadataAndStatus and item actions), namespace mapping, and Velero's order.
// Pure: the handler fetches the archive and applies the plan.
import {
  applyNamespaceMapping,
  cleanForRestore,
  compareRestoreOrder,
  diffPaths,
  groupResource,
  parseItemPath,
  restoreSkipReason,
  type ArchiveItem,
  type NamespaceMapping,
} from '../../shared/storage/index.ts';
import type { KubeObject } from '../../shared/index.ts';

export type PlanSkip = 'completed' | 'never-restored' | 'namespace-not-selected' | 'resource-not-selected';

export interface PlannedObject {
  plural: string;
  group: string;
  /** Version from the object's apiVersion (the one it was backed up in). */
  version: string;
  namespaced: boolean;
  /** After mapping. */
  namespace: string | undefined;
  name: string;
  /** Where it came from, for the report. */
  source: { namespace: string | undefined; name: string; path: string };
  /** Cleaned and mapped: what is sent. */
  object: KubeObject;
  skip?: PlanSkip;
}

export interface PlanOptions {
  /** Only these source namespaces (empty: all in the archive). */
  namespaces?: readonly string[] | undefined;
  /** Velero-style `deployments.apps`, `configmaps`; empty: all. */
  includeResources?: readonly string[] | undefined;
  excludeResources?: readonly string[] | undefined;
  mapping: NamespaceMapping;
  preserveNodePorts?: boolean | undefined;
}

function versionOf(apiVersion: string | undefined): string {
  const value = apiVersion ?? 'v1';
  return value.includes('/') ? (value.split('/')[1] ?? value) : value;
}

function matches(names: readonly string[] | undefined, plural: string, group: string, kind: string): boolean {
  return (names ?? []).some(
    (n) => n === groupResource(plural, group) || n === plural || n.toLowerCase() === kind.toLowerCase(),
  );
}

export function planRestore(items: readonly ArchiveItem[], options: PlanOptions): PlannedObject[] {
  const planned: PlannedObject[] = [];
  const namespaceFilter =
    options.namespaces && options.namespaces.length > 0 ? new Set(options.namespaces) : undefined;
  for (const item of items) {
    const address = parseItemPath(item.path);
    const original = item.data as KubeObject;
    const kind = original.kind ?? '';
    const sourceNamespace = address.namespace ?? (kind === 'Namespace' ? address.name : undefined);
    let skip: PlanSkip | undefined = restoreSkipReason(original);
    if (
      skip === undefined &&
      namespaceFilter &&
      sourceNamespace !== undefined &&
      !namespaceFilter.has(sourceNamespace)
    ) {
      skip = 'namespace-not-selected';
    }
    if (
      skip === undefined &&
      ((options.includeResources?.length &&
        !matches(options.includeResources, address.plural, address.group, kind)) ||
        matches(options.excludeResources, address.plural, address.group, kind))
    ) {
      skip = 'resource-not-selected';
    }
    const object = applyNamespaceMapping(
      cleanForRestore(original, { preserveNodePorts: options.preserveNodePorts ?? false }),
      options.mapping,
    );
    planned.push({
      plural: address.plural,
      group: address.group,
      version: versionOf(original.apiVersion),
      namespaced: address.namespace !== undefined,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      source: { namespace: address.namespace, name: address.name, path: item.path },
      object,
      ...(skip === undefined ? {} : { skip }),
    });
  }
  addMissingNamespaces(planned);
  return planned.sort((a, b) => compareRestoreOrder(a, b));
}

/** Velero creates the target namespace of restored objects when the archive does not hold it. */
function addMissingNamespaces(planned: PlannedObject[]): void {
  const present = new Set(planned.filter((p) => p.plural === 'namespaces' && !p.skip).map((p) => p.name));
  const needed = new Set(
    planned.filter((p) => !p.skip && p.namespace !== undefined).map((p) => p.namespace as string),
  );
  for (const name of needed) {
    if (present.has(name)) continue;
    // A mapped namespace whose source Namespace object is in the archive but filtered: reuse nothing.
    planned.push({
      plural: 'namespaces',
      group: '',
      version: 'v1',
      namespaced: false,
      namespace: undefined,
      name,
      source: { namespace: undefined, name, path: '(created for the restore)' },
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    });
  }
}

export type ExistingPolicy = 'skip' | 'update';

export type Decision =
  | { action: 'create' }
  | { action: 'unchanged' }
  | { action: 'update'; differences: string[] }
  | { action: 'skip-exists'; differences: string[] };

/**
 * What to do with one planned object given what the cluster has (Velero existingResourcePolicy):
 * absent: create; present and equal after cleaning: nothing; present and different: update or skip.
 */
export function decide(
  planned: PlannedObject,
  existing: KubeObject | undefined,
  policy: ExistingPolicy,
): Decision {
  if (existing === undefined) return { action: 'create' };
  const current = cleanForRestore(existing);
  const differences = diffPaths(comparable(current), comparable(planned.object), 20);
  if (differences.length === 0) return { action: 'unchanged' };
  return policy === 'update' ? { action: 'update', differences } : { action: 'skip-exists', differences };
}

/** Both sides without what only the server sets, so the comparison is about desired state. */
function comparable(obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  delete (out.metadata as { finalizers?: unknown }).finalizers;
  return out;
}
