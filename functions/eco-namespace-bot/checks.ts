// Namespace lifecycle checks: the baseline every tenant namespace carries (the seed's
// eco-namespace-setup.yaml and Kyverno add-ns-quota/add-network-policy), namespaces with no workload
// (k8s-cleaner empty_namespaces), and namespaces past their TTL (kube-janitor's annotations, the
// fleet's lifetime rules shared with eco-cleanup-bot).
import { check, lifetimeOf, resources, type KubeObject, type Snapshot } from '../../shared/index.ts';
import { defaultDenyOf, tenantOwnerOf, TENANT_LABELS } from '../../shared/index.ts';

export const KINDS = {
  namespaces: resources.namespaces,
  resourcequotas: resources.resourcequotas,
  limitranges: resources.limitranges,
  networkpolicies: resources.networkpolicies,
  pods: resources.pods,
  deployments: resources.deployments,
  statefulsets: resources.statefulsets,
  daemonsets: resources.daemonsets,
  jobs: resources.jobs,
  cronjobs: resources.cronjobs,
};
export type NamespaceSnap = Snapshot<typeof KINDS>;

export interface NamespaceSettings {
  skip: readonly string[];
  emptyDays: number;
}

/** The kinds that count as a workload: a namespace without any of them is empty (k8s-cleaner). */
export const WORKLOADS = ['pods', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'] as const;

export type Piece = 'ResourceQuota' | 'LimitRange' | 'NetworkPolicy' | 'owner label';

/** Namespaces the baseline applies to: not skipped, not `kube-*`, not being deleted. */
export function tenantNamespaces(snap: NamespaceSnap, settings: NamespaceSettings): KubeObject[] {
  return snap.objects.namespaces.filter(
    (ns) =>
      !settings.skip.includes(ns.metadata.name) &&
      !ns.metadata.name.startsWith('kube-') &&
      (ns.status as { phase?: string } | undefined)?.phase !== 'Terminating' &&
      ns.metadata.deletionTimestamp === undefined,
  );
}

// Each list grouped by namespace once (per list object): a filter per namespace would grow with
// namespaces x objects.
const grouped = new WeakMap<readonly KubeObject[], Map<string, KubeObject[]>>();
const inNamespace = (objects: readonly KubeObject[], ns: string): readonly KubeObject[] => {
  let index = grouped.get(objects);
  if (!index) {
    index = new Map();
    for (const o of objects) {
      const key = o.metadata.namespace ?? '';
      const list = index.get(key);
      if (list) list.push(o);
      else index.set(key, [o]);
    }
    grouped.set(objects, index);
  }
  return index.get(ns) ?? [];
};

/** What the namespace lacks of its baseline (empty: conformant). */
export function missingPieces(snap: NamespaceSnap, ns: KubeObject): Piece[] {
  const name = ns.metadata.name;
  const missing: Piece[] = [];
  if (inNamespace(snap.objects.resourcequotas, name).length === 0) missing.push('ResourceQuota');
  if (inNamespace(snap.objects.limitranges, name).length === 0) missing.push('LimitRange');
  const deny = defaultDenyOf(inNamespace(snap.objects.networkpolicies, name));
  if (!deny.ingress || !deny.egress) missing.push('NetworkPolicy');
  if (!tenantOwnerOf(ns)) missing.push('owner label');
  return missing;
}

export const baseline = check<NamespaceSnap, NamespaceSettings>({
  id: 'namespace.baseline',
  severity: 'warning',
  title: 'namespace without its baseline (quota, limit range, default-deny policy, owner label)',
  anchor: 'seed eco-namespace-setup.yaml; Kyverno add-ns-quota, add-network-policy',
  *run(snap, settings) {
    // Without a kind's list the namespace would look non-conformant: do not guess.
    if (
      ['resourcequotas', 'limitranges', 'networkpolicies'].some((k) =>
        snap.failed.has(k as keyof typeof KINDS),
      )
    )
      return;
    for (const ns of tenantNamespaces(snap, settings)) {
      const missing = missingPieces(snap, ns);
      if (missing.length === 0) continue;
      const deny = defaultDenyOf(inNamespace(snap.objects.networkpolicies, ns.metadata.name));
      yield {
        object: ns,
        type: resources.namespaces,
        message: `Namespace ${ns.metadata.name} lacks its baseline: ${missing.join(', ')}.`,
        evidence: {
          missing,
          defaultDenyOf: deny,
          owner: tenantOwnerOf(ns) ?? null,
          tier: ns.metadata.labels?.[TENANT_LABELS.tier] ?? null,
        },
        fix:
          missing.includes('owner label') && missing.length === 1
            ? `kubectl label namespace ${ns.metadata.name} ${TENANT_LABELS.owner}=<team>`
            : `Run eco-namespace-bot with {"reconcile": true} in apply mode to create the missing objects (sized from the ${TENANT_LABELS.tier} label)${missing.includes('owner label') ? `, and kubectl label namespace ${ns.metadata.name} ${TENANT_LABELS.owner}=<team>` : ''}.`,
      };
    }
  },
});

export function workloadCount(snap: NamespaceSnap, ns: string): number {
  return WORKLOADS.reduce((n, kind) => n + inNamespace(snap.objects[kind], ns).length, 0);
}

export const empty = check<NamespaceSnap, NamespaceSettings>({
  id: 'namespace.empty',
  severity: 'info',
  title: 'namespace with no workload, older than the threshold',
  anchor: 'k8s-cleaner examples-unused-resources/namespaces/empty_namespaces.yaml; Popeye POP-800',
  *run(snap, settings, now) {
    if (WORKLOADS.some((k) => snap.failed.has(k) || snap.missing.has(k))) return;
    for (const ns of tenantNamespaces(snap, settings)) {
      const created = Date.parse(ns.metadata.creationTimestamp ?? '');
      if (Number.isNaN(created)) continue;
      const days = Math.floor((now.getTime() - created) / 86_400_000);
      if (days < settings.emptyDays || workloadCount(snap, ns.metadata.name) > 0) continue;
      yield {
        object: ns,
        type: resources.namespaces,
        message: `Namespace ${ns.metadata.name} has had no workload for ${days} days (no Pods, Deployments, StatefulSets, DaemonSets, Jobs or CronJobs).`,
        evidence: { ageDays: days, thresholdDays: settings.emptyDays, workloads: 0 },
        fix: `If it is no longer needed: kubectl delete namespace ${ns.metadata.name}; or give it a lifetime: kubectl annotate namespace ${ns.metadata.name} eco.bsw-arch.org/ttl=7d`,
      };
    }
  },
});

export const expired = check<NamespaceSnap, NamespaceSettings>({
  id: 'namespace.expired',
  severity: 'warning',
  title: 'namespace past its ttl/expires annotation',
  anchor: 'kube-janitor janitor/ttl and janitor/expires (eco.bsw-arch.org/ttl, /expires)',
  *run(snap, settings, now) {
    for (const ns of tenantNamespaces(snap, settings)) {
      const life = lifetimeOf(ns, now);
      if (life.kind === 'invalid')
        yield {
          object: ns,
          type: resources.namespaces,
          severity: 'info',
          discriminator: 'invalid',
          message: `Namespace ${ns.metadata.name} has an unreadable ${life.key} annotation "${life.value}", so it never expires and no bot touches it.`,
          evidence: { annotation: life.key, value: life.value },
          fix: `Use janitor syntax (30m, 2h, 7d, 1w, forever) or a date: kubectl annotate --overwrite namespace ${ns.metadata.name} ${life.key}=7d`,
        };
      if (life.kind !== 'deadline' || !life.expired) continue;
      const overdueHours = Math.floor((now.getTime() - life.at.getTime()) / 3_600_000);
      yield {
        object: ns,
        type: resources.namespaces,
        message: `Namespace ${ns.metadata.name} expired ${overdueHours} hours ago (${life.key}: ${life.value}) with ${workloadCount(snap, ns.metadata.name)} workload objects still in it.`,
        evidence: {
          annotation: life.key,
          value: life.value,
          expiredAt: life.at.toISOString(),
          overdueHours,
          workloads: workloadCount(snap, ns.metadata.name),
        },
        fix: `eco-cleanup-bot deletes it (and everything in it) in apply mode; to keep it: kubectl annotate --overwrite namespace ${ns.metadata.name} ${life.key}=forever`,
      };
    }
  },
});

export const CHECKS = [baseline, empty, expired];
