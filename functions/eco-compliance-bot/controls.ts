// The seed's requirements as numbered controls, each with a check name, a severity and the rule it
// enforces; the per-object checks that are not FAGAM (image budget, tier resources, non-root, Wolfi
// base); and the compliance score.
import { parseQuantity } from '../../shared/index.ts';
import type { Severity } from '../../shared/index.ts';
import { parseImageRef } from './image-ref.ts';

export interface Control {
  id: string;
  check: string;
  severity: Severity;
  title: string;
  /** The seed's rule, as a person reads it. */
  rule: string;
}

export const CONTROLS = {
  fagamRegistry: {
    id: 'ECO-FAGAM-01',
    check: 'compliance.fagam-registry',
    severity: 'critical',
    title: 'Images from Amazon, Google or Microsoft registries',
    rule: 'No AWS, Google Cloud or Azure services: pull images from a self-hosted or open registry',
  },
  fagamAnnotation: {
    id: 'ECO-FAGAM-02',
    check: 'compliance.fagam-annotation',
    severity: 'critical',
    title: 'Cloud-provider annotations and labels',
    rule: 'No AWS, Google Cloud or Azure services: no cloud load balancer, identity or ingress annotations',
  },
  fagamStorage: {
    id: 'ECO-FAGAM-03',
    check: 'compliance.fagam-storage',
    severity: 'critical',
    title: 'Storage provisioned by a cloud provider',
    rule: 'No AWS, Google Cloud or Azure services: no cloud CSI drivers or in-tree cloud volumes',
  },
  fagamTooling: {
    id: 'ECO-FAGAM-04',
    check: 'compliance.fagam-tooling',
    severity: 'critical',
    title: 'HashiCorp Terraform or Vault in use',
    rule: 'Terraform is replaced by OpenTofu and Vault by OpenBao',
  },
  imageSize: {
    id: 'ECO-SIZE-01',
    check: 'compliance.image-size',
    severity: 'warning',
    title: 'Image over the 50 MB budget',
    rule: 'Container images under 50 MB (Wolfi bases, apko, multi-stage builds)',
  },
  tierResources: {
    id: 'ECO-TIER-01',
    check: 'compliance.tier-resources',
    severity: 'warning',
    title: 'Requests and limits of a tier',
    rule: 'Every container sets CPU and memory requests and limits within a tier (small, medium, large)',
  },
  nonRoot: {
    id: 'ECO-SEC-01',
    check: 'compliance.non-root',
    severity: 'critical',
    title: 'Runs as non-root',
    rule: 'Containers run as a non-root user',
  },
  wolfiBase: {
    id: 'ECO-BASE-01',
    check: 'compliance.wolfi-base',
    severity: 'warning',
    title: 'Wolfi-based image',
    rule: 'Images are built on Chainguard Wolfi',
  },
} as const satisfies Record<string, Control>;

export type ControlKey = keyof typeof CONTROLS;

/** The seed's tiers (ECO domain architecture, "Resource Limits"). */
export const TIERS = {
  small: { cpu: 0.1, memory: 128 * 1024 * 1024 },
  medium: { cpu: 0.25, memory: 256 * 1024 * 1024 },
  large: { cpu: 0.5, memory: 512 * 1024 * 1024 },
} as const;
export type TierName = keyof typeof TIERS;

interface Resources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface TierVerdict {
  /** The smallest tier whose limits the container's limits fit, when it has all four values. */
  tier?: TierName;
  missing: string[];
  /** Limits above the large tier. */
  overLarge: string[];
}

