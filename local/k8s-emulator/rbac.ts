// Authentication (bearer token -> user) and RBAC authorisation per request, with the apiserver's
// attribute model (verb, API group, resource, subresource, name, namespace) and its denial wording
// (apiserver pkg/endpoints/handlers/responsewriters/errors.go forbiddenMessage).
import type { RbacRule } from '../../shared/bot/types.ts';

export interface TokenGrant {
  user: string;
  /** Extra groups (system:authenticated, and system:serviceaccounts[:ns] for ServiceAccount users, are implied). */
  groups?: string[];
  /**
   * Authorise from the RBAC objects stored in the emulator (Roles, ClusterRoles and their bindings),
   * like the real RBAC authorizer, instead of `rules`: lets a test apply generated RBAC manifests and
   * check that they grant exactly what a bot needs.
   */
  rbacFromStore?: boolean;
  /** Cluster-wide rules (ClusterRole + ClusterRoleBinding). No `rules` at all means cluster-admin. */
  rules?: RbacRule[];
  /** Rules that hold only inside one namespace (Role + RoleBinding), keyed by namespace. */
  namespacedRules?: Record<string, RbacRule[]>;
}

export interface RequestAttributes {
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
  resourceRequest: boolean;
  apiGroup: string;
  resource: string;
  subresource: string;
  name: string;
  namespace: string;
  /** Non-resource requests: the URL path. */
  path: string;
}

function ruleAllows(rule: RbacRule, a: RequestAttributes): boolean {
  const verbs = rule.verbs as readonly string[];
  if (!verbs.includes(a.verb) && !verbs.includes('*')) return false;
  if (!rule.apiGroups.includes(a.apiGroup) && !rule.apiGroups.includes('*')) return false;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = rule.resources as readonly string[];
  const resourceOk =
    resources.includes(full) ||
    resources.includes('*') ||
    (a.subresource !== '' && resources.includes(`*/${a.subresource}`)) ||
    (a.subresource === '' && resources.includes(`${a.resource}/*`));
  if (!resourceOk) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) {
    return a.name !== '' && rule.resourceNames.includes(a.name);
  }
  return true;
}

/** Whether the grant allows the request. Non-resource URLs (discovery, /version, /healthz) are open to any authenticated user. */
export function authorize(grant: TokenGrant, a: RequestAttributes): boolean {
  if (!a.resourceRequest) return true;
  if (grant.rules === undefined && grant.namespacedRules === undefined) return true;
  if ((grant.rules ?? []).some((r) => ruleAllows(r, a))) return true;
  if (a.namespace !== '') {
    const local = grant.namespacedRules?.[a.namespace] ?? [];
    if (local.some((r) => ruleAllows(r, a))) return true;
  }
  return false;
}

/** `User "u" cannot list resource "pods" in API group "" in the namespace "x"` (or `at the cluster scope`). */
export function forbiddenMessage(user: string, a: RequestAttributes): string {
  if (!a.resourceRequest) return `User "${user}" cannot ${a.verb.toLowerCase()} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
}

/** ServiceAccount user name, as the token authenticator reports it. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The groups the authenticator reports for a user. */
export function groupsOf(grant: TokenGrant): string[] {
  const groups = new Set(grant.groups ?? []);
  groups.add('system:authenticated');
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(grant.user);
  if (sa) {
    groups.add('system:serviceaccounts');
    groups.add(`system:serviceaccounts:${sa[1] as string}`);
  }
  return [...groups];
}
