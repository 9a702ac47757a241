// The image bot's run without the kit around it: pods (with their workloads) and nodes in, drafts
// out. Sizes come from the registry when the image lives in the configured registry (compressed,
// for the node's platform or the largest), else from the nodes' status.images; the base image is
// judged from the registry's image config. One registry lookup per distinct image.
import {
  createOwnerIndex,
  isRegistryError,
  parseImageReference,
  pullReference,
  registryReportError,
  type ImageConfig,
  type KubeObject,
  type RegistryClient,
} from '../../shared/index.ts';
import {
  baseCheck,
  nodeImageSizes,
  nodeSizeOf,
  policyChecks,
  sizeCheck,
  type Draft,
  type ImageUse,
  type NodeImage,
  type PolicyConfig,
  type SizeEvidence,
} from './checks.ts';

export interface AnalyseInput {
  pods: KubeObject[];
  replicaSets: KubeObject[];
  jobs: KubeObject[];
  nodes: {
    metadata: { name: string };
    status?: { images?: NodeImage[]; nodeInfo?: { architecture?: string } };
  }[];
  policy: PolicyConfig;
  maxBytes: number;
  /** The configured registry (ECO_REGISTRY_URL) and its host as image references name it. */
  registry?: { client: RegistryClient; host: string } | undefined;
}

export interface AnalyseResult {
  drafts: Draft[];
  errors: { code: string; message: string }[];
  images: number;
  sizes: Record<string, SizeEvidence>;
}

interface PodShape {
  spec?: {
    nodeName?: string;
    containers?: { name: string; image?: string }[];
    initContainers?: { name: string; image?: string }[];
  };
  status?: {
    containerStatuses?: { name: string; imageID?: string }[];
    initContainerStatuses?: { name: string; imageID?: string }[];
  };
}

/** One use per workload and container: five replicas of a Deployment are one finding. */
export function imageUses(
  pods: KubeObject[],
  replicaSets: KubeObject[],
  jobs: KubeObject[],
): (ImageUse & { node?: string | undefined })[] {
  const owners = createOwnerIndex({ replicaSets, jobs });
  const seen = new Map<string, ImageUse & { node?: string | undefined }>();
  for (const pod of pods) {
    const shape = pod as PodShape;
    const workload = owners.workloadOf(pod);
    const statuses = [
      ...(shape.status?.initContainerStatuses ?? []),
      ...(shape.status?.containerStatuses ?? []),
    ];
    for (const container of [...(shape.spec?.initContainers ?? []), ...(shape.spec?.containers ?? [])]) {
      if (!container.image) continue;
      const key = `${workload.kind}/${workload.namespace ?? ''}/${workload.name}/${container.name}`;
      if (seen.has(key)) continue;
      seen.set(key, {
        object: workload,
        container: container.name,
        image: container.image,
        imageID: statuses.find((s) => s.name === container.name)?.imageID,
        node: shape.spec?.nodeName,
      });
    }
  }
  return [...seen.values()];
}

export async function analyseImages(input: AnalyseInput): Promise<AnalyseResult> {
  const uses = imageUses(input.pods, input.replicaSets, input.jobs);
  const nodeSizes = nodeImageSizes(input.nodes);
  const archOf = new Map(input.nodes.map((n) => [n.metadata.name, n.status?.nodeInfo?.architecture]));
  const drafts: Draft[] = [];
  const errors: AnalyseResult['errors'] = [];
  const sizes: Record<string, SizeEvidence> = {};
  const registryInfo = new Map<string, Promise<{ size?: SizeEvidence; config?: ImageConfig } | undefined>>();
  let registryDown = false;

  const fromRegistry = (image: string, arch: string | undefined) => {
    const registry = input.registry;
    if (!registry || registryDown) return Promise.resolve(undefined);
    let ref;
    try {
      ref = parseImageReference(image);
    } catch {
      return Promise.resolve(undefined);
    }
    if (ref.registry !== registry.host) return Promise.resolve(undefined);
    const key = `${ref.repository}@${pullReference(ref)}/${arch ?? ''}`;
    let pending = registryInfo.get(key);
    if (!pending) {
      pending = (async () => {
        try {
          const size = await registry.client.imageSize(ref.repository, pullReference(ref));
          const wanted = size.platforms.find((p) => p.platform?.split('/')[1] === arch);
          const chosen = wanted ?? [...size.platforms].sort((a, b) => b.bytes - a.bytes)[0];
          if (!chosen) return undefined;
          const manifest = await registry.client.getManifest(ref.repository, chosen.digest);
          const config =
            manifest.manifest.kind === 'manifest'
              ? await registry.client.getImageConfig(ref.repository, manifest.manifest.config.digest)
              : undefined;
          return {
            size: { bytes: chosen.bytes, source: 'registry' as const, platform: chosen.platform },
            ...(config ? { config } : {}),
          };
        } catch (error) {
          if (isRegistryError(error) && error.kind === 'not-found') return undefined;
          if (isRegistryError(error) && error.kind === 'unreachable') registryDown = true;
          errors.push(registryReportError(error, `size of ${image}`));
          return undefined;
        }
      })();
      registryInfo.set(key, pending);
    }
    return pending;
  };

  for (const use of uses) {
    drafts.push(...policyChecks(use, input.policy));
    const info = await fromRegistry(use.image, use.node ? archOf.get(use.node) : undefined);
    const nodeBytes = nodeSizeOf(use, nodeSizes);
    const size: SizeEvidence | undefined =
      info?.size ?? (nodeBytes !== undefined ? { bytes: nodeBytes, source: 'node' } : undefined);
    if (size) {
      sizes[use.image] = size;
      drafts.push(...sizeCheck(use, size, input.maxBytes));
    }
    if (info?.config) drafts.push(...baseCheck(use, info.config));
  }
  return { drafts, errors: dedupe(errors), images: new Set(uses.map((u) => u.image)).size, sizes };
}

function dedupe(errors: AnalyseResult['errors']): AnalyseResult['errors'] {
  const seen = new Set<string>();
  // One error per kind of failure (a 401 on every image is one problem).
  return errors.filter((e) => (seen.has(e.code) ? false : (seen.add(e.code), true)));
}
