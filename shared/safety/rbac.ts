// What the safety rails themselves call, so a mutating bot must declare it in its `rbac`:
// - `get` on namespaces: exclusions on the object's namespace (unreadable => every action is
//   skipped, fail safe);
// - `create` on events: the audit Event on every applied action;
// - `get` on the `eco-maintenance` ConfigMap: the fleet's maintenance windows and freezes (unreadable
//   => every disruptive action is skipped, fail safe);
// - `get` on every kind the bot mutates: the re-read after a 409 precondition failure.
import type { RbacRule } from '../bot/types.ts';

export const SAFETY_RAILS_RBAC: readonly RbacRule[] = Object.freeze([
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['eco-maintenance'] },
]);