/** Which tier a container's resources fit, and what is missing or over the largest tier. */
export function tierOf(resources: Resources | undefined): TierVerdict {
  const missing: string[] = [];
  for (const kind of ['requests', 'limits'] as const) {
    for (const r of ['cpu', 'memory'])
      if (parseQuantity(resources?.[kind]?.[r]) === undefined) missing.push(`${kind}.${r}`);
  }
  const cpu = parseQuantity(resources?.limits?.['cpu']);
  const memory = parseQuantity(resources?.limits?.['memory']);
  const overLarge: string[] = [];
  if (cpu !== undefined && cpu > TIERS.large.cpu) overLarge.push('limits.cpu');
  if (memory !== undefined && memory > TIERS.large.memory) overLarge.push('limits.memory');
  let tier: TierName | undefined;
  if (missing.length === 0 && overLarge.length === 0) {
    tier = (Object.keys(TIERS) as TierName[]).find(
      (t) => (cpu as number) <= TIERS[t].cpu && (memory as number) <= TIERS[t].memory,
    );
  }
  return { ...(tier ? { tier } : {}), missing, overLarge };
}

/** The seed says "<50MB per container"; decimal megabytes. */
export const IMAGE_BUDGET_BYTES = 50_000_000;

export const overImageBudget = (sizeBytes: number | undefined, budget = IMAGE_BUDGET_BYTES): boolean =>
  sizeBytes !== undefined && sizeBytes > budget;

interface SecurityContextLike {
  runAsNonRoot?: boolean;
  runAsUser?: number;
}

/**
 * Whether a container is set to run as non-root: runAsNonRoot true, or a non-zero runAsUser, on the
 * container or inherited from the pod (the container's own setting wins). Undefined when nothing
 * says so either way (the image's USER decides, which the cluster cannot see).
 */
export function runsAsNonRoot(
  pod: SecurityContextLike | undefined,
  container: SecurityContextLike | undefined,
): boolean | undefined {
  const user = container?.runAsUser ?? pod?.runAsUser;
  if (user === 0) return false;
  const nonRoot = container?.runAsNonRoot ?? pod?.runAsNonRoot;
  if (nonRoot === false && user === undefined) return false;
  if (nonRoot === true || (user !== undefined && user > 0)) return true;
  return undefined;
}

/** Registries (and registry/path prefixes) whose images are built on Wolfi. */
export const DEFAULT_WOLFI_SOURCES: readonly string[] = ['cgr.dev/chainguard', 'cgr.dev/wolfi'];

/** Base images known not to be Wolfi (Docker Hub official images and distro bases). */
const NON_WOLFI =
  /^(docker\.io\/library\/|docker\.io\/(alpine|debian|ubuntu|centos|fedora|amazonlinux)\b|(mcr\.microsoft\.com|gcr\.io\/distroless)\/)/;

/**
 * `wolfi` when the image comes from a Wolfi source (or its OCI base-name annotation says so),
 * `other` when it is a known non-Wolfi base, `unknown` otherwise.
 */
export function wolfiVerdict(
  image: string,
  sources: readonly string[] = DEFAULT_WOLFI_SOURCES,
  baseName?: string,
): 'wolfi' | 'other' | 'unknown' {
  const ref = parseImageRef(image);
  const full = `${ref.registry}/${ref.repository}`;
  const fromWolfi = (name: string): boolean =>
    sources.some((s) => name === s || name.startsWith(`${s.replace(/\/+$/, '')}/`));
  if (fromWolfi(full) || (baseName !== undefined && (fromWolfi(baseName) || /wolfi/.test(baseName))))
    return 'wolfi';
  if (NON_WOLFI.test(full)) return 'other';
  return 'unknown';
}

export interface ControlTally {
  passed: number;
  failed: number;
}

/**
 * The compliance score: Polaris' weighting over control results, a failed critical control counting
 * as a danger (2) and a failed warning as 1 against 2 per pass; 100 when nothing was evaluated.
 */
export function complianceScore(tallies: Readonly<Partial<Record<ControlKey, ControlTally>>>): number {
  let passes = 0;
  let weightedFails = 0;
  for (const [key, t] of Object.entries(tallies) as [ControlKey, ControlTally][]) {
    passes += t.passed;
    weightedFails += t.failed * (CONTROLS[key].severity === 'critical' ? 2 : 1);
  }
  const total = 2 * passes + weightedFails;
  return total === 0 ? 100 : Math.floor((200 * passes) / total);
}
