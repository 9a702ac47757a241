// The load-balancer bot's checks: Popeye's Service linter (1103 LoadBalancer cost, 1104 NodePort,
// 1105 no endpoints, 1107/1108 externalTrafficPolicy, 1109 single endpoint) and kube-score
// service-type, plus LoadBalancers still waiting for an address.
import { check, resources, type KubeObject, type Snapshot } from '../../shared/index.ts';
import { serviceSpec } from '../../shared/net/index.ts';
import type { LbPrice } from './price.ts';

export const KINDS = { services: resources.services, endpoints: resources.endpoints, nodes: resources.nodes };
export type Snap = Snapshot<typeof KINDS>;

export interface Settings {
  /** Milliseconds a LoadBalancer may wait for an address before it is reported. */
  pendingAfter: number;
  price: LbPrice;
}

/** Nodes a cloud load balancer never sends traffic to (service controller, KEP-1143). */
const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

interface EndpointAddress {
  ip?: string;
  nodeName?: string;
}
interface EndpointsShape {
  subsets?: { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[] }[];
}

const typeOf = (svc: KubeObject): string => serviceSpec(svc).type ?? 'ClusterIP';
const key = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const lbIngress = (svc: KubeObject): { ip?: string; hostname?: string }[] =>
  (svc['status'] as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)
    ?.loadBalancer?.ingress ?? [];

function readyAddresses(snap: Snap): Map<string, EndpointAddress[]> {
  return new Map(
    snap.objects.endpoints.map((ep) => [
      key(ep),
      ((ep as unknown as EndpointsShape).subsets ?? []).flatMap((s) => s.addresses ?? []),
    ]),
  );
}

export const pending = check<Snap, Settings>({
  id: 'loadbalancer.pending',
  severity: 'warning',
  title: 'LoadBalancer Services without an address past the threshold',
  anchor: 'Popeye 1400 (LB error); anchors: LoadBalancer Services pending an address',
  *run(snap, settings, now) {
    for (const svc of snap.objects.services) {
      if (typeOf(svc) !== 'LoadBalancer' || lbIngress(svc).length > 0) continue;
      const created = Date.parse(svc.metadata.creationTimestamp ?? '');
      if (Number.isNaN(created)) continue;
      const waited = now.getTime() - created;
      if (waited < settings.pendingAfter) continue;
      const minutes = Math.floor(waited / 60_000);
      yield {
        object: svc,
        type: resources.services,
        message: `LoadBalancer Service ${key(svc)} has had no external address for ${minutes >= 120 ? `${Math.floor(minutes / 60)} hours` : `${minutes} minutes`}: clients cannot reach it`,
        evidence: { pendingMinutes: minutes, thresholdMinutes: Math.round(settings.pendingAfter / 60_000) },
        fix: `kubectl describe svc -n ${svc.metadata.namespace} ${svc.metadata.name}: read the service controller's events (quota, subnet, no cloud provider or MetalLB pool)`,
      };
    }
  },
});

export const cost = check<Snap, Settings>({
  id: 'loadbalancer.cost',
  severity: 'info',
  title: 'what each provisioned LoadBalancer costs per month',
  anchor: 'Popeye 1103 ("could be expensive"), OpenCost LB price',
  *run(snap, settings) {
    for (const svc of snap.objects.services) {
      if (typeOf(svc) !== 'LoadBalancer' || lbIngress(svc).length === 0) continue;
      const impact = { monthlyCost: settings.price.monthly, currency: settings.price.currency };
      yield {
        object: svc,
        type: resources.services,
        message: `LoadBalancer Service ${key(svc)} costs about ${impact.monthlyCost} ${impact.currency} a month`,
        evidence: {
          hourlyPrice: settings.price.hourly,
          addresses: lbIngress(svc).map((i) => i.ip ?? i.hostname),
        },
        fix: 'Share one Ingress or Gateway between HTTP services instead of a LoadBalancer each',
        impact,
      };
    }
  },
});

export const noEndpoints = check<Snap, Settings>({
  id: 'loadbalancer.no-endpoints',
  severity: 'critical',
  title: 'LoadBalancer and NodePort Services without a ready endpoint',
  anchor: 'Popeye 1105',
  *run(snap) {
    if (snap.failed.has('endpoints')) return;
    const ready = readyAddresses(snap);
    for (const svc of snap.objects.services) {
      const type = typeOf(svc);
      if ((type !== 'LoadBalancer' && type !== 'NodePort') || !serviceSpec(svc).selector) continue;
      if ((ready.get(key(svc)) ?? []).length > 0) continue;
      yield {
        object: svc,
        type: resources.services,
        message: `${type} Service ${key(svc)} is exposed outside the cluster but has no ready endpoint: every request fails`,
        evidence: { readyEndpoints: 0, selector: serviceSpec(svc).selector },
        fix: `Check the pods its selector matches are Ready (kubectl get endpoints -n ${svc.metadata.namespace} ${svc.metadata.name})`,
      };
    }
  },
});

