// Caches that outlive their use, pure (unit-tested). No anchor tool does this; the rules:
// - registry: build-cache tags (BuildKit `--cache-to type=registry`, kaniko `--cache-repo`) older
//   than the retention are stale, unless a pod runs them;
// - nodes: image bytes in a node's `status.images` that no pod on that node uses; the kubelet's own
//   image GC only starts at 85 % disk use (imageGCHighThresholdPercent), so this is disk a person may
//   want back earlier, reported per node.
import {
  digestOfImageId,
  parseImageReference,
  planRepository,
  type FindingInput,
  type InUse,
  type PlannedTag,
  type TagInfo,
} from '../../shared/index.ts';

export type Draft = Omit<FindingInput, 'bot'>;

/** Tags or repositories that hold build cache: `buildcache`, `cache`, `*-cache`, `cache-*`. */
export const DEFAULT_CACHE_PATTERN = /(?:^|[-_./])(?:build)?cache(?:$|[-_./])/i;

export function isCacheTag(
  repository: string,
  tag: string,
  pattern: RegExp = DEFAULT_CACHE_PATTERN,
): boolean {
  return pattern.test(tag) || pattern.test(repository.split('/').pop() ?? '');
}

export interface NodeImageEntry {
  names?: string[];
  sizeBytes?: number;
}

export interface NodeLike {
  metadata: { name: string };
  status?: { images?: NodeImageEntry[] };
}

export interface PodOnNode {
  nodeName: string | undefined;
  containers: { image: string; imageID?: string | undefined }[];
}

export interface NodeCache {
  node: string;
  totalBytes: number;
  unusedBytes: number;
  unused: { names: string[]; sizeBytes: number }[];
}

/** The sandbox image is used by every pod without appearing in any pod spec. */
const SANDBOX_IMAGE = /(?:^|\/)pause(?::|@|$)/;

/** Lookup keys of an image: normalised `registry/repo:tag`, `registry/repo@digest` and the bare digest. */
export function keysOf(image: string): string[] {
  const keys: string[] = [];
  const digest = digestOfImageId(image);
  if (digest) keys.push(digest);
  try {
    const ref = parseImageReference(image.replace(/^[a-z-]+:\/\//, ''));
    const repo = `${ref.registry}/${ref.repository}`;
    if (ref.digest) keys.push(`${repo}@${ref.digest}`);
    if (ref.tag !== undefined || ref.digest === undefined) keys.push(`${repo}:${ref.tag ?? 'latest'}`);
  } catch {
    // a bare digest or an unparsable name: the digest key (if any) is all there is
  }
  return keys;
}

export function nodeCaches(nodes: NodeLike[], pods: PodOnNode[]): NodeCache[] {
  const usedByNode = new Map<string, Set<string>>();
  for (const pod of pods) {
    if (!pod.nodeName) continue;
    const used = usedByNode.get(pod.nodeName) ?? new Set<string>();
    usedByNode.set(pod.nodeName, used);
    for (const container of pod.containers) {
      for (const key of keysOf(container.image)) used.add(key);
      if (container.imageID) for (const key of keysOf(container.imageID)) used.add(key);
    }
  }
  return nodes.map((node) => {
    const used = usedByNode.get(node.metadata.name) ?? new Set<string>();
    let totalBytes = 0;
    const unused: NodeCache['unused'] = [];
    for (const image of node.status?.images ?? []) {
      const size = typeof image.sizeBytes === 'number' ? image.sizeBytes : 0;
      totalBytes += size;
      const names = image.names ?? [];
      if (names.some((n) => SANDBOX_IMAGE.test(n))) continue;
      if (names.some((name) => keysOf(name).some((key) => used.has(key)))) continue;
      unused.push({ names, sizeBytes: size });
    }
    unused.sort((a, b) => b.sizeBytes - a.sizeBytes);
    return {
      node: node.metadata.name,
      totalBytes,
      unusedBytes: unused.reduce((s, u) => s + u.sizeBytes, 0),
      unused,
    };
  });
}

export function nodeCacheDraft(cache: NodeCache, minBytes: number): Draft | undefined {
  if (cache.unusedBytes < minBytes || cache.unusedBytes === 0) return undefined;
  return {
    check: 'cache.unused-node-image',
    severity: 'info',
    object: { apiVersion: 'v1', kind: 'Node', name: cache.node },
    message: `node ${cache.node} holds ${gb(cache.unusedBytes)} of images no pod on it uses (${cache.unused.length} images, of ${gb(cache.totalBytes)} in all)`,
    evidence: {
      reclaimableBytes: cache.unusedBytes,
      totalImageBytes: cache.totalBytes,
      images: cache.unused
        .slice(0, 10)
        .map((u) => ({ name: u.names.find((n) => !n.includes('@')) ?? u.names[0], sizeBytes: u.sizeBytes })),
    },
    fix: `crictl rmi --prune on ${cache.node} frees it now; or lower the kubelet's imageGCHighThresholdPercent (default 85)`,
  };
}

export function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

// ---------------------------------------------------------------------------------------------
// Registry build-cache tags

/**
 * Build-cache tags of one repository past the retention: the newest cache tag of a repository is
 * the live cache and stays; a digest that a non-cache tag also names stays (deleting the manifest
 * would take the release tag with it).
 */
export function planCacheTags(
  tags: TagInfo[],
  inUse: InUse,
  retentionMs: number,
  now: Date,
  pattern: RegExp = DEFAULT_CACHE_PATTERN,
): PlannedTag[] {
  const cache = tags.filter((t) => isCacheTag(t.repository, t.tag, pattern));
  const otherDigests = new Set(
    tags.filter((t) => !isCacheTag(t.repository, t.tag, pattern)).map((t) => t.digest),
  );
  return planRepository(cache, inUse, { keepLast: 1, retentionMs }, now).map((t) =>
    t.verdict.action === 'delete' && otherDigests.has(t.digest)
      ? { ...t, verdict: { action: 'keep', reason: 'shared-digest' } }
      : t,
  );
}
