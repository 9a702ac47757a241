// The resource types bots address, as the API server names them (group '' is core/v1).
import type { ResourceType } from './types.ts';

function rt(group: string, version: string, plural: string, kind: string, namespaced: boolean): ResourceType {
  return Object.freeze({ group, version, plural, kind, namespaced });
}

export const resources = Object.freeze({
  // core/v1
  namespaces: rt('', 'v1', 'namespaces', 'Namespace', false),
  nodes: rt('', 'v1', 'nodes', 'Node', false),
  pods: rt('', 'v1', 'pods', 'Pod', true),
  services: rt('', 'v1', 'services', 'Service', true),
  endpoints: rt('', 'v1', 'endpoints', 'Endpoints', true),
  configmaps: rt('', 'v1', 'configmaps', 'ConfigMap', true),
  secrets: rt('', 'v1', 'secrets', 'Secret', true),
  events: rt('', 'v1', 'events', 'Event', true),
  persistentvolumeclaims: rt('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true),
  persistentvolumes: rt('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  serviceaccounts: rt('', 'v1', 'serviceaccounts', 'ServiceAccount', true),
  resourcequotas: rt('', 'v1', 'resourcequotas', 'ResourceQuota', true),
  limitranges: rt('', 'v1', 'limitranges', 'LimitRange', true),
  replicationcontrollers: rt('', 'v1', 'replicationcontrollers', 'ReplicationController', true),
  // apps/v1
  deployments: rt('apps', 'v1', 'deployments', 'Deployment', true),
  replicasets: rt('apps', 'v1', 'replicasets', 'ReplicaSet', true),
  statefulsets: rt('apps', 'v1', 'statefulsets', 'StatefulSet', true),
  daemonsets: rt('apps', 'v1', 'daemonsets', 'DaemonSet', true),
  // discovery.k8s.io/v1
  endpointslices: rt('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  // batch/v1
  jobs: rt('batch', 'v1', 'jobs', 'Job', true),
  cronjobs: rt('batch', 'v1', 'cronjobs', 'CronJob', true),
  // networking.k8s.io/v1
  ingresses: rt('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true),
  networkpolicies: rt('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true),
  ingressclasses: rt('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  // policy/v1
  poddisruptionbudgets: rt('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true),
  // autoscaling/v2
  horizontalpodautoscalers: rt(
    'autoscaling',
    'v2',
    'horizontalpodautoscalers',
    'HorizontalPodAutoscaler',
    true,
  ),
  // rbac.authorization.k8s.io/v1
  roles: rt('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  rolebindings: rt('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  clusterroles: rt('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  clusterrolebindings: rt(
    'rbac.authorization.k8s.io',
    'v1',
    'clusterrolebindings',
    'ClusterRoleBinding',
    false,
  ),
  // coordination.k8s.io/v1
  leases: rt('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  // storage.k8s.io/v1
  storageclasses: rt('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  volumeattachments: rt('storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', false),
  // snapshot.storage.k8s.io/v1 (CRDs of the external snapshotter)
  volumesnapshots: rt('snapshot.storage.k8s.io', 'v1', 'volumesnapshots', 'VolumeSnapshot', true),
  volumesnapshotcontents: rt(
    'snapshot.storage.k8s.io',
    'v1',
    'volumesnapshotcontents',
    'VolumeSnapshotContent',
    false,
  ),
  volumesnapshotclasses: rt(
    'snapshot.storage.k8s.io',
    'v1',
    'volumesnapshotclasses',
    'VolumeSnapshotClass',
    false,
  ),
  // metrics.k8s.io/v1beta1 (aggregated, read-only: get/list only)
  nodeMetrics: rt('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false),
  podMetrics: rt('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true),
});

export type ResourceName = keyof typeof resources;

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** The collection path, e.g. `/apis/apps/v1/namespaces/web/deployments` or `/api/v1/nodes`. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  if (type.namespaced && namespace !== undefined && namespace !== '') {
    return `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
  }
  return `${base}/${type.plural}`;
}

/** The object path; namespaced types need a namespace. */
export function objectPath(type: ResourceType, name: string, namespace?: string): string {
  if (type.namespaced && (namespace === undefined || namespace === '')) {
    throw new TypeError(`${type.plural} is namespaced: a namespace is required for "${name}"`);
  }
  return `${collectionPath(type, namespace)}/${encodeURIComponent(name)}`;
}
