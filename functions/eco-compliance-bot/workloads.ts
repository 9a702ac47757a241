// The objects eco-compliance-bot judges: top-level workloads (not what a controller manages) and
// bare pods (shared/workloads' isTopLevelWorkload, the selection eco-security-bot makes too), each
// with its pod template.
import type { KubeObject, ResourceType } from '../../shared/index.ts';
import { apiVersionOf } from '../../shared/index.ts';
import { isTopLevelWorkload } from '../../shared/workloads/index.ts';

export interface Container {
  name: string;
  image?: string;
  env?: { name?: string; value?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

export interface PodTemplate {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  containers: Container[];
  initContainers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

export interface Workload {
  object: KubeObject;
  template: PodTemplate;
}

interface TemplateLike {
  metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    securityContext?: PodTemplate['securityContext'];
  };
}

function templateOf(o: KubeObject): TemplateLike | undefined {
  const spec = o.spec as
    { template?: TemplateLike; jobTemplate?: { spec?: { template?: TemplateLike } } } | undefined;
  if (o.kind === 'Pod')
    return { metadata: o.metadata, spec: (o.spec ?? {}) as NonNullable<TemplateLike['spec']> };
  if (o.kind === 'CronJob') return spec?.jobTemplate?.spec?.template;
  return spec?.template;
}

/** Top-level workloads and bare running pods, typed (list items come without kind/apiVersion). */
export function workloadsOf(lists: readonly (readonly [ResourceType, readonly KubeObject[]])[]): Workload[] {
  const out: Workload[] = [];
  for (const [type, objects] of lists) {
    for (const raw of objects) {
      const o: KubeObject = { ...raw, kind: type.kind, apiVersion: apiVersionOf(type) };
      if (!isTopLevelWorkload(o)) continue;
      const t = templateOf(o);
      if (!t?.spec) continue;
      out.push({
        object: o,
        template: {
          annotations: {
            ...(o.kind === 'Pod' ? {} : (o.metadata.annotations ?? {})),
            ...(t.metadata?.annotations ?? {}),
          },
          labels: { ...(o.kind === 'Pod' ? {} : (o.metadata.labels ?? {})), ...(t.metadata?.labels ?? {}) },
          containers: t.spec.containers ?? [],
          initContainers: t.spec.initContainers ?? [],
          ...(t.spec.securityContext ? { securityContext: t.spec.securityContext } : {}),
        },
      });
    }
  }
  return out;
}

/** Image name -> size in bytes, from the nodes' `status.images` (what the kubelet pulled). */
export function imageSizes(nodes: readonly KubeObject[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const n of nodes) {
    for (const img of (n.status as { images?: { names?: string[]; sizeBytes?: number }[] } | undefined)
      ?.images ?? []) {
      if (typeof img.sizeBytes !== 'number') continue;
      for (const name of img.names ?? []) if (!sizes.has(name)) sizes.set(name, img.sizeBytes);
    }
  }
  return sizes;
}

/** The size of an image as a node reports it: by exact name, else by its name without a tag (`@digest` entries). */
export function sizeOf(sizes: ReadonlyMap<string, number>, image: string): number | undefined {
  const exact =
    sizes.get(image) ?? sizes.get(`docker.io/${image}`) ?? sizes.get(`docker.io/library/${image}`);
  return exact;
}
