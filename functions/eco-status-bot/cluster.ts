import type { Context } from '../../shared/bot/index.ts';
import { resources } from '../../shared/k8s/resources.ts';
import type { ResourceType } from '../../shared/k8s/types.ts';
import type { ClusterCounts } from './view.ts';

/** The kinds counted for the score's denominator; the bots' findings are about these. */
const COUNTED: readonly ResourceType[] = [
  resources.namespaces,
  resources.nodes,
  resources.pods,
  resources.services,
  resources.persistentvolumeclaims,
  resources.deployments,
  resources.statefulsets,
  resources.daemonsets,
  resources.jobs,
  resources.cronjobs,
  resources.replicasets,
];

let cached: { at: number; key: string; counts: ClusterCounts } | undefined;

/**
 * Counts the cluster's objects (paged lists; only the count is kept). Reused for a minute so a page
 * that auto-refreshes does not list a large cluster every few seconds. Never throws: a kind it may not
 * list or an unreachable cluster is reported in `error` and the score falls back to a lower bound.
 */
export async function countObjects(ctx: Context): Promise<ClusterCounts | undefined> {
  const seconds = ctx.settings['clusterCacheSeconds'];
  const ttlMs = (typeof seconds === 'number' ? seconds : 60) * 1000;
  const now = ctx.now().getTime();
  // Keyed on the kubeconfig so a process pointed at another cluster never shows stale counts.
  const key = ctx.env['KUBECONFIG'] ?? ctx.env['KUBERNETES_SERVICE_HOST'] ?? '';
  if (cached !== undefined && cached.key === key && now - cached.at < ttlMs) return cached.counts;
  let objects = 0;
  const byKind: Record<string, number> = {};
  let nodes: number | undefined;
  let namespaces: number | undefined;
  const failed: string[] = [];
  for (const type of COUNTED) {
    try {
      let n = 0;
      for await (const _ of ctx.k8s.list(type, { pageSize: 500 })) n += 1;
      objects += n;
      byKind[type.kind] = n;
      if (type === resources.nodes) nodes = n;
      if (type === resources.namespaces) namespaces = n;
    } catch (error) {
      failed.push(`${type.plural}: ${(error as Error).message.split('\n')[0]}`);
      // Nothing reachable at all: stop after the first failure instead of timing out ten times.
      if (objects === 0 && failed.length === 1 && type === COUNTED[0]) break;
    }
  }
  if (objects === 0 && failed.length > 0) {
    ctx.log.warn('could not count cluster objects', { error: failed[0] });
    return undefined;
  }
  const counts: ClusterCounts = { objects, byKind };
  if (nodes !== undefined) counts.nodes = nodes;
  if (namespaces !== undefined) counts.namespaces = namespaces;
  if (failed.length > 0) counts.error = failed.join('; ');
  cached = { at: now, key, counts };
  return counts;
}
