// Image policy checks on one container image, pure (unit-tested). Anchors: Popeye 100 (untagged,
// error), 101 (`latest`, warn), 113 (registry not allowed, error); Kyverno disallow-latest-tag,
// restrict-image-registries, resolve-image-to-digest (pin by digest), block-large-images (here the
// seed's 50 MB target); Polaris tagNotSpecified. The seed forbids the big cloud providers'
// registries (FAGAM) and wants Wolfi bases.
import {
  digestOfImageId,
  isCloudProviderRegistry,
  parseImageReference,
  type FindingInput,
  type ImageConfig,
  type ImageReference,
  type ObjectRef,
  type RegistryMatcher,
} from '../../shared/index.ts';

export type Draft = Omit<FindingInput, 'bot'>;

/** The seed's image size target. */
export const DEFAULT_MAX_IMAGE_BYTES = 50 * 1000 * 1000;

export interface ImageUse {
  /** The workload (or bare pod) that runs the image. */
  object: ObjectRef;
  container: string;
  image: string;
  /** `status.containerStatuses[].imageID`, when the pod has started. */
  imageID?: string | undefined;
}

export interface PolicyConfig {
  /** ECO_IMAGE_REGISTRIES; undefined = no allow-list configured (the check is off). */
  allowed: RegistryMatcher | undefined;
  allowedPatterns: readonly string[];
}

/** Tag, digest and registry checks of one container's image. */
export function policyChecks(use: ImageUse, config: PolicyConfig): Draft[] {
  const common = { object: use.object, discriminator: use.container };
  let ref: ImageReference;
  try {
    ref = parseImageReference(use.image);
  } catch (error) {
    return [
      {
        ...common,
        check: 'image.invalid-reference',
        severity: 'critical',
        message: `container ${use.container} has an image reference the runtime cannot pull: ${(error as Error).message}`,
        evidence: { container: use.container, image: use.image },
        fix: 'write the image as registry/repository:tag or repository@sha256:…',
      },
    ];
  }
  const drafts: Draft[] = [];
  const evidence = { container: use.container, image: use.image, registry: ref.registry };
  if (ref.tag === undefined && ref.digest === undefined) {
    drafts.push({
      ...common,
      check: 'image.untagged',
      severity: 'critical',
      message: `container ${use.container} runs ${use.image} without a tag, which means whatever latest is at pull time`,
      evidence,
      fix: `pin a version tag and digest, e.g. ${use.image}:<version>@sha256:…`,
    });
  } else if (ref.tag === 'latest' && ref.digest === undefined) {
    drafts.push({
      ...common,
      check: 'image.latest-tag',
      severity: 'warning',
      message: `container ${use.container} runs ${use.image}: "latest" changes under the workload`,
      evidence,
      fix: 'use a version tag, pinned by digest',
    });
  }
  if (ref.digest === undefined) {
    const running = use.imageID ? digestOfImageId(use.imageID) : undefined;
    drafts.push({
      ...common,
      check: 'image.not-pinned',
      severity: 'info',
      message: `container ${use.container} image ${use.image} is not pinned by digest`,
      evidence: { ...evidence, runningDigest: running },
      fix: running
        ? `pin the digest now running: ${use.image.split('@')[0]}@${running}`
        : 'append @sha256:<digest> of the tested image',
    });
  }
  if (isCloudProviderRegistry(ref.registry)) {
    drafts.push({
      ...common,
      check: 'image.cloud-registry',
      severity: 'critical',
      message: `container ${use.container} pulls from ${ref.registry}, a cloud provider registry the platform forbids`,
      evidence,
      fix: 'mirror the image into the self-hosted registry and pull it from there',
    });
  } else if (config.allowed && !config.allowed(ref.registry)) {
    drafts.push({
      ...common,
      check: 'image.registry-not-allowed',
      severity: 'critical',
      message: `container ${use.container} pulls from ${ref.registry}, which is not an allowed registry`,
      evidence: { ...evidence, allowed: config.allowedPatterns },
      fix: `mirror the image into an allowed registry (${config.allowedPatterns.join(', ')})`,
    });
  }
  return drafts;
}

export interface SizeEvidence {
  bytes: number;
  source: 'registry' | 'node';
  platform?: string | undefined;
}

export function sizeCheck(use: ImageUse, size: SizeEvidence, maxBytes: number): Draft[] {
  if (size.bytes <= maxBytes) return [];
  return [
    {
      object: use.object,
      discriminator: use.container,
      check: 'image.too-large',
      severity: 'warning',
      message: `container ${use.container} image ${use.image} is ${formatMb(size.bytes)}, over the ${formatMb(maxBytes)} target`,
      evidence: {
        container: use.container,
        image: use.image,
        bytes: size.bytes,
        maxBytes,
        source:
          size.source === 'registry' ? 'registry manifest (compressed)' : 'node status.images sizeBytes',
        ...(size.platform ? { platform: size.platform } : {}),
      },
      fix: 'build on a Wolfi/distroless base, use a multi-stage build and ship only the runtime files',
    },
  ];
}

