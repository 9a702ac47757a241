export type * from './types.ts';
export { createK8s, DEFAULT_PAGE_SIZE, DEFAULT_TIMEOUT_MS } from './client.ts';
export type { CreateK8sOptions, K8sClient } from './client.ts';
export { resources, apiVersionOf, collectionPath, objectPath } from './resources.ts';
export type { ResourceName } from './resources.ts';
export {
  K8sApiError,
  K8sConfigError,
  K8sTransportError,
  isAlreadyExists,
  isConflict,
  isExpired,
  isForbidden,
  isK8sApiError,
  isNotFound,
} from './errors.ts';
export type { K8sStatus } from './errors.ts';
export { loadClusterConfig } from './kubeconfig.ts';
export type { ClusterConfig } from './kubeconfig.ts';
export {
  rbacManifests,
  rbacAllows,
  normaliseRules,
  serviceAccountUser,
  DEFAULT_BOT_NAMESPACE,
} from './rbac.ts';
export { kubeEvent } from './event.ts';
export type { KubeEventOptions } from './event.ts';
export { parseQuantity } from './quantity.ts';
export { fieldSelector, labelSelector } from './selectors.ts';
export type { LabelRequirement } from './selectors.ts';
export { readerOf } from './reader.ts';
export { createOwnerIndex } from './owners.ts';
export type { OwnerIndex } from './owners.ts';
