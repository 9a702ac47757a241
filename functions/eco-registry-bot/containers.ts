// The images a set of cluster objects names: pods (with the digest each container runs) and the pod
// templates of workloads (ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs).
import type { KubeObject } from '../../shared/index.ts';

interface ContainerLike {
  name?: string;
  image?: string;
}
interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}

function podSpecOf(object: KubeObject): PodSpecLike | undefined {
  const spec = object.spec as
    | (PodSpecLike & {
        template?: { spec?: PodSpecLike };
        jobTemplate?: { spec?: { template?: { spec?: PodSpecLike } } };
      })
    | undefined;
  if (!spec) return undefined;
  if (object.kind === 'CronJob' || spec.jobTemplate) return spec.jobTemplate?.spec?.template?.spec;
  return spec.template?.spec ?? spec;
}

export function containersOf(
  objects: readonly KubeObject[],
): { image: string; imageID?: string | undefined }[] {
  const out: { image: string; imageID?: string | undefined }[] = [];
  for (const object of objects) {
    const spec = podSpecOf(object);
    const statuses = [
      ...((object.status as { containerStatuses?: { name: string; imageID?: string }[] } | undefined)
        ?.containerStatuses ?? []),
      ...((object.status as { initContainerStatuses?: { name: string; imageID?: string }[] } | undefined)
        ?.initContainerStatuses ?? []),
    ];
    for (const c of [
      ...(spec?.initContainers ?? []),
      ...(spec?.containers ?? []),
      ...(spec?.ephemeralContainers ?? []),
    ]) {
      if (!c.image) continue;
      out.push({ image: c.image, imageID: statuses.find((s) => s.name === c.name)?.imageID });
    }
  }
  return out;
}