export function formatMb(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

// ---------------------------------------------------------------------------------------------
// Base image

export type BaseKind = 'wolfi' | 'other' | 'unknown';

const WOLFI_MARKERS = [/wolfi/i, /chainguard/i, /cgr\.dev\//i, /apko/i];
const OTHER_BASES: [RegExp, string][] = [
  [/alpine/i, 'alpine'],
  [/debian|bookworm|bullseye|buster|trixie/i, 'debian'],
  [/ubuntu|jammy|noble|focal/i, 'ubuntu'],
  [/ubi\d|redhat|rhel|centos|rocky|almalinux|fedora/i, 'red hat family'],
  [/amazonlinux|amzn/i, 'amazon linux'],
  [/busybox/i, 'busybox'],
  [/distroless\/(?:static|base|cc)/i, 'distroless (debian)'],
];

/**
 * What the image is built on, from the config: the OCI base-image annotation labels first
 * (`org.opencontainers.image.base.name`), then other labels, then the history's commands.
 */
export function classifyBase(config: ImageConfig): { kind: BaseKind; evidence: string } {
  const baseName = config.labels['org.opencontainers.image.base.name'];
  const texts: string[] = [
    ...(baseName ? [baseName] : []),
    ...Object.entries(config.labels).map(([k, v]) => `${k}=${v}`),
    ...config.history.map((h) => h.created_by ?? '').filter((t) => t !== ''),
  ];
  for (const text of texts) {
    if (WOLFI_MARKERS.some((marker) => marker.test(text)))
      return { kind: 'wolfi', evidence: text.slice(0, 200) };
  }
  for (const text of texts) {
    for (const [pattern, name] of OTHER_BASES) {
      if (pattern.test(text)) return { kind: 'other', evidence: `${name}: ${text.slice(0, 200)}` };
    }
  }
  return { kind: 'unknown', evidence: 'no base image label and no known base in the history' };
}

export function baseCheck(use: ImageUse, config: ImageConfig): Draft[] {
  const base = classifyBase(config);
  if (base.kind !== 'other') return [];
  return [
    {
      object: use.object,
      discriminator: use.container,
      check: 'image.non-wolfi-base',
      severity: 'warning',
      message: `container ${use.container} image ${use.image} is not built on Wolfi (${base.evidence.split(':')[0]})`,
      evidence: { container: use.container, image: use.image, base: base.evidence },
      fix: 'rebuild FROM cgr.dev/chainguard/wolfi-base (or a Chainguard image) or with apko',
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Node image sizes

export interface NodeImage {
  names?: string[];
  sizeBytes?: number;
}

/**
 * Sizes the kubelets report (`status.images`), by every name and digest they list, normalised the
 * way references are (`nginx:1` and `docker.io/library/nginx:1` are one image). The largest seen wins.
 */
export function nodeImageSizes(nodes: { status?: { images?: NodeImage[] } }[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const node of nodes) {
    for (const image of node.status?.images ?? []) {
      if (typeof image.sizeBytes !== 'number') continue;
      for (const name of image.names ?? []) {
        for (const key of imageKeys(name)) sizes.set(key, Math.max(sizes.get(key) ?? 0, image.sizeBytes));
      }
    }
  }
  return sizes;
}

/** Lookup keys of an image name: its normalised tag form and its digest. */
export function imageKeys(image: string): string[] {
  const keys: string[] = [];
  const ref = (() => {
    try {
      return parseImageReference(image);
    } catch {
      return undefined;
    }
  })();
  if (!ref) return keys;
  const repo = `${ref.registry}/${ref.repository}`;
  if (ref.digest) keys.push(`${repo}@${ref.digest}`, ref.digest);
  if (ref.tag !== undefined || ref.digest === undefined) keys.push(`${repo}:${ref.tag ?? 'latest'}`);
  return keys;
}

/** A container's size from the nodes: by the running digest first, then by the reference. */
export function nodeSizeOf(use: ImageUse, sizes: Map<string, number>): number | undefined {
  const digest = use.imageID ? digestOfImageId(use.imageID) : undefined;
  if (digest && sizes.has(digest)) return sizes.get(digest);
  for (const key of imageKeys(use.image)) if (sizes.has(key)) return sizes.get(key);
  return undefined;
}
