export type { Exclusion, ExternalOptions, MutationOptions, SafetyRails } from './types.ts';
export { createSafetyRails, withPrecondition, parseMaxActions, DEFAULT_MAX_ACTIONS } from './rails.ts';
export type { Rails, SafetyDeps } from './rails.ts';
export {
  ANNOTATIONS,
  DEFAULT_PROTECTED_NAMESPACES,
  exclusionOf,
  lifetimeOf,
  optOut,
  parseExpiry,
  parseJanitorDuration,
  protectedNamespaces,
} from './exclusions.ts';
export type { Lifetime } from './exclusions.ts';
export { SAFETY_RAILS_RBAC } from './rbac.ts';
export {
  MAINTENANCE_CONFIGMAP,
  WINDOW_ANNOTATION,
  FREEZE_UNTIL_ANNOTATION,
  FREEZE_REASON_ANNOTATION,
  parseWindow,
  parsePolicy,
  namespacePolicy,
  inWindow,
  maintenanceBlock,
} from './windows.ts';
export type { MaintenancePolicy, MaintenanceWindow, Freeze } from './windows.ts';
export { isDisruptive } from './rails.ts';
