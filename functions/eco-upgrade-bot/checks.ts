// eco-upgrade-bot's checks: pure functions of what was read (server version, nodes, workloads, objects
// on APIs the next minor removes) and the catalogue. Anchors: Popeye POP-405 (old Kubernetes), the
// Kubernetes version skew policy, system-upgrade-controller's plan order (control plane, then nodes one
// at a time), the deprecated API migration guide.
import { check, resources, type KubeObject, type ObjectRef } from '../../shared/index.ts';
import type { Catalogue, ReleaseLine } from './catalogue.ts';

export interface Version {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function parseVersion(text: string | undefined): Version | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text ?? '');
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text: text ?? '' };
}
const minorOf = (v: Version): string => `${v.major}.${v.minor}`;

export interface Component {
  id: string;
  name: string;
  version: Version;
  workload: KubeObject;
  image: string;
}

export interface RemovedApiUse {
  apiVersion: string;
  kind: string;
  removedIn: string;
  replacement: string;
  objects: string[];
}

export interface UpgradeSnap {
  cluster: string;
  server?: Version;
  nodes: KubeObject[];
  components: Component[];
  removedNext: RemovedApiUse[];
  catalogue: Catalogue;
}

export interface UpgradeSettings {
  eolWarningDays: number;
}

export const clusterRef = (name: string): ObjectRef => ({
  apiVersion: 'eco.bsw-arch.org/v1',
  kind: 'Cluster',
  name,
});
const DAY = 86_400_000;

export type Support =
  | { state: 'supported'; eol: string; daysLeft: number }
  | { state: 'ending'; eol: string; daysLeft: number }
  | { state: 'ended'; eol: string; daysLeft: number }
  | { state: 'unknown' };

/** Where a minor stands in its release lines; a minor older than every listed line has ended too. */
export function supportOf(
  lines: readonly ReleaseLine[],
  version: Version,
  now: Date,
  warnDays: number,
): Support {
  const line = lines.find((l) => l.minor === minorOf(version));
  if (!line) {
    const oldest = lines
      .map((l) => parseVersion(l.minor))
      .filter((v): v is Version => v !== undefined)
      .sort((a, b) => a.major - b.major || a.minor - b.minor)[0];
    if (
      oldest &&
      (version.major < oldest.major || (version.major === oldest.major && version.minor < oldest.minor))
    )
      return { state: 'ended', eol: `before ${lines[0]?.eol ?? 'unknown'}`, daysLeft: -Infinity };
    return { state: 'unknown' };
  }
  const daysLeft = Math.floor((Date.parse(`${line.eol}T00:00:00Z`) - now.getTime()) / DAY);
  if (daysLeft < 0) return { state: 'ended', eol: line.eol, daysLeft };
  if (daysLeft <= warnDays) return { state: 'ending', eol: line.eol, daysLeft };
  return { state: 'supported', eol: line.eol, daysLeft };
}

/** The newest minor the catalogue lists for a product. */
export function newestMinor(lines: readonly ReleaseLine[]): string | undefined {
  return lines
    .map((l) => parseVersion(l.minor))
    .filter((v): v is Version => v !== undefined)
    .sort((a, b) => b.major - a.major || b.minor - a.minor)
    .map(minorOf)[0];
}

