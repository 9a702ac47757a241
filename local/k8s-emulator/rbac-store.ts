// The RBAC authorizer over the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings stored in the
// emulator, for tokens with `rbacFromStore`: ClusterRoleBindings grant cluster-wide, RoleBindings
// grant in their namespace (referring to a Role there or to a ClusterRole). Aggregated ClusterRoles
// and nonResourceURLs rules are not evaluated (non-resource URLs are open to authenticated users).
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { RbacRule } from '../../shared/bot/types.ts';
import type { Store } from './store.ts';
import type { ResourceDef } from './resources.ts';
import { groupsOf } from './rbac.ts';
import type { TokenGrant } from './rbac.ts';

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

interface RoleRef {
  kind?: string;
  name?: string;
}

function subjectMatches(s: Subject, user: string, groups: readonly string[]): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user;
    case 'Group':
      return s.name !== undefined && groups.includes(s.name);
    case 'ServiceAccount':
      return user === `system:serviceaccount:${s.namespace ?? ''}:${s.name ?? ''}`;
    default:
      return false;
  }
}

function rulesOf(role: KubeObject | undefined): RbacRule[] {
  const rules = (role?.['rules'] as RbacRule[] | undefined) ?? [];
  return rules.filter(
    (r) => Array.isArray(r.apiGroups) && Array.isArray(r.resources) && Array.isArray(r.verbs),
  );
}

/** The effective grant of a user from the stored RBAC objects. */
export function grantFromStore(store: Store, grant: TokenGrant): TokenGrant {
  const def = (plural: string): ResourceDef =>
    store.registry.byPath('rbac.authorization.k8s.io', 'v1', plural) as ResourceDef;
  const groups = groupsOf(grant);
  const binds = (b: KubeObject): boolean =>
    ((b['subjects'] as Subject[] | undefined) ?? []).some((s) => subjectMatches(s, grant.user, groups));
  const rules: RbacRule[] = [];
  for (const b of store.scan(def('clusterrolebindings'))) {
    const ref = b['roleRef'] as RoleRef | undefined;
    if (binds(b) && ref?.kind === 'ClusterRole' && ref.name)
      rules.push(...rulesOf(store.find(def('clusterroles'), undefined, ref.name)));
  }
  const namespacedRules: Record<string, RbacRule[]> = {};
  for (const b of store.scan(def('rolebindings'))) {
    const ref = b['roleRef'] as RoleRef | undefined;
    const ns = b.metadata.namespace ?? '';
    if (!binds(b) || !ref?.name) continue;
    const role =
      ref.kind === 'Role'
        ? store.find(def('roles'), ns, ref.name)
        : ref.kind === 'ClusterRole'
          ? store.find(def('clusterroles'), undefined, ref.name)
          : undefined;
    (namespacedRules[ns] ??= []).push(...rulesOf(role));
  }
  return { user: grant.user, rules, namespacedRules };
}
