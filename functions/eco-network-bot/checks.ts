// The network bot's checks, each a pure function of one snapshot (Popeye's Service and
// NetworkPolicy linters, kube-score's networking checks).
import { check, resources, type KubeObject, type Snapshot } from '../../shared/index.ts';
import {
  byNamespace,
  isLivePod,
  matchesSelector,
  matchesServiceSelector,
  podPorts,
  serviceSpec,
  type LabelSelector,
} from '../../shared/net/index.ts';

/** Read with takeSnapshot; pods are streamed and slimmed on their own (shared/net listSlimPods). */
export const KINDS = {
  namespaces: resources.namespaces,
  services: resources.services,
  networkpolicies: resources.networkpolicies,
};
export type Snap = Snapshot<typeof KINDS & { pods: typeof resources.pods }>;

export interface Settings {
  /** Namespaces whose pods are not expected to carry NetworkPolicies (system namespaces). */
  ignoreNamespaces: readonly string[];
}

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string };
}
interface PolicySpec {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: { from?: PolicyPeer[] }[];
  egress?: { to?: PolicyPeer[] }[];
}

const policySpec = (p: KubeObject): PolicySpec => (p['spec'] as PolicySpec | undefined) ?? {};

/**
 * The directions a policy governs: `policyTypes` when set, else Ingress always and Egress when it
 * has egress rules (the apiserver's defaulting, networking/v1 types.go).
 */
export function policyDirections(p: KubeObject): { ingress: boolean; egress: boolean } {
  const spec = policySpec(p);
  if (spec.policyTypes && spec.policyTypes.length > 0)
    return { ingress: spec.policyTypes.includes('Ingress'), egress: spec.policyTypes.includes('Egress') };
  return { ingress: true, egress: (spec.egress ?? []).length > 0 };
}

const labelsOf = (o: KubeObject): Record<string, string> => o.metadata.labels ?? {};
const hostNetwork = (pod: KubeObject): boolean =>
  (pod['spec'] as { hostNetwork?: boolean } | undefined)?.hostNetwork === true;

/** Popeye 1204/1205, kube-score pod-networkpolicy, Polaris missingNetworkPolicy. */
export const podUncovered = check<Snap, Settings>({
  id: 'network.pod-uncovered',
  severity: 'warning',
  title: 'pods no NetworkPolicy selects, per direction (ingress, egress)',
  anchor: 'Popeye 1204/1205, kube-score pod-networkpolicy',
  *run(snap, settings) {
    const policies = byNamespace(snap.objects.networkpolicies);
    for (const pod of snap.objects.pods) {
      const ns = pod.metadata.namespace ?? '';
      // NetworkPolicies do not apply to host-network pods; finished pods carry no traffic.
      if (settings.ignoreNamespaces.includes(ns) || hostNetwork(pod) || !isLivePod(pod)) continue;
      const selecting = (policies.get(ns) ?? []).filter((p) =>
        matchesSelector(policySpec(p).podSelector ?? {}, labelsOf(pod)),
      );
      const ingress = selecting.some((p) => policyDirections(p).ingress);
      const egress = selecting.some((p) => policyDirections(p).egress);
      if (ingress && egress) continue;
      const open = [...(ingress ? [] : ['ingress']), ...(egress ? [] : ['egress'])];
      yield {
        object: pod,
        type: resources.pods,
        // Both directions open is Popeye 1205 (warn); one open direction is 1204.
        message: `pod ${ns}/${pod.metadata.name} is selected by no NetworkPolicy for ${open.join(' and ')}: all such traffic is allowed`,
        evidence: {
          ingressCovered: ingress,
          egressCovered: egress,
          policiesInNamespace: (policies.get(ns) ?? []).length,
          selectingPolicies: selecting.map((p) => p.metadata.name),
        },
        fix: `Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) in ${ns} and allow the traffic the pod needs (DNS egress included)`,
      };
    }
  },
});

/** Popeye 1200/1202/1208, kube-score networkpolicy-targets-pod. */
export const policyNoPods = check<Snap, Settings>({
  id: 'network.policy-no-pods',
  severity: 'warning',
  title: 'NetworkPolicies whose podSelector selects no pod',
  anchor: 'Popeye 1200/1202/1208, kube-score networkpolicy-targets-pod',
  *run(snap) {
    // Without the pods every selector would look dangling.
    if (snap.failed.has('pods')) return;
    const pods = byNamespace(snap.objects.pods.filter(isLivePod));
    for (const p of snap.objects.networkpolicies) {
      const selector = policySpec(p).podSelector ?? {};
      // `podSelector: {}` is a namespace-wide baseline (default deny): it is meant to cover pods
      // that do not exist yet, so an empty namespace is not a finding (kube-score #293, #420).
      if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0)
        continue;
      const ns = p.metadata.namespace ?? '';
      const inNs = pods.get(ns) ?? [];
      if (inNs.some((pod) => matchesSelector(selector, labelsOf(pod)))) continue;
      yield {
        object: p,
        type: resources.networkpolicies,
        message: `NetworkPolicy ${ns}/${p.metadata.name} selects no pod: it has no effect`,
        evidence: { podSelector: selector, podsInNamespace: inNs.length },
        fix: 'Fix the podSelector to match the pods it should protect, or delete the policy',
      };
    }
  },
});

