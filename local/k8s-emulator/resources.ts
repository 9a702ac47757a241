// The emulator's resource table: the built-in kinds it serves, written compactly in code (the design
// forbids reading /work/shared at run time). Verbs, scope and subresources follow the Kubernetes 1.35
// OpenAPI v3 paths; short names and categories follow `kubectl api-resources`. CRDs stored in the
// emulator (the snapshot ones are pre-loaded) add their resources at run time.
import type { KubeObject } from '../../shared/k8s/types.ts';

export type ApiVerb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceDef {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly ApiVerb[];
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** Subresources served: status, scale, log, eviction, finalize. */
  readonly subresources: readonly string[];
  /** Writes to the main resource ignore `.status` (status subresource present). */
  readonly hasStatus: boolean;
  /** metadata.generation is maintained (spec-carrying kinds). */
  readonly hasGeneration: boolean;
  /** DELETE answers with the deleted object instead of a Status (ReturnDeletedObject stores). */
  readonly returnDeleted: boolean;
  /** A custom resource: list items keep TypeMeta, strategic merge patch is refused (415). */
  readonly custom: boolean;
  /** Served read-only (metrics.k8s.io): get/list only. */
  readonly readOnly: boolean;
  /** Name validation: DNS-1123 label (namespaces, services) or subdomain (everything else). */
  readonly nameRule: 'label' | 'subdomain' | 'path';
  /** Extra field selectors beyond metadata.name/metadata.namespace. */
  readonly fields: readonly string[];
  /** PUT on a missing object creates it (Lease). */
  readonly createOnUpdate: boolean;
}

const ALL: readonly ApiVerb[] = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
const NO_DC: readonly ApiVerb[] = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const READ: readonly ApiVerb[] = ['get', 'list'];

interface DefOptions {
  short?: string[];
  cat?: string[];
  sub?: string[];
  gen?: boolean;
  returnDeleted?: boolean;
  verbs?: readonly ApiVerb[];
  nameRule?: 'label' | 'subdomain' | 'path';
  fields?: string[];
  custom?: boolean;
  readOnly?: boolean;
  createOnUpdate?: boolean;
}

function def(gv: string, plural: string, kind: string, namespaced: boolean, o: DefOptions = {}): ResourceDef {
  const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
  const sub = o.sub ?? [];
  return {
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced,
    verbs: o.verbs ?? (o.readOnly ? READ : ALL),
    shortNames: o.short ?? [],
    categories: o.cat ?? [],
    subresources: sub,
    hasStatus: sub.includes('status'),
    hasGeneration: o.gen ?? false,
    returnDeleted: o.returnDeleted ?? false,
    custom: o.custom ?? false,
    readOnly: o.readOnly ?? false,
    nameRule: o.nameRule ?? 'subdomain',
    fields: o.fields ?? [],
    createOnUpdate: o.createOnUpdate ?? false,
  };
}

const POD_FIELDS = [
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
];
const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

