import type { RouteSpec } from './routing.ts';

// The default routing table, as data: the packaging step derives Knative Triggers from it, the README
// renders it, and ECO_ALERT_ROUTES may extend or replace it.
// Alert names: the seed's five (agreed with packaging, which writes the Prometheus rules) and the
// upstream kubernetes-mixin / node-mixin names. Watchdog and InfoInhibitor are deliberately unrouted.

/** The seed's five alerts, as the generated Prometheus rules name them. */
export const SEED_ALERTS = {
  highCpu: 'HighCPUUsage',
  highMemory: 'HighMemoryUsage',
  podRestarts: 'PodRestartingTooOften',
  imageTooLarge: 'ContainerImageTooLarge',
  errorRate: 'HighErrorRate',
} as const;

const table: RouteSpec[] = [
  // The seed's alerts.
  {
    name: 'seed-high-cpu',
    alertname: SEED_ALERTS.highCpu,
    targets: ['eco-scaler-bot', 'eco-optimize-bot'],
    description: 'CPU > 80 % of limit: scale out (HPA) and check throttling/limits',
  },
  {
    name: 'seed-high-memory',
    alertname: SEED_ALERTS.highMemory,
    targets: ['eco-resource-bot'],
    description: 'memory > 90 % of limit: right-size requests/limits',
  },
  {
    name: 'seed-pod-restarts',
    alertname: SEED_ALERTS.podRestarts,
    targets: ['eco-container-bot', 'eco-log-bot'],
    description: '> 3 restarts in 10 m: container lifecycle remediation plus the crash logs',
  },
  {
    name: 'seed-image-too-large',
    alertname: SEED_ALERTS.imageTooLarge,
    targets: ['eco-image-bot'],
    description: 'image > 50 MB',
  },
  {
    name: 'seed-error-rate',
    alertname: SEED_ALERTS.errorRate,
    targets: ['eco-trace-bot'],
    description: '> 5 % errors: fetch the error traces of the service',
  },

  // kubernetes-mixin: workloads.
  {
    name: 'crashloop',
    alertname: 'KubePodCrashLooping',
    targets: ['eco-container-bot', 'eco-log-bot'],
    description: 'crash-looping container: restart policy and logs',
  },
  {
    name: 'pod-not-ready',
    alertname: ['KubePodNotReady', 'KubeContainerWaiting'],
    targets: ['eco-container-bot', 'eco-healthcheck-bot'],
  },
  {
    name: 'workload-replicas',
    alertname: [
      'KubeDeploymentReplicasMismatch',
      'KubeDeploymentRolloutStuck',
      'KubeStatefulSetReplicasMismatch',
      'KubeDaemonSetRolloutStuck',
    ],
    targets: ['eco-container-bot', 'eco-capacity-bot'],
    description: 'missing replicas are failing pods or pods that do not fit',
  },
  {
    name: 'pdb-unhealthy',
    alertname: 'KubePdbNotEnoughHealthyPods',
    targets: ['eco-healthcheck-bot'],
  },
  {
    name: 'job-failed',
    alertname: 'KubeJobFailed',
    targets: ['eco-cleanup-bot', 'eco-log-bot'],
  },
  {
    name: 'job-not-completed',
    alertname: 'KubeJobNotCompleted',
    targets: ['eco-cleanup-bot'],
  },

  // kubernetes-mixin: resources.
  {
    name: 'hpa',
    alertname: ['KubeHpaMaxedOut', 'KubeHpaReplicasMismatch'],
    targets: ['eco-scaler-bot'],
  },
  {
    name: 'cpu-throttling',
    alertname: 'CPUThrottlingHigh',
    targets: ['eco-optimize-bot'],
  },
  {
    name: 'overcommit',
    alertname: [
      'KubeCPUOvercommit',
      'KubeMemoryOvercommit',
      'KubeCPUQuotaOvercommit',
      'KubeMemoryQuotaOvercommit',
    ],
    targets: ['eco-capacity-bot'],
  },
  {
    name: 'quota',
    alertname: ['KubeQuotaAlmostFull', 'KubeQuotaFullyUsed', 'KubeQuotaExceeded'],
    targets: ['eco-quota-bot'],
  },

  // kubernetes-mixin: storage.
  {
    name: 'pv-filling-up',
    alertname: ['KubePersistentVolumeFillingUp', 'KubePersistentVolumeInodesFillingUp'],
    targets: ['eco-storage-bot'],
  },
  {
    name: 'pv-filling-up-critical-snapshot',
    alertname: 'KubePersistentVolumeFillingUp',
    matchers: ['severity="critical"'],
    targets: ['eco-snapshot-bot'],
    description: 'a volume about to fill: snapshot it (opted-in PVCs only) before anything else happens',
  },
  {
    name: 'pv-errors',
    alertname: 'KubePersistentVolumeErrors',
    targets: ['eco-storage-bot', 'eco-volume-bot'],
  },

  // kubernetes-mixin / node-mixin: nodes.
  {
    name: 'node-not-ready',
    alertname: [
      'KubeNodeNotReady',
      'KubeNodeUnreachable',
      'KubeNodeReadinessFlapping',
      'KubeNodePressure',
      'KubeNodeEviction',
      'KubeletDown',
      'KubeletTooManyPods',
    ],
    targets: ['eco-node-bot'],
  },
  {
    name: 'node-resources',
    alertname: [
      'NodeFilesystemSpaceFillingUp',
      'NodeFilesystemAlmostOutOfSpace',
      'NodeFilesystemFilesFillingUp',
      'NodeFilesystemAlmostOutOfFiles',
      'NodeMemoryHighUtilization',
      'NodeCPUHighUsage',
    ],
    targets: ['eco-node-bot'],
  },

  // kubernetes-mixin: control plane and certificates.
  {
    name: 'certificates',
    alertname: [
      'KubeClientCertificateExpiration',
      'KubeletClientCertificateExpiration',
      'KubeletServerCertificateExpiration',
    ],
    targets: ['eco-cluster-bot'],
  },
  {
    name: 'control-plane',
    alertname: [
      'KubeAPIDown',
      'KubeAPIErrorBudgetBurn',
      'KubeAggregatedAPIDown',
      'KubeAggregatedAPIErrors',
      'KubeClientErrors',
    ],
    targets: ['eco-cluster-bot'],
  },
  {
    name: 'version-skew',
    alertname: 'KubeVersionMismatch',
    targets: ['eco-upgrade-bot', 'eco-cluster-bot'],
  },

  // Prometheus: scrape health.
  {
    name: 'target-down',
    alertname: 'TargetDown',
    targets: ['eco-metrics-bot'],
  },
];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The default routing table (frozen). */
export const defaultRoutes: readonly RouteSpec[] = deepFreeze(table);
