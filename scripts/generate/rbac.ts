import type { Bot, RbacRule } from '../../shared/bot/types.ts';
import { DEFAULT_BOT_NAMESPACE, rbacManifests as kitRbacManifests } from '../../shared/k8s/rbac.ts';
import { DEPLOY, fleetLabels } from './types.ts';
import type { Fleet, GeneratedFile, Manifest } from './types.ts';
import { yamlFile } from './yaml.ts';

export const RBAC_PATHS = {
  knative: 'deploy/rbac/eco-bots.yml',
  openfaas: 'deploy/rbac/openfaas-fn.yml',
  openfaasCe: 'deploy/rbac/openfaas-ce.yml',
} as const;

/**
 * ServiceAccount + ClusterRole + ClusterRoleBinding from `bot.rbac`, by the k8s kit's
 * `rbacManifests` (the same derivation the emulator enforces in tests). The kit names the binding
 * after the bot; outside the default namespace the binding gets the namespace appended, so the
 * Knative and OpenFaaS files can both be applied to one cluster without overwriting each other.
 */
export function rbacManifests(bot: Bot, namespace: string): Manifest[] {
  return kitRbacManifests(bot, namespace).map((object) => {
    const manifest = object as unknown as Manifest;
    if (manifest.kind === 'ClusterRoleBinding' && namespace !== DEFAULT_BOT_NAMESPACE) {
      return { ...manifest, metadata: { ...manifest.metadata, name: `${bot.name}:${namespace}` } };
    }
    return manifest;
  });
}

/** Sorted copies so the CE union does not depend on declaration order. */
function normaliseRules(rules: readonly RbacRule[]): Record<string, unknown>[] {
  return rules.map((rule) => {
    const out: Record<string, unknown> = {
      apiGroups: [...rule.apiGroups].sort(),
      resources: [...rule.resources].sort(),
      verbs: [...rule.verbs].sort(),
    };
    if (rule.resourceNames !== undefined && rule.resourceNames.length > 0)
      out['resourceNames'] = [...rule.resourceNames].sort();
    return out;
  });
}

/** Every manifest of the per-bot RBAC for one namespace. */
export function fleetRbac(fleet: Fleet, namespace: string): Manifest[] {
  return fleet.bots.flatMap((bot) => rbacManifests(bot, namespace));
}

/**
 * OpenFaaS CE has no per-function ServiceAccount: every function runs as `default` in openfaas-fn.
 * The compact profile therefore binds the union of the fleet's rules to that account. Broader than
 * per bot, still no wildcard; prefer Standard/Pro or Knative where least privilege per bot matters.
 */
export function ceRbac(fleet: Fleet): Manifest[] {
  const rules = fleet.bots.flatMap((bot) => bot.rbac);
  const merged = new Map<string, RbacRule>();
  for (const rule of rules) {
    const key = JSON.stringify([
      [...rule.apiGroups].sort(),
      [...rule.resources].sort(),
      [...(rule.resourceNames ?? [])].sort(),
    ]);
    const seen = merged.get(key);
    const verbs = new Set([...(seen?.verbs ?? []), ...rule.verbs]);
    merged.set(key, { ...rule, verbs: [...verbs] });
  }
  const sorted = [...merged.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, rule]) => rule);
  const labels = fleetLabels('rbac-ce');
  if (sorted.length === 0) return [];
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'eco-bots:ce-fleet', labels },
      rules: normaliseRules(sorted),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `eco-bots:ce-fleet:${DEPLOY.functionNamespace}`, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'eco-bots:ce-fleet' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: DEPLOY.functionNamespace }],
    },
  ];
}

export function rbacFiles(fleet: Fleet): GeneratedFile[] {
  return [
    {
      path: RBAC_PATHS.knative,
      content: yamlFile(fleetRbac(fleet, DEPLOY.namespace), [
        `Per-bot ServiceAccount, ClusterRole and binding in ${DEPLOY.namespace} (Knative), from each bot's rbac.`,
      ]),
    },
    {
      path: RBAC_PATHS.openfaas,
      content: yamlFile(fleetRbac(fleet, DEPLOY.functionNamespace), [
        `The same in ${DEPLOY.functionNamespace} for OpenFaaS Standard/Pro (annotation com.openfaas.serviceaccount).`,
      ]),
    },
    {
      path: RBAC_PATHS.openfaasCe,
      content: yamlFile(ceRbac(fleet), [
        'OpenFaaS CE (stack.ce.yml): the union of the fleet\u2019s rules bound to openfaas-fn:default.',
      ]),
    },
  ];
}