export const BUILTIN_RESOURCES: readonly ResourceDef[] = [
  def('v1', 'namespaces', 'Namespace', false, {
    short: ['ns'],
    sub: ['status', 'finalize'],
    verbs: NO_DC,
    nameRule: 'label',
    fields: ['status.phase'],
  }),
  def('v1', 'nodes', 'Node', false, { short: ['no'], sub: ['status'], fields: ['spec.unschedulable'] }),
  def('v1', 'pods', 'Pod', true, {
    short: ['po'],
    cat: ['all'],
    sub: ['status', 'log', 'eviction'],
    gen: true,
    returnDeleted: true,
    fields: POD_FIELDS,
  }),
  def('v1', 'services', 'Service', true, {
    short: ['svc'],
    cat: ['all'],
    sub: ['status'],
    nameRule: 'label',
    fields: ['spec.clusterIP', 'spec.type'],
  }),
  def('v1', 'endpoints', 'Endpoints', true, { short: ['ep'] }),
  def('v1', 'configmaps', 'ConfigMap', true, { short: ['cm'] }),
  def('v1', 'secrets', 'Secret', true, { fields: ['type'] }),
  def('v1', 'events', 'Event', true, { short: ['ev'], fields: EVENT_FIELDS }),
  def('v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, {
    short: ['pvc'],
    sub: ['status'],
    returnDeleted: true,
  }),
  def('v1', 'persistentvolumes', 'PersistentVolume', false, {
    short: ['pv'],
    sub: ['status'],
    returnDeleted: true,
  }),
  def('v1', 'serviceaccounts', 'ServiceAccount', true, { short: ['sa'], returnDeleted: true }),
  def('v1', 'resourcequotas', 'ResourceQuota', true, { short: ['quota'], sub: ['status'] }),
  def('v1', 'limitranges', 'LimitRange', true, { short: ['limits'] }),
  def('v1', 'replicationcontrollers', 'ReplicationController', true, {
    short: ['rc'],
    cat: ['all'],
    sub: ['status', 'scale'],
    gen: true,
    fields: ['status.replicas'],
  }),
  def('apps/v1', 'deployments', 'Deployment', true, {
    short: ['deploy'],
    cat: ['all'],
    sub: ['status', 'scale'],
    gen: true,
  }),
  def('apps/v1', 'replicasets', 'ReplicaSet', true, {
    short: ['rs'],
    cat: ['all'],
    sub: ['status', 'scale'],
    gen: true,
    fields: ['status.replicas'],
  }),
  def('apps/v1', 'statefulsets', 'StatefulSet', true, {
    short: ['sts'],
    cat: ['all'],
    sub: ['status', 'scale'],
    gen: true,
  }),
  def('apps/v1', 'daemonsets', 'DaemonSet', true, {
    short: ['ds'],
    cat: ['all'],
    sub: ['status'],
    gen: true,
  }),
  def('apps/v1', 'controllerrevisions', 'ControllerRevision', true),
  def('batch/v1', 'jobs', 'Job', true, {
    cat: ['all'],
    sub: ['status'],
    gen: true,
    fields: ['status.successful'],
  }),
  def('batch/v1', 'cronjobs', 'CronJob', true, { short: ['cj'], cat: ['all'], sub: ['status'], gen: true }),
  def('networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy', true, { short: ['netpol'], gen: true }),
  def('networking.k8s.io/v1', 'ingresses', 'Ingress', true, { short: ['ing'], sub: ['status'], gen: true }),
  def('networking.k8s.io/v1', 'ingressclasses', 'IngressClass', false),
  def('discovery.k8s.io/v1', 'endpointslices', 'EndpointSlice', true),
  def('events.k8s.io/v1', 'events', 'Event', true, { short: ['ev'] }),
  def('scheduling.k8s.io/v1', 'priorityclasses', 'PriorityClass', false, { short: ['pc'] }),
  def('policy/v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, {
    short: ['pdb'],
    sub: ['status'],
    gen: true,
  }),
  def('autoscaling/v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    short: ['hpa'],
    cat: ['all'],
    sub: ['status'],
  }),
  def('rbac.authorization.k8s.io/v1', 'roles', 'Role', true, { nameRule: 'path' }),
  def('rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding', true, { nameRule: 'path' }),
  def('rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole', false, { nameRule: 'path' }),
  def('rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding', false, {
    nameRule: 'path',
  }),
  def('coordination.k8s.io/v1', 'leases', 'Lease', true, { createOnUpdate: true }),
  def('storage.k8s.io/v1', 'storageclasses', 'StorageClass', false, { short: ['sc'] }),
  def('apiextensions.k8s.io/v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    short: ['crd', 'crds'],
    sub: ['status'],
    gen: true,
  }),
  def('authorization.k8s.io/v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, {
    verbs: ['create'],
  }),
  def('authentication.k8s.io/v1', 'selfsubjectreviews', 'SelfSubjectReview', false, { verbs: ['create'] }),
  def('authentication.k8s.io/v1', 'tokenreviews', 'TokenReview', false, { verbs: ['create'] }),
  def('metrics.k8s.io/v1beta1', 'nodes', 'NodeMetrics', false, { readOnly: true }),
  def('metrics.k8s.io/v1beta1', 'pods', 'PodMetrics', true, { readOnly: true }),
];

