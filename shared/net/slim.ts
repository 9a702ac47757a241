// Pods as the network checks need them, and nothing more: a 10k-pod cluster's full pod list runs to
// hundreds of megabytes (managedFields, env, volumes, statuses), while labels, phase, host network
// and container ports fit in a few hundred bytes each. Lists stream page by page and keep the slim
// copy only.
import type { Context, ReportError } from '../bot/types.ts';
import { resources } from '../k8s/resources.ts';
import type { KubeObject } from '../k8s/types.ts';
import { reportErrorFrom } from '../report/helpers.ts';
import type { ContainerPort } from './services.ts';

interface PodSource {
  metadata: KubeObject['metadata'];
  spec?: {
    nodeName?: string;
    hostNetwork?: boolean;
    containers?: { name: string; ports?: ContainerPort[] }[];
    initContainers?: { name: string; ports?: ContainerPort[]; restartPolicy?: string }[];
  };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

/** The fields of a pod the network bots read (selectors, ports, phase, node, readiness). */
export function slimPod(pod: KubeObject): KubeObject {
  const p = pod as unknown as PodSource;
  const ports = (cs: { name: string; ports?: ContainerPort[] }[] | undefined) =>
    (cs ?? []).map((c) => ({ name: c.name, ...(c.ports ? { ports: c.ports } : {}) }));
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.metadata.name,
      ...(p.metadata.namespace ? { namespace: p.metadata.namespace } : {}),
      ...(p.metadata.labels ? { labels: p.metadata.labels } : {}),
      ...(p.metadata.deletionTimestamp ? { deletionTimestamp: p.metadata.deletionTimestamp } : {}),
    },
    spec: {
      ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
      ...(p.spec?.hostNetwork ? { hostNetwork: true } : {}),
      containers: ports(p.spec?.containers),
      ...(p.spec?.initContainers ? { initContainers: ports(p.spec.initContainers) } : {}),
    },
    status: {
      ...(p.status?.phase ? { phase: p.status.phase } : {}),
      ...(ready ? { conditions: [{ type: 'Ready', status: ready.status }] } : {}),
    },
  };
}

/** Every pod (or a namespace's), slimmed as it streams in; a failed read is a report error. */
export async function listSlimPods(
  ctx: Pick<Context, 'k8s'>,
  namespace?: string,
): Promise<{ ok: true; pods: KubeObject[] } | { ok: false; error: ReportError }> {
  const pods: KubeObject[] = [];
  try {
    for await (const pod of ctx.k8s.list(resources.pods, namespace === undefined ? {} : { namespace }))
      pods.push(slimPod(pod));
    return { ok: true, pods };
  } catch (error) {
    return { ok: false, error: reportErrorFrom(error, 'list pods') };
  }
}
