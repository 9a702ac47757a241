// Shared by eco-infra-bot (live objects) and eco-iacode-bot (manifests in a repository).
// The Kubernetes deprecated API migration guide (kubernetes.io/docs/reference/using-api/deprecation-guide),
// v1.16 to v1.35: the group/version of a kind, the release that stopped serving it, and what replaces
// it. Popeye 403 and kube-score stable-version flag an object still declared with one of these.

export interface Deprecation {
  apiVersion: string;
  kind: string;
  /** The release that removed it (no longer served); for a deprecated-only API the planned removal. */
  removedIn: string;
  /** false: deprecated, still served in the newest release this table knows. */
  removed: boolean;
  replacement: string;
}

const rows: [string, string[], string, string][] = [
  // v1.16
  ['extensions/v1beta1', ['Deployment', 'DaemonSet', 'ReplicaSet'], '1.16', 'apps/v1'],
  ['apps/v1beta1', ['Deployment', 'StatefulSet', 'ReplicaSet'], '1.16', 'apps/v1'],
  ['apps/v1beta2', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'], '1.16', 'apps/v1'],
  ['extensions/v1beta1', ['NetworkPolicy'], '1.16', 'networking.k8s.io/v1'],
  ['extensions/v1beta1', ['PodSecurityPolicy'], '1.16', 'none (Pod Security Admission)'],
  // v1.22
  [
    'admissionregistration.k8s.io/v1beta1',
    ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    '1.22',
    'admissionregistration.k8s.io/v1',
  ],
  ['apiextensions.k8s.io/v1beta1', ['CustomResourceDefinition'], '1.22', 'apiextensions.k8s.io/v1'],
  ['apiregistration.k8s.io/v1beta1', ['APIService'], '1.22', 'apiregistration.k8s.io/v1'],
  ['authentication.k8s.io/v1beta1', ['TokenReview'], '1.22', 'authentication.k8s.io/v1'],
  [
    'authorization.k8s.io/v1beta1',
    ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview'],
    '1.22',
    'authorization.k8s.io/v1',
  ],
  ['certificates.k8s.io/v1beta1', ['CertificateSigningRequest'], '1.22', 'certificates.k8s.io/v1'],
  ['coordination.k8s.io/v1beta1', ['Lease'], '1.22', 'coordination.k8s.io/v1'],
  ['extensions/v1beta1', ['Ingress'], '1.22', 'networking.k8s.io/v1'],
  ['networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], '1.22', 'networking.k8s.io/v1'],
  [
    'rbac.authorization.k8s.io/v1beta1',
    ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
    '1.22',
    'rbac.authorization.k8s.io/v1',
  ],
  ['scheduling.k8s.io/v1beta1', ['PriorityClass'], '1.22', 'scheduling.k8s.io/v1'],
  [
    'storage.k8s.io/v1beta1',
    ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    '1.22',
    'storage.k8s.io/v1',
  ],
  // v1.25
  ['batch/v1beta1', ['CronJob'], '1.25', 'batch/v1'],
  ['discovery.k8s.io/v1beta1', ['EndpointSlice'], '1.25', 'discovery.k8s.io/v1'],
  ['events.k8s.io/v1beta1', ['Event'], '1.25', 'events.k8s.io/v1'],
  ['autoscaling/v2beta1', ['HorizontalPodAutoscaler'], '1.25', 'autoscaling/v2'],
  ['policy/v1beta1', ['PodDisruptionBudget'], '1.25', 'policy/v1'],
  ['policy/v1beta1', ['PodSecurityPolicy'], '1.25', 'none (Pod Security Admission)'],
  ['node.k8s.io/v1beta1', ['RuntimeClass'], '1.25', 'node.k8s.io/v1'],
  // v1.26
  [
    'flowcontrol.apiserver.k8s.io/v1beta1',
    ['FlowSchema', 'PriorityLevelConfiguration'],
    '1.26',
    'flowcontrol.apiserver.k8s.io/v1',
  ],
  ['autoscaling/v2beta2', ['HorizontalPodAutoscaler'], '1.26', 'autoscaling/v2'],
  // v1.27
  ['storage.k8s.io/v1beta1', ['CSIStorageCapacity'], '1.27', 'storage.k8s.io/v1'],
  // v1.29
  [
    'flowcontrol.apiserver.k8s.io/v1beta2',
    ['FlowSchema', 'PriorityLevelConfiguration'],
    '1.29',
    'flowcontrol.apiserver.k8s.io/v1',
  ],
  // v1.32
  [
    'flowcontrol.apiserver.k8s.io/v1beta3',
    ['FlowSchema', 'PriorityLevelConfiguration'],
    '1.32',
    'flowcontrol.apiserver.k8s.io/v1',
  ],
];

/** Deprecated and still served in v1.35, with their announced replacement. */
const deprecatedOnly: [string, string[], string, string][] = [
  ['v1', ['Endpoints'], '(deprecated 1.33, no removal date)', 'discovery.k8s.io/v1 EndpointSlice'],
];

export const DEPRECATIONS: readonly Deprecation[] = Object.freeze([
  ...rows.flatMap(([apiVersion, kinds, removedIn, replacement]) =>
    kinds.map((kind) => ({ apiVersion, kind, removedIn, removed: true, replacement })),
  ),
  ...deprecatedOnly.flatMap(([apiVersion, kinds, removedIn, replacement]) =>
    kinds.map((kind) => ({ apiVersion, kind, removedIn, removed: false, replacement })),
  ),
]);

const index = new Map(DEPRECATIONS.map((d) => [`${d.apiVersion}/${d.kind}`, d]));

export function deprecationOf(apiVersion: string, kind: string): Deprecation | undefined {
  return index.get(`${apiVersion}/${kind}`);
}

/** Whether the removal already applies to a server of this minor (1.x). */
export function removedBy(d: Deprecation, serverMinor: number | undefined): boolean {
  if (!d.removed) return false;
  const minor = Number(d.removedIn.split('.')[1]);
  return serverMinor === undefined || serverMinor >= minor;
}