export function kubeletVersion(node: KubeObject): Version | undefined {
  return parseVersion(
    (node['status'] as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion,
  );
}

/** Minors a kubelet is behind the control plane (negative: ahead). */
export const behind = (server: Version, kubelet: Version): number =>
  (server.major - kubelet.major) * 100 + server.minor - kubelet.minor;
/** Skew policy: kubelets up to 3 minors older than kube-apiserver, never newer. */
export const MAX_SKEW = 3;

const daysText = (s: Support): string =>
  s.state === 'ended'
    ? `ended ${s.eol}`
    : s.state === 'unknown'
      ? 'not in the catalogue'
      : `ends ${s.eol} (${s.daysLeft} days)`;

export const controlPlaneSupport = check<UpgradeSnap, UpgradeSettings>({
  id: 'upgrade.control-plane-eol',
  severity: 'warning',
  title: 'control plane minor past or near its end of support',
  anchor: 'Popeye POP-405 (old Kubernetes); Kubernetes release support (about 14 months per minor)',
  *run(snap, settings, now) {
    if (!snap.server) return;
    const support = supportOf(snap.catalogue.kubernetes, snap.server, now, settings.eolWarningDays);
    if (support.state !== 'ended' && support.state !== 'ending') return;
    const target = newestMinor(snap.catalogue.kubernetes);
    yield {
      object: clusterRef(snap.cluster),
      severity: support.state === 'ended' ? 'critical' : 'warning',
      message: `Kubernetes ${snap.server.text} is on minor ${minorOf(snap.server)}, whose support ${daysText(support)}.`,
      evidence: {
        version: snap.server.text,
        minor: minorOf(snap.server),
        eol: support.eol,
        newestMinor: target ?? null,
        catalogueAsOf: snap.catalogue.asOf,
      },
      fix: `Upgrade the control plane one minor at a time (${minorOf(snap.server)} -> ${snap.server.major}.${snap.server.minor + 1}), following the plan in this report's data.`,
    };
  },
});

export const kubeletSkew = check<UpgradeSnap, UpgradeSettings>({
  id: 'upgrade.kubelet-skew',
  severity: 'warning',
  title: 'kubelet that blocks the next control plane upgrade, or outside the skew policy',
  anchor: 'Kubernetes version skew policy: kubelet up to 3 minors older than kube-apiserver, never newer',
  *run(snap) {
    if (!snap.server) return;
    for (const node of snap.nodes) {
      const kubelet = kubeletVersion(node);
      if (!kubelet) continue;
      const b = behind(snap.server, kubelet);
      if (b < MAX_SKEW && b >= 0) continue;
      const outside = b > MAX_SKEW || b < 0;
      yield {
        object: node,
        type: resources.nodes,
        severity: outside ? 'critical' : 'warning',
        message:
          b < 0
            ? `kubelet ${kubelet.text} on ${node.metadata.name} is newer than the control plane ${snap.server.text}, which the skew policy forbids.`
            : outside
              ? `kubelet ${kubelet.text} on ${node.metadata.name} is ${b} minors behind the control plane ${snap.server.text}, beyond the skew policy's 3.`
              : `kubelet ${kubelet.text} on ${node.metadata.name} is 3 minors behind the control plane ${snap.server.text}: the control plane cannot be upgraded until this node is.`,
        evidence: {
          kubelet: kubelet.text,
          controlPlane: snap.server.text,
          minorsBehind: b,
          maxSkew: MAX_SKEW,
        },
        fix: `Upgrade ${node.metadata.name} (drain it with eco-maintenance-bot: POST {"nodes":["${node.metadata.name}"]}) to ${minorOf(snap.server)} before the next control plane upgrade.`,
      };
    }
  },
});

export const componentSupport = check<UpgradeSnap, UpgradeSettings>({
  id: 'upgrade.component-eol',
  severity: 'warning',
  title: 'platform component on a release line past or near its end of support',
  anchor: "Popeye POP-405's rule applied to platform components; each project's support policy",
  *run(snap, settings, now) {
    for (const c of snap.components) {
      const product = snap.catalogue.components.find((p) => p.id === c.id);
      if (!product) continue;
      const support = supportOf(product.lines, c.version, now, settings.eolWarningDays);
      if (support.state !== 'ended' && support.state !== 'ending') continue;
      yield {
        object: c.workload,
        severity: support.state === 'ended' ? 'critical' : 'warning',
        discriminator: c.image,
        message: `${c.name} ${c.version.text} (${c.image}) is on release line ${minorOf(c.version)}, whose support ${daysText(support)}.`,
        evidence: {
          component: c.id,
          version: c.version.text,
          image: c.image,
          eol: support.eol,
          newestMinor: newestMinor(product.lines) ?? null,
        },
        fix: `Upgrade ${c.name} to ${newestMinor(product.lines) ?? 'a supported release'} (after the control plane and nodes, per the plan in this report's data).`,
      };
    }
  },
});

export const removedNextMinor = check<UpgradeSnap, UpgradeSettings>({
  id: 'upgrade.removed-api-next-minor',
  severity: 'warning',
  title: 'objects on an API the next Kubernetes minor no longer serves',
  anchor: 'Kubernetes deprecated API migration guide; Popeye POP-403 / kube-score stable-version',
  *run(snap) {
    if (!snap.server) return;
    for (const use of snap.removedNext) {
      if (use.objects.length === 0) continue;
      yield {
        object: clusterRef(snap.cluster),
        discriminator: `${use.apiVersion}/${use.kind}`,
        message: `${use.objects.length} ${use.kind} objects are served through ${use.apiVersion}, which Kubernetes ${use.removedIn} removes: upgrading to it breaks their clients and manifests.`,
        evidence: {
          apiVersion: use.apiVersion,
          kind: use.kind,
          removedIn: use.removedIn,
          replacement: use.replacement,
          objects: use.objects.slice(0, 20),
          count: use.objects.length,
        },
        fix: `Move the manifests and clients to ${use.replacement} before upgrading to ${use.removedIn} (kubectl convert, or pluto to find them).`,
      };
    }
  },
});

export const CHECKS = [controlPlaneSupport, kubeletSkew, componentSupport, removedNextMinor];

export interface PlanStep {
  step: number;
  what: 'kubelet' | 'apis' | 'control-plane' | 'component';
  target: string;
  from: string;
  to: string;
  why: string;
}

/**
 * The upgrade order (system-upgrade-controller's server plan, then agent plan with concurrency 1):
 * kubelets at the skew limit first (they block the control plane), removed APIs migrated, the
 * control plane one minor up, then every node one at a time, then platform components.
 */
export function upgradePlan(snap: UpgradeSnap): PlanStep[] {
  const steps: Omit<PlanStep, 'step'>[] = [];
  const server = snap.server;
  if (server) {
    const current = minorOf(server);
    const newest = newestMinor(snap.catalogue.kubernetes);
    const next = `${server.major}.${server.minor + 1}`;
    const upgradeCp =
      newest !== undefined &&
      parseVersion(newest) !== undefined &&
      behind(parseVersion(newest) as Version, server) > 0;
    for (const node of snap.nodes) {
      const k = kubeletVersion(node);
      if (k && upgradeCp && behind(server, k) >= MAX_SKEW)
        steps.push({
          what: 'kubelet',
          target: node.metadata.name,
          from: k.text,
          to: current,
          why: 'at the skew limit: blocks the control plane upgrade',
        });
    }
    if (upgradeCp) {
      for (const use of snap.removedNext.filter((u) => u.objects.length > 0))
        steps.push({
          what: 'apis',
          target: `${use.apiVersion}/${use.kind}`,
          from: use.apiVersion,
          to: use.replacement,
          why: `removed in ${use.removedIn}`,
        });
      steps.push({
        what: 'control-plane',
        target: snap.cluster,
        from: server.text,
        to: next,
        why: 'one minor at a time',
      });
      for (const node of snap.nodes) {
        const k = kubeletVersion(node);
        if (k)
          steps.push({
            what: 'kubelet',
            target: node.metadata.name,
            from: k.text,
            to: next,
            why: 'one node at a time, after the control plane',
          });
      }
    }
  }
  for (const c of snap.components) {
    const product = snap.catalogue.components.find((p) => p.id === c.id);
    const newest = product ? newestMinor(product.lines) : undefined;
    const nv = parseVersion(newest);
    if (nv && behind(nv, c.version) > 0)
      steps.push({
        what: 'component',
        target: `${c.name} (${c.workload.metadata.namespace ?? ''}/${c.workload.metadata.name})`,
        from: c.version.text,
        to: newest as string,
        why: 'newest supported release line',
      });
  }
  return steps.map((s, i) => ({ step: i + 1, ...s }));
}
