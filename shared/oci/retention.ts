// Which registry tags may go, as a pure plan (unit-tested; eco-registry-bot and eco-cache-bot).
// restrict what runs; no anchor garbage-collects a registry, so the rules are the usual retention
// ones (Harbor's "retain the most recently pushed N", GitLab's cleanup policy "older than"), with
// the cluster as the source of truth for what is in use:
// - never a tag a pod's image names, never a digest a pod runs (`imageID`), in this registry;
// - keep the newest N tags per repository (by the image config's `created`);
// - only tags older than the retention;
// - Distribution deletes a manifest, not a tag: a digest goes only when every tag on it may go.
import { digestOfImageId, parseImageReference } from './reference.ts';

export interface TagInfo {
  repository: string;
  tag: string;
  /** The manifest (or index) digest the tag points to. */
  digest: string;
  /** Platform manifest digests of an index (a pod's imageID may name one of them). */
  childDigests: string[];
  /** The image config's `created` (the newest platform's for an index); undefined when unknown. */
  created: string | undefined;
  /** Compressed bytes (largest platform), for the report. */
  bytes: number | undefined;
}

export interface InUse {
  /** `repository:tag` named by a pod in this registry. */
  tags: Set<string>;
  /** Digests pods run (from `imageID`) or name (`@sha256:`) in this registry. */
  digests: Set<string>;
}

export interface RetentionPolicy {
  keepLast: number;
  retentionMs: number;
}

export type TagVerdict =
  | {
      action: 'keep';
      reason: 'in-use-tag' | 'in-use-digest' | 'newest' | 'young' | 'no-date' | 'shared-digest';
    }
  | { action: 'delete'; reason: string };

export interface PlannedTag extends TagInfo {
  verdict: TagVerdict;
  ageDays: number | undefined;
}

/**
 * What pods use in the registry at `registryHost`: the tags their images name and the digests they
 * pin or run. Images of other registries are ignored.
 */
export function inUseFrom(
  containers: { image: string; imageID?: string | undefined }[],
  registryHost: string,
): InUse {
  const tags = new Set<string>();
  const digests = new Set<string>();
  for (const container of containers) {
    let ref;
    try {
      ref = parseImageReference(container.image);
    } catch {
      continue;
    }
    if (ref.registry !== registryHost) continue;
    if (ref.tag !== undefined || ref.digest === undefined)
      tags.add(`${ref.repository}:${ref.tag ?? 'latest'}`);
    if (ref.digest) digests.add(ref.digest);
    // imageID names the digest actually running, whatever the tag points to now. Any form counts:
    // keeping one digest too many is cheap, deleting a running one is not.
    const running = container.imageID ? digestOfImageId(container.imageID) : undefined;
    if (running) digests.add(running);
  }
  return { tags, digests };
}

export function planRepository(
  tags: TagInfo[],
  inUse: InUse,
  policy: RetentionPolicy,
  now: Date,
): PlannedTag[] {
  const byAge = [...tags].sort((a, b) => createdMs(b) - createdMs(a) || a.tag.localeCompare(b.tag));
  const newest = new Set(
    byAge
      .filter((t) => t.created !== undefined)
      .slice(0, policy.keepLast)
      .map((t) => t.tag),
  );
  const first: PlannedTag[] = byAge.map((tag) => {
    const ageMs = tag.created ? now.getTime() - Date.parse(tag.created) : undefined;
    const ageDays = ageMs !== undefined && !Number.isNaN(ageMs) ? Math.floor(ageMs / 86_400_000) : undefined;
    return { ...tag, ageDays, verdict: verdictOf(tag, ageMs, inUse, newest, policy) };
  });
  // A digest is deleted with every tag on it: keep it when any tag on it is kept.
  const keptDigests = new Set(first.filter((t) => t.verdict.action === 'keep').map((t) => t.digest));
  return first.map((tag) =>
    tag.verdict.action === 'delete' && keptDigests.has(tag.digest)
      ? { ...tag, verdict: { action: 'keep', reason: 'shared-digest' } }
      : tag,
  );
}

function verdictOf(
  tag: TagInfo,
  ageMs: number | undefined,
  inUse: InUse,
  newest: Set<string>,
  policy: RetentionPolicy,
): TagVerdict {
  if (inUse.tags.has(`${tag.repository}:${tag.tag}`)) return { action: 'keep', reason: 'in-use-tag' };
  if (inUse.digests.has(tag.digest) || tag.childDigests.some((d) => inUse.digests.has(d))) {
    return { action: 'keep', reason: 'in-use-digest' };
  }
  if (ageMs === undefined || Number.isNaN(ageMs)) return { action: 'keep', reason: 'no-date' };
  if (newest.has(tag.tag)) return { action: 'keep', reason: 'newest' };
  if (ageMs < policy.retentionMs) return { action: 'keep', reason: 'young' };
  return {
    action: 'delete',
    reason: `not used by any pod, older than ${Math.round(policy.retentionMs / 86_400_000)}d and not among the newest ${policy.keepLast}`,
  };
}

function createdMs(tag: TagInfo): number {
  const ms = tag.created ? Date.parse(tag.created) : Number.NaN;
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** The digests to delete: one DELETE per digest, however many tags point to it. */
export function digestsToDelete(
  plan: PlannedTag[],
): { repository: string; digest: string; tags: string[]; bytes: number | undefined }[] {
  const out = new Map<
    string,
    { repository: string; digest: string; tags: string[]; bytes: number | undefined }
  >();
  for (const tag of plan) {
    if (tag.verdict.action !== 'delete') continue;
    const key = `${tag.repository}@${tag.digest}`;
    const entry = out.get(key) ?? {
      repository: tag.repository,
      digest: tag.digest,
      tags: [],
      bytes: tag.bytes,
    };
    entry.tags.push(tag.tag);
    out.set(key, entry);
  }
  return [...out.values()];
}
