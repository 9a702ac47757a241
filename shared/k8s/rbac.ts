// RBAC by declaration: a bot's `rbac` rules are the single source of its ServiceAccount,
// ClusterRole and ClusterRoleBinding. Nothing here adds a permission the bot did not declare.
import type { Bot, RbacRule, RbacVerb } from '../bot/types.ts';
import type { KubeObject, ResourceType } from './types.ts';

export const DEFAULT_BOT_NAMESPACE = 'eco-bots';

/** `system:serviceaccount:<ns>:<bot>`: the user name the API server (and the emulator) sees. */
export function serviceAccountUser(botName: string, namespace: string = DEFAULT_BOT_NAMESPACE): string {
  return `system:serviceaccount:${namespace}:${botName}`;
}

function labels(botName: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': botName,
    'app.kubernetes.io/part-of': 'eco-bots',
    'app.kubernetes.io/managed-by': 'eco-bots',
  };
}

/** Copies rules, rejecting wildcards and empty lists (a generated role must never grant `*`). */
export function normaliseRules(botName: string, rules: readonly RbacRule[]): RbacRule[] {
  return rules.map((rule, index) => {
    for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
      if (rule[field].some((value) => value === '*' || value.includes('*'))) {
        throw new Error(`${botName}: rbac rule ${index} uses a wildcard in ${field}`);
      }
    }
    if (rule.resources.length === 0 || rule.verbs.length === 0 || rule.apiGroups.length === 0) {
      throw new Error(`${botName}: rbac rule ${index} has an empty apiGroups, resources or verbs list`);
    }
    const out: RbacRule = {
      apiGroups: [...rule.apiGroups],
      resources: [...rule.resources],
      verbs: [...rule.verbs],
    };
    if (rule.resourceNames?.length) out.resourceNames = [...rule.resourceNames];
    return out;
  });
}

/**
 * The manifests that give `bot` exactly its declared permissions: a ServiceAccount named after the
 * bot in `namespace`, and when it declares rules a ClusterRole + ClusterRoleBinding of the same
 * name. A bot without rules gets a ServiceAccount that does not even mount a token.
 */
export function rbacManifests(
  bot: Pick<Bot, 'name' | 'rbac'>,
  namespace: string = DEFAULT_BOT_NAMESPACE,
): KubeObject[] {
  const rules = normaliseRules(bot.name, bot.rbac);
  const serviceAccount: KubeObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: bot.name, namespace, labels: labels(bot.name) },
    ...(rules.length === 0 ? { automountServiceAccountToken: false } : {}),
  };
  if (rules.length === 0) return [serviceAccount];
  const clusterRole: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: bot.name, labels: labels(bot.name) },
    rules,
  };
  const binding: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: bot.name, labels: labels(bot.name) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: bot.name },
    subjects: [{ kind: 'ServiceAccount', name: bot.name, namespace }],
  };
  return [serviceAccount, clusterRole, binding];
}

/** Whether `rules` grant `verb` on `type` (optionally a subresource such as `log`, or a named object). */
export function rbacAllows(
  rules: readonly RbacRule[],
  type: Pick<ResourceType, 'group' | 'plural'>,
  verb: RbacVerb,
  options: { subresource?: string; name?: string } = {},
): boolean {
  const resource = options.subresource ? `${type.plural}/${options.subresource}` : type.plural;
  return rules.some(
    (rule) =>
      rule.apiGroups.includes(type.group) &&
      rule.resources.includes(resource) &&
      rule.verbs.includes(verb) &&
      (!rule.resourceNames?.length ||
        (options.name !== undefined && rule.resourceNames.includes(options.name))),
  );
}