/** `deployments.apps`, or `pods` for the core group: GroupResource.String() of the real server. */
export function groupResource(d: Pick<ResourceDef, 'group' | 'plural'>): string {
  return d.group === '' ? d.plural : `${d.plural}.${d.group}`;
}

export function groupVersion(d: Pick<ResourceDef, 'group' | 'version'>): string {
  return d.group === '' ? d.version : `${d.group}/${d.version}`;
}

/** Store key of a resource: group + plural (one served version per group). */
export function resourceId(d: Pick<ResourceDef, 'group' | 'plural'>): string {
  return `${d.group}/${d.plural}`;
}

interface CrdVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  subresources?: { status?: unknown; scale?: unknown };
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: {
    plural?: string;
    singular?: string;
    kind?: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  versions?: CrdVersion[];
}

/** The resource a CustomResourceDefinition declares (its storage version), or undefined if malformed. */
export function defFromCrd(crd: KubeObject): ResourceDef | undefined {
  const spec = crd['spec'] as CrdSpec | undefined;
  const names = spec?.names;
  if (!spec?.group || !names?.plural || !names.kind) return undefined;
  const versions = (spec.versions ?? []).filter((v) => v.served !== false && v.name);
  const version = versions.find((v) => v.storage) ?? versions[0];
  if (!version?.name) return undefined;
  const sub: string[] = [];
  if (version.subresources?.status !== undefined) sub.push('status');
  if (version.subresources?.scale !== undefined) sub.push('scale');
  return {
    ...def(`${spec.group}/${version.name}`, names.plural, names.kind, spec.scope !== 'Cluster', {
      short: names.shortNames ?? [],
      cat: names.categories ?? [],
      sub,
      gen: true,
      custom: true,
    }),
    singular: names.singular ?? names.kind.toLowerCase(),
    listKind: names.listKind ?? `${names.kind}List`,
  };
}

/** Built-ins plus the CRDs currently stored; looked up by path segments or by apiVersion/kind. */
export class Registry {
  private readonly builtins = new Map<string, ResourceDef>();
  private readonly crds = new Map<string, ResourceDef>();

  constructor() {
    for (const d of BUILTIN_RESOURCES) this.builtins.set(`${groupVersion(d)}/${d.plural}`, d);
  }

  all(): ResourceDef[] {
    return [...this.builtins.values(), ...this.crds.values()];
  }

  /** By URL: group '' for /api/v1. */
  byPath(group: string, version: string, plural: string): ResourceDef | undefined {
    const key = `${group === '' ? version : `${group}/${version}`}/${plural}`;
    return this.builtins.get(key) ?? this.crds.get(key);
  }

  byKind(apiVersion: string, kind: string): ResourceDef | undefined {
    return this.all().find((d) => groupVersion(d) === apiVersion && d.kind === kind);
  }

  /** Test API lookup: `pods`, `deployments.apps`, `po`, or `{ group, plural }`. */
  resolve(ref: string | { group: string; plural: string }): ResourceDef | undefined {
    if (typeof ref !== 'string')
      return this.all().find((d) => d.group === ref.group && d.plural === ref.plural);
    const dot = ref.indexOf('.');
    const name = dot < 0 ? ref : ref.slice(0, dot);
    const group = dot < 0 ? undefined : ref.slice(dot + 1);
    const matches = this.all().filter(
      (d) =>
        (group === undefined || d.group === group) &&
        (d.plural === name || d.singular === name || d.shortNames.includes(name)),
    );
    // Without a group, prefer the core/built-in meaning (`pods` is core pods, not metrics pods).
    return matches.find((d) => !d.readOnly) ?? matches[0];
  }

  groupVersions(): Array<{ group: string; version: string }> {
    const seen = new Map<string, { group: string; version: string }>();
    for (const d of this.all()) seen.set(groupVersion(d), { group: d.group, version: d.version });
    return [...seen.values()];
  }

  registerCrd(crd: KubeObject): ResourceDef | undefined {
    const d = defFromCrd(crd);
    if (!d) return undefined;
    this.crds.set(`${groupVersion(d)}/${d.plural}`, d);
    return d;
  }

  unregisterCrd(crd: KubeObject): void {
    const d = defFromCrd(crd);
    if (d) this.crds.delete(`${groupVersion(d)}/${d.plural}`);
  }
}
