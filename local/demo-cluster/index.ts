// The demo cluster the emulator serves by default (`npm start` with no cluster, `--demo`): 3 nodes,
// 10 namespaces, ~80 pods with usage metrics, and realistic problems planted for every bot category.
// Deterministic from `now`: the same date gives the same objects, names, uids, certificates and logs.
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { PodLogEntry } from '../k8s-emulator/pod-logs.ts';
import { buildDemoCluster } from './cluster.ts';

export { PLANTED } from './planted.ts';
export type { Planted } from './planted.ts';
export { selfSignedCertificate } from './x509.ts';

/** Every object of the demo cluster (metrics.k8s.io NodeMetrics/PodMetrics included). */
export function demoCluster(now: Date): KubeObject[] {
  return buildDemoCluster(now).objects;
}

/** Objects and logs in one pass (what the emulator seeds with `demo: true`). */
export function demoClusterWithLogs(now: Date): { objects: KubeObject[]; logs: PodLogEntry[] } {
  return buildDemoCluster(now);
}

/** Container logs (current and previous) of the demo's broken pods. */
export function demoPodLogs(now: Date): PodLogEntry[] {
  return buildDemoCluster(now).logs;
}