/** Popeye 1100, kube-score service-targets-pod. */
export const serviceNoPods = check<Snap, Settings>({
  id: 'network.service-no-pods',
  severity: 'critical',
  title: 'Services whose selector matches no pod',
  anchor: 'Popeye 1100, kube-score service-targets-pod',
  *run(snap) {
    // Without the pods every selector would look dangling.
    if (snap.failed.has('pods')) return;
    const pods = byNamespace(snap.objects.pods.filter(isLivePod));
    for (const svc of snap.objects.services) {
      const spec = serviceSpec(svc);
      // ExternalName and selector-less Services (manual Endpoints) have no pods by design.
      if (spec.type === 'ExternalName' || !spec.selector || Object.keys(spec.selector).length === 0) continue;
      const ns = svc.metadata.namespace ?? '';
      if ((pods.get(ns) ?? []).some((pod) => matchesServiceSelector(spec.selector, labelsOf(pod)))) continue;
      yield {
        object: svc,
        type: resources.services,
        message: `Service ${ns}/${svc.metadata.name} selects no pod: requests to it fail`,
        evidence: { selector: spec.selector, podsInNamespace: (pods.get(ns) ?? []).length },
        fix: `Make the selector match the pods' labels (kubectl get pods -n ${ns} --show-labels), or delete the Service`,
      };
    }
  },
});

/** Popeye 1106 (no target port matches), with Popeye 1101's rule: pods declaring no ports are skipped. */
export const targetPortNotExposed = check<Snap, Settings>({
  id: 'network.target-port-not-exposed',
  severity: 'warning',
  title: "Service targetPorts (number or name) that no selected pod's containers expose",
  anchor: 'Popeye 1106 (1101 skip rule)',
  *run(snap) {
    // Without the pods every selector would look dangling.
    if (snap.failed.has('pods')) return;
    const pods = byNamespace(snap.objects.pods.filter(isLivePod));
    for (const svc of snap.objects.services) {
      const spec = serviceSpec(svc);
      if (spec.type === 'ExternalName' || !spec.selector) continue;
      const ns = svc.metadata.namespace ?? '';
      const selected = (pods.get(ns) ?? []).filter((pod) =>
        matchesServiceSelector(spec.selector, labelsOf(pod)),
      );
      // Pods that declare no ports at all: numeric targets still work, so there is nothing to judge.
      const declaring = selected.filter((pod) => podPorts(pod).length > 0);
      if (declaring.length === 0) continue;
      for (const port of spec.ports ?? []) {
        const target = port.targetPort ?? port.port;
        const exposed = declaring.some((pod) =>
          podPorts(pod).some((cp) =>
            typeof target === 'number' ? cp.containerPort === target : cp.name === target,
          ),
        );
        if (exposed) continue;
        const named = typeof target === 'string';
        yield {
          object: svc,
          type: resources.services,
          discriminator: `${port.name ?? ''}:${port.port}`,
          // A named targetPort that no container defines cannot be resolved: no endpoints at all.
          severity: named ? 'critical' : 'warning',
          message: `Service ${ns}/${svc.metadata.name} port ${port.port} targets ${named ? `port name "${target}"` : `port ${target}`}, which none of its ${declaring.length} pod(s) expose`,
          evidence: {
            servicePort: port.port,
            targetPort: target,
            containerPorts: [
              ...new Set(
                declaring.flatMap((pod) =>
                  podPorts(pod).map((cp) =>
                    cp.name ? `${cp.name}:${cp.containerPort}` : String(cp.containerPort),
                  ),
                ),
              ),
            ],
          },
          fix: `Set targetPort to a port the containers declare, or declare ${String(target)} on the container`,
        };
      }
    }
  },
});

/** Popeye 1201: a peer's namespaceSelector matches no namespace (e.g. names one that does not exist). */
export const peerNamespaceMissing = check<Snap, Settings>({
  id: 'network.peer-namespace-missing',
  severity: 'warning',
  title: 'NetworkPolicy peers whose namespaceSelector matches no existing namespace',
  anchor: 'Popeye 1201',
  *run(snap) {
    // Without the namespaces (forbidden, failed read) every selector would look dangling.
    if (snap.failed.has('namespaces') || snap.objects.namespaces.length === 0) return;
    for (const p of snap.objects.networkpolicies) {
      const spec = policySpec(p);
      const peers: { direction: string; peer: PolicyPeer; at: string }[] = [
        ...(spec.ingress ?? []).flatMap((rule, r) =>
          (rule.from ?? []).map((peer, i) => ({
            direction: 'ingress',
            peer,
            at: `ingress[${r}].from[${i}]`,
          })),
        ),
        ...(spec.egress ?? []).flatMap((rule, r) =>
          (rule.to ?? []).map((peer, i) => ({ direction: 'egress', peer, at: `egress[${r}].to[${i}]` })),
        ),
      ];
      for (const { direction, peer, at } of peers) {
        const sel = peer.namespaceSelector;
        if (sel === undefined) continue;
        if (snap.objects.namespaces.some((n) => matchesSelector(sel, labelsOf(n)))) continue;
        const named = sel.matchLabels?.['kubernetes.io/metadata.name'];
        yield {
          object: p,
          type: resources.networkpolicies,
          discriminator: at,
          message: named
            ? `NetworkPolicy ${p.metadata.namespace}/${p.metadata.name} allows ${direction} ${direction === 'ingress' ? 'from' : 'to'} namespace "${named}", which does not exist`
            : `NetworkPolicy ${p.metadata.namespace}/${p.metadata.name} has an ${direction} peer whose namespaceSelector matches no namespace`,
          evidence: { at, namespaceSelector: sel, namespaces: snap.objects.namespaces.length },
          fix: 'Fix the namespaceSelector (namespace labels: kubectl get ns --show-labels), or remove the stale rule',
        };
      }
    }
  },
});

export const CHECKS = [podUncovered, policyNoPods, serviceNoPods, targetPortNotExposed, peerNamespaceMissing];
