// The cluster inventory: nodes with kubelet/OS/arch, namespaces, workloads by kind, and the platforms
// installed, recognised from their CustomResourceDefinitions' API groups.
import type { KubeObject, ResourceType } from '../../shared/index.ts';

export const crdType: ResourceType = Object.freeze({
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
});

/** API groups (exact, or a suffix after a dot) of the platforms the fleet knows. */
export const PLATFORMS: readonly { name: string; groups: readonly string[] }[] = [
  { name: 'Knative', groups: ['knative.dev'] },
  { name: 'OpenFaaS', groups: ['openfaas.com'] },
  { name: 'Prometheus operator', groups: ['monitoring.coreos.com'] },
  { name: 'cert-manager', groups: ['cert-manager.io'] },
  { name: 'snapshot controller', groups: ['snapshot.storage.k8s.io'] },
  { name: 'trivy-operator', groups: ['aquasecurity.github.io'] },
  { name: 'Gateway API', groups: ['gateway.networking.k8s.io'] },
];

const inGroup = (group: string, platformGroup: string): boolean =>
  group === platformGroup || group.endsWith(`.${platformGroup}`);

export interface Platform {
  name: string;
  groups: string[];
  crds: string[];
  /** The storage versions, `group/version` per CRD. */
  versions: string[];
}

interface CrdSpec {
  group?: string;
  versions?: { name?: string; served?: boolean; storage?: boolean }[];
}

export function platformsOf(crds: readonly KubeObject[]): { installed: Platform[]; other: string[] } {
  const installed = new Map<string, Platform>();
  const other = new Set<string>();
  for (const crd of crds) {
    const spec = (crd.spec ?? {}) as CrdSpec;
    const group = spec.group ?? crd.metadata.name.split('.').slice(1).join('.');
    const platform = PLATFORMS.find((p) => p.groups.some((g) => inGroup(group, g)));
    if (!platform) {
      other.add(group);
      continue;
    }
    const entry = installed.get(platform.name) ?? { name: platform.name, groups: [], crds: [], versions: [] };
    if (!entry.groups.includes(group)) entry.groups.push(group);
    entry.crds.push(crd.metadata.name);
    const storage = spec.versions?.find((v) => v.storage)?.name;
    if (storage && !entry.versions.includes(`${group}/${storage}`))
      entry.versions.push(`${group}/${storage}`);
    installed.set(platform.name, entry);
  }
  const sorted = [...installed.values()].map((p) => ({
    ...p,
    groups: p.groups.sort(),
    crds: p.crds.sort(),
    versions: p.versions.sort(),
  }));
  return { installed: sorted.sort((a, b) => a.name.localeCompare(b.name)), other: [...other].sort() };
}

export interface NodeInventory {
  name: string;
  ready: boolean;
  kubelet: string | null;
  os: string | null;
  osImage: string | null;
  arch: string | null;
  kernel: string | null;
  runtime: string | null;
  roles: string[];
}

export function nodeInventory(node: KubeObject): NodeInventory {
  const status = (node.status ?? {}) as {
    nodeInfo?: Record<string, string | undefined>;
    conditions?: { type: string; status: string }[];
  };
  const info = status.nodeInfo ?? {};
  const labels = node.metadata.labels ?? {};
  return {
    name: node.metadata.name,
    ready: status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    kubelet: info['kubeletVersion'] ?? null,
    os: info['operatingSystem'] ?? labels['kubernetes.io/os'] ?? null,
    osImage: info['osImage'] ?? null,
    arch: info['architecture'] ?? labels['kubernetes.io/arch'] ?? null,
    kernel: info['kernelVersion'] ?? null,
    runtime: info['containerRuntimeVersion'] ?? null,
    roles: Object.keys(labels)
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length))
      .sort(),
  };
}
