// Cluster health checks: the API server's readyz/livez (failed checks named), the node readiness
// ratio, kubelet/apiserver version skew per the Kubernetes version skew policy, an old control plane
// (Popeye 405), and the cluster score on Popeye's A-F scale.
import { check, resources, type KubeObject, type ObjectRef, type Snapshot } from '../../shared/index.ts';
import type { EndpointHealth, Version } from './health.ts';
import { parseVersion } from './health.ts';

export const KINDS = { nodes: resources.nodes };

export interface ClusterSnap {
  nodes: Snapshot<typeof KINDS>;
  readyz: EndpointHealth;
  livez: EndpointHealth;
  server: Version | undefined;
  cluster: string;
}

export interface ClusterSettings {
  minReadyPercent: number;
  latestMinor: number;
  supportedMinors: number;
  minScore: number;
}

/** The finding's object for a problem of the cluster as a whole. */
export const clusterRef = (name: string): ObjectRef => ({
  apiVersion: 'eco.bsw-arch.org/v1',
  kind: 'Cluster',
  name,
});
/** The API server as the object of a health finding. */
const apiServerRef = (cluster: string): ObjectRef => ({
  apiVersion: 'eco.bsw-arch.org/v1',
  kind: 'APIServer',
  name: cluster,
});

export function nodeReady(node: KubeObject): boolean {
  const conditions = (node.status as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions;
  return conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export function kubeletVersion(node: KubeObject): Version | undefined {
  return parseVersion(
    (node.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion,
  );
}

/** Kubernetes version skew policy: a kubelet may be up to 3 minors older than kube-apiserver, never newer. */
export const MAX_KUBELET_SKEW = 3;

export type Skew =
  | { kind: 'ok'; behind: number }
  | { kind: 'at-limit'; behind: number }
  | { kind: 'too-old'; behind: number }
  | { kind: 'newer'; ahead: number };

export function skewOf(server: Version, kubelet: Version): Skew {
  const behind = (server.major - kubelet.major) * 100 + server.minor - kubelet.minor;
  if (behind < 0) return { kind: 'newer', ahead: -behind };
  if (behind > MAX_KUBELET_SKEW) return { kind: 'too-old', behind };
  if (behind === MAX_KUBELET_SKEW) return { kind: 'at-limit', behind };
  return { kind: 'ok', behind };
}

function healthCheck(endpoint: 'readyz' | 'livez', anchorText: string) {
  return check<ClusterSnap, ClusterSettings>({
    id: `cluster.${endpoint}-failed`,
    severity: 'critical',
    title: `/${endpoint} reports failed checks`,
    anchor: anchorText,
    *run(snap) {
      const health = snap[endpoint];
      if (health.ok) return;
      if (!health.reachable) {
        yield {
          object: apiServerRef(snap.cluster),
          message: `The API server's /${endpoint} endpoint did not answer with its checks (${health.error ?? 'no answer'}).`,
          evidence: { endpoint: `/${endpoint}?verbose`, status: health.status ?? null },
          fix: `Check the kube-apiserver pods (kubectl -n kube-system get pods -l component=kube-apiserver) and their logs.`,
        };
        return;
      }
      const failed = health.checks.filter((c) => !c.ok);
      yield {
        object: apiServerRef(snap.cluster),
        message: `The API server's /${endpoint} fails ${failed.length} check(s): ${failed.map((c) => c.name).join(', ') || 'unnamed'}.`,
        evidence: {
          endpoint: `/${endpoint}?verbose`,
          status: health.status ?? null,
          failed: failed.map((c) => ({ name: c.name, reason: c.reason ?? 'failed' })),
          passed: health.checks.length - failed.length,
        },
        fix: `kubectl get --raw '/${endpoint}?verbose'; then look at the failed component (etcd: etcdctl endpoint health; informers: the apiserver log).`,
      };
    },
  });
}

export const readyzFailed = healthCheck('readyz', 'kube-apiserver /readyz (kubernetes-mixin KubeAPIDown)');
export const livezFailed = healthCheck('livez', 'kube-apiserver /livez (kubernetes-mixin KubeAPIDown)');

export const nodesNotReady = check<ClusterSnap, ClusterSettings>({
  id: 'cluster.nodes-not-ready',
  severity: 'warning',
  title: 'share of ready nodes below the threshold',
  anchor: 'Popeye POP-702 rolled up; kubernetes-mixin KubeNodeNotReady',
  *run(snap, settings) {
    const nodes = snap.nodes.objects.nodes;
    if (nodes.length === 0) return;
    const ready = nodes.filter(nodeReady).length;
    const percent = Math.round((ready / nodes.length) * 1000) / 10;
    if (percent >= settings.minReadyPercent) return;
    yield {
      object: clusterRef(snap.cluster),
      severity: percent < 50 ? 'critical' : 'warning',
      message: `${ready} of ${nodes.length} nodes are ready (${percent}%), below ${settings.minReadyPercent}%.`,
      evidence: {
        ready,
        total: nodes.length,
        percent,
        threshold: settings.minReadyPercent,
        notReady: nodes.filter((n) => !nodeReady(n)).map((n) => n.metadata.name),
      },
      fix: 'See eco-node-bot for each node that is not ready (kubectl get nodes; kubectl describe node <name>).',
    };
  },
});

export const versionSkew = check<ClusterSnap, ClusterSettings>({
  id: 'cluster.version-skew',
  severity: 'warning',
  title: 'kubelet outside the version skew policy (newer, or more than 3 minors older)',
  anchor: 'Kubernetes version skew policy (kubelet: up to 3 minor versions older than kube-apiserver)',
  *run(snap) {
    const server = snap.server;
    if (!server) return;
    for (const node of snap.nodes.objects.nodes) {
      const kubelet = kubeletVersion(node);
      if (!kubelet) continue;
      const skew = skewOf(server, kubelet);
      if (skew.kind === 'ok') continue;
      const evidence = {
        apiserver: server.text,
        kubelet: kubelet.text,
        minorsBehind: skew.kind === 'newer' ? -skew.ahead : skew.behind,
        maxMinorsBehind: MAX_KUBELET_SKEW,
      };
      const upgrade = `Upgrade the kubelet on ${node.metadata.name} to ${server.major}.${server.minor} (drain, upgrade the node image or kubelet package, uncordon).`;
      if (skew.kind === 'newer')
        yield {
          object: node,
          type: resources.nodes,
          severity: 'critical',
          message: `Node ${node.metadata.name} runs kubelet ${kubelet.text}, newer than the ${server.text} control plane, which the skew policy never allows.`,
          evidence,
          fix: `Upgrade the control plane first, or roll the node back to ${server.major}.${server.minor}.`,
        };
      else if (skew.kind === 'too-old')
        yield {
          object: node,
          type: resources.nodes,
          severity: 'critical',
          message: `Node ${node.metadata.name} runs kubelet ${kubelet.text}, ${skew.behind} minor versions behind the ${server.text} control plane (unsupported: at most ${MAX_KUBELET_SKEW}).`,
          evidence,
          fix: upgrade,
        };
      else
        yield {
          object: node,
          type: resources.nodes,
          message: `Node ${node.metadata.name} runs kubelet ${kubelet.text}, ${skew.behind} minor versions behind the ${server.text} control plane: the most the skew policy allows, so the next control-plane upgrade breaks it.`,
          evidence,
          fix: upgrade,
        };
    }
  },
});

export const versionOld = check<ClusterSnap, ClusterSettings>({
  id: 'cluster.version-old',
  severity: 'warning',
  title: 'control plane on a Kubernetes minor that is out of upstream support',
  anchor: 'Popeye POP-405 (very old Kubernetes); kube-score stable-version',
  *run(snap, settings) {
    const server = snap.server;
    if (!server) return;
    const oldest = settings.latestMinor - settings.supportedMinors + 1;
    if (server.major > 1 || server.minor >= oldest) return;
    yield {
      object: clusterRef(snap.cluster),
      message: `The control plane runs Kubernetes ${server.text}; upstream supports 1.${oldest} to 1.${settings.latestMinor}.`,
      evidence: { server: server.text, latestMinor: settings.latestMinor, oldestSupportedMinor: oldest },
      fix: `Plan the upgrade one minor at a time to 1.${oldest} or newer (kubeadm upgrade plan, or the provider's upgrade).`,
    };
  },
});

export const CHECKS = [readyzFailed, livezFailed, nodesNotReady, versionSkew, versionOld];

/** Popeye's grade scale (internal/report/grade.go): A >= 90, B >= 80, C >= 70, D >= 60, E >= 50, else F. */
export function grade(score: number): 'A' | 'B' | 'C' | 'D' | 'E' | 'F' {
  if (score >= 90) return 'A';
  if (score >= 80) return 'B';
  if (score >= 70) return 'C';
  if (score >= 60) return 'D';
  if (score >= 50) return 'E';
  return 'F';
}

export interface Section {
  name: string;
  ok: number;
  total: number;
  score: number;
}

/**
 * Popeye's scoring: per section, the share of items without a warning or an error (ok and info
 * count as ok), as a percentage; the cluster score is the mean of the section scores.
 */
export function score(snap: ClusterSnap, settings: ClusterSettings): { score: number; sections: Section[] } {
  const section = (name: string, ok: number, total: number): Section => ({
    name,
    ok,
    total,
    score: total === 0 ? 100 : Math.round((ok / total) * 100),
  });
  const nodes = snap.nodes.objects.nodes;
  const health = [...snap.readyz.checks, ...snap.livez.checks];
  const reachable = [snap.readyz, snap.livez].filter((h) => h.reachable).length;
  const sections = [
    section('apiserver', health.filter((c) => c.ok).length + reachable, health.length + 2),
    section('nodes', nodes.filter(nodeReady).length, nodes.length),
    section(
      'version-skew',
      nodes.filter((n) => {
        const k = kubeletVersion(n);
        return !snap.server || !k || skewOf(snap.server, k).kind === 'ok';
      }).length,
      nodes.length,
    ),
  ];
  if (snap.server)
    sections.push(
      section('cluster', snap.server.minor >= settings.latestMinor - settings.supportedMinors + 1 ? 1 : 0, 1),
    );
  const mean = sections.reduce((a, s) => a + s.score, 0) / sections.length;
  return { score: Math.round(mean), sections };
}
