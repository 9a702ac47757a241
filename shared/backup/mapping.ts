// Namespace mapping on restore (Velero `namespaceMapping`): the object's namespace, a Namespace's own
// name, the ServiceAccount subjects of (Cluster)RoleBindings and a PersistentVolume's claimRef
// follow the mapping, as Velero's item actions do.
import type { KubeObject } from '../k8s/types.ts';

export type NamespaceMapping = Readonly<Record<string, string>>;

export function mapNamespace(namespace: string, mapping: NamespaceMapping): string {
  return mapping[namespace] ?? namespace;
}

/** A copy of `obj` moved by `mapping`. */
export function applyNamespaceMapping(obj: KubeObject, mapping: NamespaceMapping): KubeObject {
  if (Object.keys(mapping).length === 0) return obj;
  const out = structuredClone(obj);
  if (out.metadata.namespace !== undefined)
    out.metadata.namespace = mapNamespace(out.metadata.namespace, mapping);
  const kind = out.kind ?? '';
  if (kind === 'Namespace') out.metadata.name = mapNamespace(out.metadata.name, mapping);
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
    const subjects = out.subjects;
    if (Array.isArray(subjects)) {
      for (const subject of subjects as Array<{ kind?: string; namespace?: string }>) {
        if (subject.kind === 'ServiceAccount' && subject.namespace !== undefined) {
          subject.namespace = mapNamespace(subject.namespace, mapping);
        }
      }
    }
  }
  if (kind === 'PersistentVolume') {
    const claimRef = (out.spec as { claimRef?: { namespace?: string } } | undefined)?.claimRef;
    if (claimRef?.namespace !== undefined) claimRef.namespace = mapNamespace(claimRef.namespace, mapping);
  }
  return out;
}

/** `a:b,c:d` (Velero's CLI form) or an object; a string naming the problem when malformed. */
export function parseNamespaceMapping(value: string | Record<string, string>): NamespaceMapping | string {
  const entries =
    typeof value === 'string'
      ? value
          .split(',')
          .map((pair) => pair.trim())
          .filter(Boolean)
          .map((pair) => pair.split(':') as [string, string?])
      : Object.entries(value);
  const out: Record<string, string> = {};
  for (const [from, to] of entries) {
    if (!isName(from) || to === undefined || !isName(to))
      return `"${from}:${to ?? ''}" is not old:new namespace names`;
    out[from] = to;
  }
  return out;
}

function isName(value: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value);
}
