import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import { defineBot, runChecks, setting, takeSnapshot } from '../../shared/index.ts';
import { listSlimPods } from '../../shared/net/index.ts';
import { CHECKS, KINDS, type Snap } from './checks.ts';

const SETTINGS = {
  ignoreNamespaces: setting.list({
    env: 'ECO_NETWORK_IGNORE_NAMESPACES',
    default: ['kube-system', 'kube-public', 'kube-node-lease'],
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    meaning: 'namespaces whose pods are not reported as uncovered by NetworkPolicies (system namespaces)',
  }),
};

const InputSchema = Type.Object(
  {
    /** Scan this namespace only (policy peers are still judged against all namespaces). */
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

export default defineBot({
  name: 'eco-network-bot',
  category: 'network',
  tier: 'medium',
  summary:
    'Pods covered by no NetworkPolicy (per direction), policies selecting no pod, Services selecting no pods or targeting ports no container exposes, policy peers naming namespaces that do not exist',
  triggers: { http: true, cron: '*/30 * * * *' },
  rbac: [
    {
      apiGroups: [''],
      resources: ['namespaces', 'pods', 'services'],
      verbs: ['list'],
    },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list'] },
  ],
  mutates: false,
  input: InputSchema,
  settings: SETTINGS,
  async run(input: Static<typeof InputSchema>, ctx) {
    const [base, pods] = await Promise.all([
      takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {}),
      listSlimPods(ctx, input.namespace),
    ]);
    const snap: Snap = {
      ...base,
      objects: { ...base.objects, pods: pods.ok ? pods.pods : [] },
      failed: pods.ok ? base.failed : new Set([...base.failed, 'pods']),
      errors: pods.ok ? base.errors : [...base.errors, pods.error],
    };
    const { findings, errors } = runChecks(ctx, CHECKS, snap, ctx.settings, {
      ...(input.checks ? { only: input.checks } : {}),
    });
    const o = snap.objects;
    return {
      summary: `${o.pods.length} pods, ${o.services.length} services, ${o.networkpolicies.length} network policies checked; ${findings.length} findings`,
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
    };
  },
});
