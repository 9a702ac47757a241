import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  reportErrorFrom,
  resources,
  runChecks,
  takeSnapshot,
  type Context,
  type KubeObject,
  type ReportError,
} from '../../shared/index.ts';
import { CHECKS, KINDS, type InfraSnap } from './checks.ts';
import { nodeInventory, platformsOf } from './inventory.ts';

const NAME = 'eco-infra-bot';

const Input = Type.Object(
  {
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

const WORKLOAD_KINDS = ['deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] as const;

export default defineBot({
  name: NAME,
  category: 'infrastructure',
  tier: 'large',
  summary:
    'Cluster inventory (version, nodes with kubelet/OS/arch, namespaces, workloads by kind, platforms installed from their CRDs: Knative, OpenFaaS, Prometheus operator, cert-manager, snapshot controller, trivy-operator, Gateway API) and objects declared with removed or deprecated API versions (Popeye 403)',
  triggers: { http: true, cron: '0 6 * * *' },
  rbac: [
    { apiGroups: [''], resources: ['nodes', 'namespaces', 'pods'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['list'] },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: ['list'] },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list'] },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'],
      verbs: ['list'],
    },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['list'] },
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['list'] },
  ],
  mutates: false,
  input: Input,
  async run(input: Input, ctx: Context) {
    const errors: ReportError[] = [];
    const [snap, version, pods] = await Promise.all([
      takeSnapshot(ctx, KINDS),
      ctx.k8s.read<{ gitVersion?: string }>('/version').catch((error: unknown) => {
        errors.push(reportErrorFrom(error, 'GET /version'));
        return undefined;
      }),
      // Pods are counted while they stream: a 10k-pod cluster is not held in memory for a number.
      countPods(ctx).catch((error: unknown) => {
        errors.push(reportErrorFrom(error, 'list pods'));
        return undefined;
      }),
    ]);
    const gitVersion = version?.gitVersion ?? null;
    const minor = /^v?1\.(\d+)/.exec(gitVersion ?? '')?.[1];
    const infra: InfraSnap = { ...snap, serverMinor: minor === undefined ? undefined : Number(minor) };
    const checked = runChecks(ctx, CHECKS, infra, {}, { ...(input.checks ? { only: input.checks } : {}) });

    const workloads: Record<string, number> = {};
    for (const kind of WORKLOAD_KINDS) workloads[KINDS[kind].kind] = snap.objects[kind].length;
    if (pods) workloads['Pod'] = pods.total;
    const byNamespace = new Map<string, number>();
    const count = (o: KubeObject): void => {
      const ns = o.metadata.namespace ?? '';
      byNamespace.set(ns, (byNamespace.get(ns) ?? 0) + 1);
    };
    for (const kind of WORKLOAD_KINDS) snap.objects[kind].forEach(count);
    const platforms = platformsOf(snap.objects.crds);
    const nodes = snap.objects.nodes.map(nodeInventory);
    return {
      summary: `Kubernetes ${gitVersion ?? 'unknown'}: ${nodes.length} nodes, ${snap.objects.namespaces.length} namespaces, ${Object.values(workloads).reduce((a, b) => a + b, 0)} workload objects; platforms: ${platforms.installed.map((p) => p.name).join(', ') || 'none'}; ${checked.findings.length} objects on removed or deprecated APIs`,
      findings: [...snap.findings, ...checked.findings],
      errors: [...errors, ...snap.errors, ...checked.errors],
      data: {
        version: gitVersion,
        nodes,
        architectures: [...new Set(nodes.map((n) => n.arch).filter((a) => a !== null))].sort(),
        kubeletVersions: [...new Set(nodes.map((n) => n.kubelet).filter((a) => a !== null))].sort(),
        namespaces: snap.objects.namespaces.map((ns) => ({
          name: ns.metadata.name,
          workloads: byNamespace.get(ns.metadata.name) ?? 0,
          pods: pods?.byNamespace.get(ns.metadata.name) ?? 0,
        })),
        workloads,
        platforms: platforms.installed,
        otherApiGroups: platforms.other,
      },
    };
  },
});

async function countPods(ctx: Context): Promise<{ total: number; byNamespace: Map<string, number> }> {
  let total = 0;
  const byNamespace = new Map<string, number>();
  // Counted only: the pods' metadata is all this reads.
  for await (const pod of ctx.k8s.list(resources.pods, { metadataOnly: true })) {
    total++;
    const ns = pod.metadata.namespace ?? '';
    byNamespace.set(ns, (byNamespace.get(ns) ?? 0) + 1);
  }
  return { total, byNamespace };
}
