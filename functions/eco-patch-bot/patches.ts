// Newer patch releases of a running image: semver tags of the same major.minor (Renovate's
// "patch" update type), and the rollout state of a Deployment the bot has patched.
import type { KubeObject } from '../../shared/index.ts';

export interface Semver {
  prefix: string;
  major: number;
  minor: number;
  patch: number;
}

/** `1.4.2` or `v1.4.2`; pre-releases and build suffixes are not patch releases and are ignored. */
export function parseSemverTag(tag: string | undefined): Semver | undefined {
  const m = /^(v?)(\d+)\.(\d+)\.(\d+)$/.exec(tag ?? '');
  if (!m) return undefined;
  return { prefix: m[1] ?? '', major: Number(m[2]), minor: Number(m[3]), patch: Number(m[4]) };
}

/** The newest tag with the same prefix, major and minor and a higher patch, if any. */
export function newestPatch(current: string, tags: readonly string[]): string | undefined {
  const cur = parseSemverTag(current);
  if (!cur) return undefined;
  let best: { tag: string; patch: number } | undefined;
  for (const tag of tags) {
    const v = parseSemverTag(tag);
    if (
      !v ||
      v.prefix !== cur.prefix ||
      v.major !== cur.major ||
      v.minor !== cur.minor ||
      v.patch <= cur.patch
    )
      continue;
    if (!best || v.patch > best.patch) best = { tag, patch: v.patch };
  }
  return best?.tag;
}

export type Rollout = 'progressing' | 'complete' | 'failed';

interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

/**
 * kubectl rollout status's rules: failed when the Progressing condition says
 * ProgressDeadlineExceeded (spec.progressDeadlineSeconds passed), complete when the controller saw the
 * new generation and every replica is updated and available.
 */
export function rolloutOf(deployment: KubeObject): Rollout {
  const status = (deployment['status'] as DeploymentStatus | undefined) ?? {};
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') return 'failed';
  const generation = deployment.metadata.generation ?? 0;
  const want = (deployment['spec'] as { replicas?: number } | undefined)?.replicas ?? 1;
  if (
    (status.observedGeneration ?? 0) >= generation &&
    (status.updatedReplicas ?? 0) >= want &&
    (status.availableReplicas ?? 0) >= want &&
    (status.replicas ?? 0) <= want
  )
    return 'complete';
  return 'progressing';
}