export const singleEndpoint = check<Snap, Settings>({
  id: 'loadbalancer.single-endpoint',
  severity: 'warning',
  title: 'LoadBalancers with a single ready endpoint',
  anchor: 'Popeye 1109',
  *run(snap) {
    const ready = readyAddresses(snap);
    for (const svc of snap.objects.services) {
      if (typeOf(svc) !== 'LoadBalancer') continue;
      const addresses = ready.get(key(svc)) ?? [];
      if (addresses.length !== 1) continue;
      yield {
        object: svc,
        type: resources.services,
        message: `LoadBalancer Service ${key(svc)} has a single ready endpoint: one pod restart takes it down`,
        evidence: { readyEndpoints: 1, node: addresses[0]?.nodeName, ip: addresses[0]?.ip },
        fix: 'Run at least two replicas behind it (and a PodDisruptionBudget)',
      };
    }
  },
});

export const nodePort = check<Snap, Settings>({
  id: 'loadbalancer.nodeport',
  severity: 'info',
  title: 'NodePort Services',
  anchor: 'Popeye 1104, kube-score service-type',
  *run(snap) {
    for (const svc of snap.objects.services) {
      if (typeOf(svc) !== 'NodePort') continue;
      const ports = (serviceSpec(svc).ports ?? []).map((p) => p.nodePort).filter((p) => p !== undefined);
      yield {
        object: svc,
        type: resources.services,
        message: `Service ${key(svc)} is a NodePort: it opens port(s) ${ports.join(', ')} on every node`,
        evidence: { nodePorts: ports },
        fix: 'Use a ClusterIP Service behind an Ingress or Gateway (or a LoadBalancer) instead of exposing node ports',
      };
    }
  },
});

export const trafficPolicyLocal = check<Snap, Settings>({
  id: 'loadbalancer.traffic-policy-local',
  severity: 'warning',
  title: 'externalTrafficPolicy Local where pods do not run on every node that receives traffic',
  anchor: 'Popeye 1107/1108',
  *run(snap) {
    if (snap.failed.has('nodes') || snap.failed.has('endpoints')) return;
    const ready = readyAddresses(snap);
    const receiving = snap.objects.nodes
      .filter((n) => {
        const cond = (n['status'] as { conditions?: { type: string; status: string }[] } | undefined)
          ?.conditions;
        return (
          cond?.find((c) => c.type === 'Ready')?.status === 'True' &&
          n.metadata.labels?.[EXCLUDE_LABEL] === undefined
        );
      })
      .map((n) => n.metadata.name);
    for (const svc of snap.objects.services) {
      const type = typeOf(svc);
      if (
        (type !== 'LoadBalancer' && type !== 'NodePort') ||
        serviceSpec(svc).externalTrafficPolicy !== 'Local'
      )
        continue;
      const withPods = new Set(
        (ready.get(key(svc)) ?? []).map((a) => a.nodeName).filter((n) => n !== undefined),
      );
      const without = receiving.filter((n) => !withPods.has(n));
      if (without.length === 0) continue;
      const nodePortOnly = type === 'NodePort';
      yield {
        object: svc,
        type: resources.services,
        // A NodePort client hitting a node without a local pod is dropped (Popeye 1108); a cloud LB
        // health-checks those nodes out, and spreads load per node, not per pod (1107).
        severity: nodePortOnly ? 'warning' : 'info',
        message: nodePortOnly
          ? `NodePort Service ${key(svc)} uses externalTrafficPolicy Local but has no ready pod on ${without.length} of ${receiving.length} nodes: connections to those nodes are dropped`
          : `LoadBalancer Service ${key(svc)} uses externalTrafficPolicy Local with pods on ${receiving.length - without.length} of ${receiving.length} nodes: the load balancer health-checks the others out and balances per node, not per pod`,
        evidence: {
          nodesReceivingTraffic: receiving.length,
          nodesWithoutReadyPod: without,
          nodesWithPods: [...withPods],
        },
        fix: nodePortOnly
          ? 'Use externalTrafficPolicy: Cluster, or run the pods as a DaemonSet on every node'
          : 'Spread the pods across nodes (topologySpreadConstraints), or use externalTrafficPolicy: Cluster if the client IP is not needed',
      };
    }
  },
});

export const CHECKS = [pending, cost, noEndpoints, singleEndpoint, nodePort, trafficPolicyLocal];
