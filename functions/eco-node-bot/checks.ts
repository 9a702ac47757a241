// Node checks after Popeye's node linter (codes 700-711) and its 80 % utilisation threshold. Each is a
// pure function of the snapshot: nodes, the pods that run (for tolerations) and node metrics.
import { check, parseQuantity, resources, type KubeObject, type Snapshot } from '../../shared/index.ts';

export const KINDS = {
  nodes: resources.nodes,
  pods: resources.pods,
  nodeMetrics: resources.nodeMetrics,
};
export type NodeSnap = Snapshot<typeof KINDS>;

export interface NodeSettings {
  notReadyMinutes: number;
  cpuThreshold: number;
  memoryThreshold: number;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function conditions(node: KubeObject): Condition[] {
  return (node.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
}

export function condition(node: KubeObject, type: string): Condition | undefined {
  return conditions(node).find((c) => c.type === type);
}

/** Ready is anything but True: False (kubelet says not ready) or Unknown (kubelet silent) or absent. */
export function isReady(node: KubeObject): boolean {
  return condition(node, 'Ready')?.status === 'True';
}

/** Minutes since the Ready condition last changed, or undefined without a transition time. */
export function notReadyMinutes(node: KubeObject, now: Date): number | undefined {
  const since = Date.parse(condition(node, 'Ready')?.lastTransitionTime ?? '');
  return Number.isNaN(since) ? undefined : Math.floor((now.getTime() - since) / 60_000);
}

export function isUnschedulable(node: KubeObject): boolean {
  return (node.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
}

export function taints(node: KubeObject): Taint[] {
  return (node.spec as { taints?: Taint[] } | undefined)?.taints ?? [];
}

/** The core scheduler's toleration rule (k8s.io/api/core/v1 Toleration.ToleratesTaint). */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key === undefined || toleration.key === '') return toleration.operator === 'Exists';
  if (toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  return (toleration.value ?? '') === (taint.value ?? '');
}

/**
 * Taints the node lifecycle controller and the cloud provider put on and take off themselves: they
 * mirror a condition already reported (not-ready, pressure) or a bootstrap step, so they are no
 * operator's taint "no pod tolerates" (Popeye 700 is about taints someone set).
 */
export function isSystemTaint(taint: Taint): boolean {
  return (
    taint.key.startsWith('node.kubernetes.io/') || taint.key.startsWith('node.cloudprovider.kubernetes.io/')
  );
}

const ref = (node: KubeObject): string => node.metadata.name;
const describeCondition = (c: Condition): Record<string, unknown> => ({
  condition: c.type,
  status: c.status,
  ...(c.reason ? { reason: c.reason } : {}),
  ...(c.message ? { message: c.message } : {}),
  ...(c.lastTransitionTime ? { since: c.lastTransitionTime } : {}),
});

export const notReady = check<NodeSnap, NodeSettings>({
  id: 'node.not-ready',
  severity: 'critical',
  title: 'node whose Ready condition is False or Unknown',
  anchor: 'Popeye POP-702 (not ready) and POP-701 (unknown condition)',
  *run(snap, settings, now) {
    for (const node of snap.objects.nodes) {
      if (isReady(node)) continue;
      const ready = condition(node, 'Ready') ?? { type: 'Ready', status: 'Unknown', reason: 'NoCondition' };
      const minutes = notReadyMinutes(node, now);
      yield {
        object: node,
        type: resources.nodes,
        message:
          ready.status === 'Unknown'
            ? `Node ${ref(node)} has not reported its status${minutes === undefined ? '' : ` for ${minutes} minutes`} (Ready=Unknown): its kubelet is down or unreachable.`
            : `Node ${ref(node)} is not ready${minutes === undefined ? '' : ` for ${minutes} minutes`} (Ready=False${ready.reason ? `, ${ready.reason}` : ''}).`,
        evidence: {
          ...describeCondition(ready),
          notReadyMinutes: minutes ?? null,
          cordonAfterMinutes: settings.notReadyMinutes,
          unschedulable: isUnschedulable(node),
        },
        fix: `Check the kubelet on ${ref(node)} (systemctl status kubelet; journalctl -u kubelet), or drain and replace the node: kubectl drain ${ref(node)} --ignore-daemonsets --delete-emptydir-data`,
      };
    }
  },
});

/** One check per pressure condition (node-problem-detector and kubelet condition types). */
function pressureCheck(
  id: string,
  type: string,
  anchor: string,
  severity: 'warning' | 'critical',
  what: string,
  fix: (node: string) => string,
) {
  return check<NodeSnap, NodeSettings>({
    id,
    severity,
    title: `node with ${type}=True`,
    anchor,
    *run(snap) {
      for (const node of snap.objects.nodes) {
        const c = condition(node, type);
        if (c?.status !== 'True') continue;
        yield {
          object: node,
          type: resources.nodes,
          message: `Node ${ref(node)} reports ${type} (${what}).`,
          evidence: describeCondition(c),
          fix: fix(ref(node)),
        };
      }
    },
  });
}

export const memoryPressure = pressureCheck(
  'node.memory-pressure',
  'MemoryPressure',
  'Popeye POP-704',
  'warning',
  'the kubelet is evicting pods to reclaim memory',
  (n) =>
    `Find the pods using the most memory (kubectl top pods -A --sort-by=memory | head; kubectl describe node ${n}) and set memory limits on them, or add memory.`,
);
export const diskPressure = pressureCheck(
  'node.disk-pressure',
  'DiskPressure',
  'Popeye POP-705',
  'warning',
  'image or ephemeral storage is nearly full, the kubelet garbage-collects images and evicts pods',
  (n) =>
    `Free disk on ${n}: remove unused images (crictl rmi --prune), check emptyDir and log volumes, or grow the disk.`,
);
export const pidPressure = pressureCheck(
  'node.pid-pressure',
  'PIDPressure',
  'Popeye POP-706',
  'critical',
  'the node is running out of process ids',
  (n) => `Find the pod forking processes on ${n} (ps -eLf | wc -l per container) and set podPidsLimit.`,
);
export const networkUnavailable = pressureCheck(
  'node.network-unavailable',
  'NetworkUnavailable',
  'Popeye POP-707',
  'critical',
  'its pod network is not configured',
  (n) => `Check the CNI agent pod on ${n} (kubectl get pods -A -o wide --field-selector spec.nodeName=${n}).`,
);

export const unschedulable = check<NodeSnap, NodeSettings>({
  id: 'node.unschedulable',
  severity: 'warning',
  title: 'node cordoned (scheduling disabled)',
  anchor: 'Popeye POP-711',
  *run(snap) {
    for (const node of snap.objects.nodes) {
      if (!isUnschedulable(node)) continue;
      yield {
        object: node,
        type: resources.nodes,
        message: `Node ${ref(node)} is cordoned: no new pods are scheduled on it.`,
        evidence: { unschedulable: true, ready: isReady(node) },
        fix: `When its maintenance is over: kubectl uncordon ${ref(node)}`,
      };
    }
  },
});

export const untoleratedTaint = check<NodeSnap, NodeSettings>({
  id: 'node.taint-untolerated',
  severity: 'warning',
  title: 'taint no pod in the cluster tolerates',
  anchor: 'Popeye POP-700',
  *run(snap) {
    const tolerations: Toleration[] = [];
    for (const pod of snap.objects.pods)
      tolerations.push(...((pod.spec as { tolerations?: Toleration[] } | undefined)?.tolerations ?? []));
    for (const node of snap.objects.nodes) {
      for (const taint of taints(node)) {
        if (isSystemTaint(taint)) continue;
        if (tolerations.some((t) => tolerates(t, taint))) continue;
        const text = `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
        yield {
          object: node,
          type: resources.nodes,
          discriminator: text,
          message: `Node ${ref(node)} has the taint ${text}, which no pod in the cluster tolerates.`,
          evidence: { taint, podsChecked: snap.objects.pods.length },
          fix: `Remove the taint if it is left over (kubectl taint nodes ${ref(node)} ${taint.key}:${taint.effect}-), or add a matching toleration to the workloads meant for this node.`,
        };
      }
    }
  },
});

interface NodeUsage {
  cpu: number;
  memory: number;
}

export function usageOf(snap: NodeSnap): Map<string, NodeUsage> {
  const out = new Map<string, NodeUsage>();
  for (const m of snap.objects.nodeMetrics) {
    const usage = (m as unknown as { usage?: { cpu?: string; memory?: string } }).usage;
    const cpu = parseQuantity(usage?.cpu);
    const memory = parseQuantity(usage?.memory);
    if (cpu !== undefined && memory !== undefined) out.set(m.metadata.name, { cpu, memory });
  }
  return out;
}

function allocatable(node: KubeObject, resource: 'cpu' | 'memory'): number | undefined {
  const value = (node.status as { allocatable?: Record<string, string> } | undefined)?.allocatable?.[
    resource
  ];
  const parsed = parseQuantity(value);
  return parsed !== undefined && parsed > 0 ? parsed : undefined;
}

function utilisationCheck(resource: 'cpu' | 'memory', code: string) {
  return check<NodeSnap, NodeSettings>({
    id: `node.${resource}-high`,
    severity: 'warning',
    title: `node ${resource} usage above the threshold of allocatable`,
    anchor: `Popeye ${code} (default threshold 80 %)`,
    *run(snap, settings) {
      const usage = usageOf(snap);
      const threshold = resource === 'cpu' ? settings.cpuThreshold : settings.memoryThreshold;
      for (const node of snap.objects.nodes) {
        const used = usage.get(node.metadata.name)?.[resource];
        const alloc = allocatable(node, resource);
        if (used === undefined || alloc === undefined) continue;
        const percent = Math.round((used / alloc) * 1000) / 10;
        if (percent <= threshold) continue;
        yield {
          object: node,
          type: resources.nodes,
          message: `Node ${ref(node)} uses ${percent}% of its allocatable ${resource}, above the ${threshold}% threshold.`,
          evidence:
            resource === 'cpu'
              ? { usedCores: round(used), allocatableCores: round(alloc), percent, threshold }
              : { usedBytes: Math.round(used), allocatableBytes: Math.round(alloc), percent, threshold },
          fix: `See what runs there (kubectl top pods -A --sort-by=${resource} | head) and spread or right-size it, or add capacity.`,
        };
      }
    },
  });
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export const cpuHigh = utilisationCheck('cpu', 'POP-709');
export const memoryHigh = utilisationCheck('memory', 'POP-710');

export const noMetrics = check<NodeSnap, NodeSettings>({
  id: 'node.no-metrics',
  severity: 'info',
  title: 'ready node without metrics from metrics.k8s.io',
  anchor: 'Popeye POP-708',
  *run(snap) {
    // Without the metrics API at all, the snapshot's api-missing finding already says so.
    if (snap.missing.has('nodeMetrics') || snap.failed.has('nodeMetrics')) return;
    const usage = usageOf(snap);
    for (const node of snap.objects.nodes) {
      if (!isReady(node) || usage.has(node.metadata.name)) continue;
      yield {
        object: node,
        type: resources.nodes,
        message: `Node ${ref(node)} is ready but metrics-server has no usage for it, so its utilisation was not checked.`,
        evidence: { metricsNodes: usage.size },
        fix: `Check metrics-server's logs for ${ref(node)} (kubectl -n kube-system logs deploy/metrics-server).`,
      };
    }
  },
});

export const CHECKS = [
  notReady,
  memoryPressure,
  diskPressure,
  pidPressure,
  networkUnavailable,
  unschedulable,
  untoleratedTaint,
  cpuHigh,
  memoryHigh,
  noMetrics,
];
