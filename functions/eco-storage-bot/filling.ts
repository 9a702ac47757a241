// KubePersistentVolumeFillingUp and KubePersistentVolumeInodesFillingUp from kubernetes-mixin
// (alerts/storage_alerts.libsonnet), evaluated by Prometheus itself: the bot sends the mixin's
// expressions and turns the answers into findings.
//   critical: available / capacity < 3 %
//   warning:  available / capacity < 15 % and predict_linear(available[6h], 4 * 24 * 3600) < 0
// Both only for volumes with some use, not read-only, not labelled excluded_from_alerts="true".

export interface FillingQueries {
  critical: string;
  warning: string;
  inodesCritical: string;
  inodesWarning: string;
}

const notExcluded = `unless on(namespace, persistentvolumeclaim)
  kube_persistentvolumeclaim_access_mode{access_mode="ReadOnlyMany"} == 1
unless on(namespace, persistentvolumeclaim)
  kube_persistentvolumeclaim_labels{label_excluded_from_alerts="true"} == 1`;

function pair(available: string, capacity: string, used: string): { critical: string; warning: string } {
  const ratio = `${available} / ${capacity}`;
  return {
    critical: `(${ratio} < 0.03 and ${used} > 0) ${notExcluded}`,
    warning: `(${ratio} < 0.15 and ${used} > 0 and predict_linear(${available}[6h], 4 * 24 * 3600) < 0) ${notExcluded}`,
  };
}

export function fillingQueries(selector = ''): FillingQueries {
  const s = selector === '' ? '' : `{${selector}}`;
  const bytes = pair(
    `kubelet_volume_stats_available_bytes${s}`,
    `kubelet_volume_stats_capacity_bytes${s}`,
    `kubelet_volume_stats_used_bytes${s}`,
  );
  const inodes = pair(
    `kubelet_volume_stats_inodes_free${s}`,
    `kubelet_volume_stats_inodes${s}`,
    `kubelet_volume_stats_inodes_used${s}`,
  );
  return {
    critical: bytes.critical,
    warning: bytes.warning,
    inodesCritical: inodes.critical,
    inodesWarning: inodes.warning,
  };
}

/** The free-ratio query whose value goes into the evidence. */
export function freeRatioQuery(kind: 'bytes' | 'inodes'): string {
  return kind === 'bytes'
    ? 'kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes'
    : 'kubelet_volume_stats_inodes_free / kubelet_volume_stats_inodes';
}

export interface VectorSample {
  metric: Record<string, string>;
  value: readonly [number, number | string];
}

export interface FillingVolume {
  namespace: string;
  pvc: string;
  severity: 'critical' | 'warning';
  kind: 'bytes' | 'inodes';
  /** Free share in percent, 2 decimals. */
  freePercent: number;
}

/** Merges the four answers: one entry per PVC and kind, critical winning over warning. */
export function fillingVolumes(answers: {
  critical: VectorSample[];
  warning: VectorSample[];
  inodesCritical: VectorSample[];
  inodesWarning: VectorSample[];
}): FillingVolume[] {
  const out = new Map<string, FillingVolume>();
  const add = (
    samples: VectorSample[],
    severity: FillingVolume['severity'],
    kind: FillingVolume['kind'],
  ): void => {
    for (const sample of samples) {
      const namespace = sample.metric.namespace;
      const pvc = sample.metric.persistentvolumeclaim;
      if (namespace === undefined || pvc === undefined) continue;
      const key = `${namespace}/${pvc}/${kind}`;
      if (out.get(key)?.severity === 'critical') continue;
      const ratio = Number(sample.value[1]);
      out.set(key, { namespace, pvc, severity, kind, freePercent: Math.round(ratio * 10_000) / 100 });
    }
  };
  add(answers.critical, 'critical', 'bytes');
  add(answers.warning, 'warning', 'bytes');
  add(answers.inodesCritical, 'critical', 'inodes');
  add(answers.inodesWarning, 'warning', 'inodes');
  return [...out.values()].sort((a, b) => `${a.namespace}/${a.pvc}`.localeCompare(`${b.namespace}/${b.pvc}`));
}
