// Objects declared with a removed or deprecated API version (Popeye 403, kube-score stable-version,
// Pluto's method): the server converts every object to the version it serves, so the version a person
// or a tool declared survives only in `kubectl.kubernetes.io/last-applied-configuration` and in the
// managedFields entries of the managers that wrote it.
import { check, resources, type KubeObject, type ResourceType, type Snapshot } from '../../shared/index.ts';
import { deprecationOf, removedBy, type Deprecation } from '../../shared/index.ts';
import { crdType } from './inventory.ts';

export const KINDS = {
  nodes: resources.nodes,
  namespaces: resources.namespaces,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  daemonsets: resources.daemonsets,
  jobs: resources.jobs,
  cronjobs: resources.cronjobs,
  ingresses: resources.ingresses,
  networkpolicies: resources.networkpolicies,
  poddisruptionbudgets: resources.poddisruptionbudgets,
  horizontalpodautoscalers: resources.horizontalpodautoscalers,
  roles: resources.roles,
  rolebindings: resources.rolebindings,
  clusterroles: resources.clusterroles,
  clusterrolebindings: resources.clusterrolebindings,
  storageclasses: resources.storageclasses,
  crds: crdType,
};
export type InfraSnap = Snapshot<typeof KINDS> & { serverMinor: number | undefined };
export type InfraSettings = Record<string, never>;

/** The kinds whose declared apiVersion is looked at (all but the inventory-only ones). */
const SCANNED = Object.keys(KINDS).filter(
  (k) => k !== 'nodes' && k !== 'namespaces',
) as (keyof typeof KINDS)[];

export interface Declared {
  apiVersion: string;
  source: 'last-applied-configuration' | 'managedFields';
  manager?: string;
}

/** The API versions an object was declared with, besides the one the server answers with. */
export function declaredVersions(object: KubeObject): Declared[] {
  const out: Declared[] = [];
  const applied = object.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (applied) {
    try {
      const parsed = JSON.parse(applied) as { apiVersion?: unknown };
      if (typeof parsed.apiVersion === 'string')
        out.push({ apiVersion: parsed.apiVersion, source: 'last-applied-configuration' });
    } catch {
      // A hand-edited annotation that is not JSON says nothing about the version.
    }
  }
  const managed = (object.metadata as { managedFields?: { apiVersion?: string; manager?: string }[] })
    .managedFields;
  for (const entry of managed ?? [])
    if (entry.apiVersion && !out.some((d) => d.apiVersion === entry.apiVersion))
      out.push({
        apiVersion: entry.apiVersion,
        source: 'managedFields',
        ...(entry.manager ? { manager: entry.manager } : {}),
      });
  return out;
}

function* deprecatedUse(
  snap: InfraSnap,
  want: (d: Deprecation) => boolean,
): Generator<{ object: KubeObject; type: ResourceType; d: Deprecation; declared: Declared }> {
  for (const key of SCANNED) {
    const type = KINDS[key];
    for (const object of snap.objects[key]) {
      for (const declared of declaredVersions(object)) {
        const d = deprecationOf(declared.apiVersion, object.kind ?? type.kind);
        if (d && want(d)) yield { object, type, d, declared };
      }
    }
  }
}

const label = (o: KubeObject, type: ResourceType): string =>
  `${o.kind ?? type.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

export const removedApi = check<InfraSnap, InfraSettings>({
  id: 'infra.removed-api',
  severity: 'critical',
  title: 'object declared with an API version this cluster no longer serves',
  anchor: 'Popeye POP-403; kube-score stable-version; Kubernetes deprecated API migration guide',
  *run(snap) {
    for (const { object, type, d, declared } of deprecatedUse(snap, (x) => removedBy(x, snap.serverMinor)))
      yield {
        object,
        type,
        discriminator: declared.apiVersion,
        message: `${label(object, type)} was last ${declared.source === 'managedFields' ? `written by ${declared.manager ?? 'a manager'}` : 'applied'} as ${d.apiVersion}, removed in Kubernetes ${d.removedIn}: re-applying that manifest now fails.`,
        evidence: {
          declaredApiVersion: d.apiVersion,
          source: declared.source,
          ...(declared.manager ? { manager: declared.manager } : {}),
          removedIn: d.removedIn,
          replacement: d.replacement,
          servedAs: object.apiVersion ?? null,
        },
        fix: `Change the manifest to ${d.replacement} (kubectl convert, or edit apiVersion and the fields the guide lists) and re-apply it.`,
      };
  },
});

export const deprecatedApi = check<InfraSnap, InfraSettings>({
  id: 'infra.deprecated-api',
  severity: 'warning',
  title: 'object declared with a deprecated API version that is still served',
  anchor: 'Popeye POP-403 (deprecated); Kyverno check-deprecated-apis',
  *run(snap) {
    for (const { object, type, d, declared } of deprecatedUse(snap, (x) => !removedBy(x, snap.serverMinor)))
      yield {
        object,
        type,
        discriminator: declared.apiVersion,
        message: `${label(object, type)} is declared as ${d.apiVersion}, deprecated (${d.removedIn}).`,
        evidence: {
          declaredApiVersion: d.apiVersion,
          source: declared.source,
          removedIn: d.removedIn,
          replacement: d.replacement,
        },
        fix: `Move the manifest to ${d.replacement} before the removal.`,
      };
  },
});

export const CHECKS = [removedApi, deprecatedApi];
