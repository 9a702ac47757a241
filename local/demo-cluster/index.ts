// The demo cluster (work in progress): deterministic objects anchored at `now`.
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { PodLogEntry } from '../k8s-emulator/pod-logs.ts';

export function demoCluster(_now: Date): KubeObject[] {
  return [];
}

export function demoPodLogs(_now: Date): PodLogEntry[] {
  return [];
}
