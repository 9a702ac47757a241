// What the demo cluster plants for the bots to find (expect: 'found'), and the look-alikes they must
// leave alone (expect: 'ignored'). Names are exact: pods of Deployments use the same deterministic
// hash and suffix as cluster.ts. The README table is generated from this list.
import type { Category } from '../../shared/bot/types.ts';
import { suffix } from './build.ts';
import { podTemplateHash } from './workloads.ts';

export interface PlantedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface Planted {
  category: Category;
  bot: string;
  check: string;
  object: PlantedObject;
  description: string;
  /** 'found': a problem the bot should report/act on; 'ignored': a guard it must not act on. */
  expect: 'found' | 'ignored';
}

/** Name of pod `i` of a Deployment's current ReplicaSet (revision = old revisions + 1). */
export function deploymentPodName(namespace: string, name: string, i = 0, revision = 1): string {
  return `${name}-${podTemplateHash(`${namespace}/${name}/${revision}`)}-${suffix(`${namespace}/${name}/${i}`)}`;
}

const o = (apiVersion: string, kind: string, name: string, namespace?: string): PlantedObject =>
  namespace ? { apiVersion, kind, namespace, name } : { apiVersion, kind, name };
const pod = (ns: string, name: string): PlantedObject => o('v1', 'Pod', name, ns);
const deploy = (ns: string, name: string): PlantedObject => o('apps/v1', 'Deployment', name, ns);

export const PLANTED: readonly Planted[] = [
  // infrastructure
  {
    category: 'infrastructure',
    bot: 'eco-node-bot',
    check: 'node.not-ready',
    object: o('v1', 'Node', 'eco-node-3'),
    description:
      'Ready=Unknown for 45 minutes (kubelet stopped posting), unreachable NoSchedule/NoExecute taints',
    expect: 'found',
  },
  {
    category: 'infrastructure',
    bot: 'eco-node-bot',
    check: 'node.memory-pressure',
    object: o('v1', 'Node', 'eco-node-2'),
    description:
      'MemoryPressure=True with the memory-pressure NoSchedule taint; memory usage 93% of allocatable',
    expect: 'found',
  },
  {
    category: 'infrastructure',
    bot: 'eco-cluster-bot',
    check: 'cluster.version-skew',
    object: o('v1', 'Node', 'eco-node-3'),
    description: 'kubelet v1.32.9 against a v1.35.0 control plane (three minor versions behind)',
    expect: 'found',
  },
  {
    category: 'infrastructure',
    bot: 'eco-namespace-bot',
    check: 'namespace.baseline',
    object: o('v1', 'Namespace', 'analytics'),
    description: 'no ResourceQuota, no LimitRange, no default-deny NetworkPolicy',
    expect: 'found',
  },
  {
    category: 'infrastructure',
    bot: 'eco-namespace-bot',
    check: 'namespace.expired',
    object: o('v1', 'Namespace', 'preview-pr-142'),
    description: 'eco.bsw-arch.org/ttl: 7d on a namespace created 9 days ago',
    expect: 'found',
  },
  {
    category: 'infrastructure',
    bot: 'eco-config-bot',
    check: 'config.missing-reference',
    object: deploy('legacy', 'config-missing'),
    description:
      'envFrom configMapRef "legacy-settings" does not exist (pod stuck in CreateContainerConfigError)',
    expect: 'found',
  },
  // optimisation
  {
    category: 'optimisation',
    bot: 'eco-efficiency-bot',
    check: 'efficiency.over-allocated',
    object: deploy('shop', 'storefront'),
    description: 'requests 1 CPU / 1Gi per pod, uses about 6m / 48Mi (under 1% CPU efficiency)',
    expect: 'found',
  },
  {
    category: 'optimisation',
    bot: 'eco-efficiency-bot',
    check: 'efficiency.under-allocated',
    object: deploy('shop', 'cart'),
    description: 'requests 50m / 64Mi, uses about 190m / 245Mi (around 380% of its requests, at its limits)',
    expect: 'found',
  },
  {
    category: 'optimisation',
    bot: 'eco-resource-bot',
    check: 'resource.right-size',
    object: deploy('shop', 'storefront'),
    description: 'right-sizing candidate: p95 CPU far below the request',
    expect: 'found',
  },
  {
    category: 'optimisation',
    bot: 'eco-limit-bot',
    check: 'limit.missing',
    object: deploy('legacy', 'no-limits-app'),
    description: 'container without any requests or limits (BestEffort pods)',
    expect: 'found',
  },
  {
    category: 'optimisation',
    bot: 'eco-quota-bot',
    check: 'quota.near-full',
    object: o('v1', 'ResourceQuota', 'compute', 'payments'),
    description: 'requests.cpu 3800m of 4 (95%), requests.memory 7.25Gi of 8Gi',
    expect: 'found',
  },
  {
    category: 'optimisation',
    bot: 'eco-quota-bot',
    check: 'quota.missing',
    object: o('v1', 'Namespace', 'analytics'),
    description: 'tenant namespace (owner label) without a ResourceQuota',
    expect: 'found',
  },
  {
    category: 'optimisation',
    bot: 'eco-scaler-bot',
    check: 'scaler.hpa-at-max',
    object: o('autoscaling/v2', 'HorizontalPodAutoscaler', 'checkout', 'shop'),
    description: 'currentReplicas 5 = maxReplicas 5, CPU at 95% of target 70%, ScalingLimited=True',
    expect: 'found',
  },
  {
    category: 'optimisation',
    bot: 'eco-optimize-bot',
    check: 'optimize.oom-killed',
    object: pod('legacy', deploymentPodName('legacy', 'memhog')),
    description: 'lastState terminated OOMKilled (exit 137), 6 restarts, limit 128Mi, using ~121Mi',
    expect: 'found',
  },
  {
    category: 'optimisation',
    bot: 'eco-cost-bot',
    check: 'cost.over-budget',
    object: o('v1', 'Namespace', 'shop'),
    description: 'monthly-budget 120 USD; its requests project to about 146 USD/month',
    expect: 'found',
  },
  {
    category: 'optimisation',
    bot: 'eco-cost-bot',
    check: 'cost.over-budget',
    object: o('v1', 'Namespace', 'payments'),
    description: 'monthly-budget 500 USD; projected about 110 USD/month (within budget)',
    expect: 'ignored',
  },
  {
    category: 'optimisation',
    bot: 'eco-resource-bot',
    check: 'resource.excluded',
    object: deploy('monitoring', 'grafana'),
    description: 'over-provisioned (2 CPU / 4Gi requested) but annotated eco.bsw-arch.org/exclude: "true"',
    expect: 'ignored',
  },
  // observability
  {
    category: 'observability',
    bot: 'eco-monitoring-bot',
    check: 'monitoring.node-memory',
    object: o('v1', 'Node', 'eco-node-2'),
    description:
      'node memory usage 93% of allocatable (threshold 90%), mostly legacy/batch-worker without a memory limit',
    expect: 'found',
  },
  {
    category: 'observability',
    bot: 'eco-monitoring-bot',
    check: 'monitoring.pod-cpu',
    object: pod('shop', deploymentPodName('shop', 'cart')),
    description: 'cart pods run at 90-99% of their 200m CPU and 256Mi memory limits (thresholds 80% / 90%)',
    expect: 'found',
  },
  {
    category: 'observability',
    bot: 'eco-monitoring-bot',
    check: 'monitoring.pod-memory',
    object: pod('legacy', deploymentPodName('legacy', 'memhog')),
    description: 'uses about 125Mi of its 128Mi memory limit (over 90%), after 6 OOM kills',
    expect: 'found',
  },
  {
    category: 'observability',
    bot: 'eco-monitoring-bot',
    check: 'monitoring.no-metrics',
    object: o('v1', 'Node', 'eco-node-3'),
    description: 'no NodeMetrics (NotReady node: metrics-server cannot scrape it)',
    expect: 'found',
  },
  {
    category: 'observability',
    bot: 'eco-healthcheck-bot',
    check: 'health.crashloop',
    object: pod('legacy', deploymentPodName('legacy', 'crashy-worker')),
    description: 'CrashLoopBackOff, restartCount 14, lastState terminated exit 1',
    expect: 'found',
  },
  {
    category: 'observability',
    bot: 'eco-healthcheck-bot',
    check: 'health.service-no-endpoints',
    object: o('v1', 'Service', 'reports-api', 'legacy'),
    description: 'selector app=reports-api matches no pods; Endpoints has no subsets',
    expect: 'found',
  },
  {
    category: 'observability',
    bot: 'eco-log-bot',
    check: 'log.previous-errors',
    object: pod('legacy', deploymentPodName('legacy', 'crashy-worker')),
    description:
      'previous container log ends with "FATAL unhandled error: database unavailable" and a stack trace',
    expect: 'found',
  },
  // container
  {
    category: 'container',
    bot: 'eco-container-bot',
    check: 'container.crashloop',
    object: pod('legacy', deploymentPodName('legacy', 'crashy-worker')),
    description: 'CrashLoopBackOff with 14 restarts',
    expect: 'found',
  },
  {
    category: 'container',
    bot: 'eco-container-bot',
    check: 'container.image-pull',
    object: pod('legacy', deploymentPodName('legacy', 'broken-image')),
    description: 'ImagePullBackOff on registry.eco.local/legacy/broken:v9.9.9 (pod Pending 3 days)',
    expect: 'found',
  },
  {
    category: 'container',
    bot: 'eco-container-bot',
    check: 'container.stuck-terminating',
    object: pod('legacy', 'stuck-terminating'),
    description: 'deletionTimestamp 2 hours ago, held by finalizer legacy.example.com/cleanup',
    expect: 'found',
  },
  {
    category: 'container',
    bot: 'eco-container-bot',
    check: 'container.bare-pod',
    object: pod('legacy', 'net-tools'),
    description: 'pod without a controller (also node-debugger, one-off-migration, default/debug-shell)',
    expect: 'found',
  },
  {
    category: 'container',
    bot: 'eco-image-bot',
    check: 'image.too-large',
    object: deploy('analytics', 'report-builder'),
    description:
      'registry.eco.local/analytics/report-builder:2.4.1 is 812 MB in node status.images (target 50 MB)',
    expect: 'found',
  },
  {
    category: 'container',
    bot: 'eco-image-bot',
    check: 'image.latest-tag',
    object: deploy('shop', 'catalog'),
    description:
      'image tag :latest (analytics/dashboards is untagged, legacy/net-tools uses netshoot:latest)',
    expect: 'found',
  },
  {
    category: 'container',
    bot: 'eco-cache-bot',
    check: 'cache.unused-node-image',
    object: o('v1', 'Node', 'eco-node-2'),
    description: 'caches shop/storefront:3.7.9 and analytics/report-builder:2.3.0, used by no pod',
    expect: 'found',
  },
  {
    category: 'container',
    bot: 'eco-scan-bot',
    check: 'scan.vulnerabilities',
    object: deploy('shop', 'storefront'),
    description:
      'trivy-operator VulnerabilityReport on its ReplicaSet: 1 critical, 1 high (golang.org/x/crypto, fixed in 0.31.0/0.35.0)',
    expect: 'found',
  },
  {
    category: 'container',
    bot: 'eco-scan-bot',
    check: 'scan.vulnerabilities',
    object: deploy('shop', 'cart'),
    description: 'a clean VulnerabilityReport (no vulnerabilities)',
    expect: 'ignored',
  },
  {
    category: 'container',
    bot: 'eco-scan-bot',
    check: 'scan.config-audit',
    object: deploy('legacy', 'crashy-worker'),
    description:
      'ConfigAuditReport: KSV014 root filesystem not read-only (high), KSV001 privilege escalation (medium)',
    expect: 'found',
  },
  // storage
  {
    category: 'storage',
    bot: 'eco-volume-bot',
    check: 'volume.unused-pvc',
    object: o('v1', 'PersistentVolumeClaim', 'old-export', 'data'),
    description: 'Bound 200Gi PVC mounted by no pod and in no StatefulSet template',
    expect: 'found',
  },
  {
    category: 'storage',
    bot: 'eco-volume-bot',
    check: 'volume.released-pv',
    object: o('v1', 'PersistentVolume', 'pv-legacy-reports'),
    description: 'Released 50Gi PV with reclaimPolicy Retain (its claim legacy/reports-data is gone)',
    expect: 'found',
  },
  {
    category: 'storage',
    bot: 'eco-storage-bot',
    check: 'storage.pvc-pending',
    object: o('v1', 'PersistentVolumeClaim', 'scratch', 'data'),
    description: 'Pending for 2 days: StorageClass nvme-local does not exist',
    expect: 'found',
  },
  {
    category: 'storage',
    bot: 'eco-snapshot-bot',
    check: 'snapshot.retention',
    object: o('snapshot.storage.k8s.io/v1', 'VolumeSnapshot', 'ledger-db-data-ledger-db-0-16d', 'payments'),
    description: 'five snapshots of data-ledger-db-0 aged 1, 2, 3, 9 and 16 days (retention candidates)',
    expect: 'found',
  },
  // network
  {
    category: 'network',
    bot: 'eco-network-bot',
    check: 'network.pod-uncovered',
    object: pod('legacy', 'net-tools'),
    description: 'no NetworkPolicy selects it (namespaces analytics, legacy, data, default have none)',
    expect: 'found',
  },
  {
    category: 'network',
    bot: 'eco-network-bot',
    check: 'network.service-no-pods',
    object: o('v1', 'Service', 'reports-api', 'legacy'),
    description: 'Service selector matches no pods',
    expect: 'found',
  },
  {
    category: 'network',
    bot: 'eco-loadbalancer-bot',
    check: 'loadbalancer.pending',
    object: o('v1', 'Service', 'storefront-public', 'shop'),
    description: 'type LoadBalancer for 3 hours, status.loadBalancer has no ingress',
    expect: 'found',
  },
  {
    category: 'network',
    bot: 'eco-ingress-bot',
    check: 'ingress.missing-service',
    object: o('networking.k8s.io/v1', 'Ingress', 'old-portal', 'legacy'),
    description: 'backend Service old-portal-svc does not exist',
    expect: 'found',
  },
  {
    category: 'network',
    bot: 'eco-ingress-bot',
    check: 'ingress.cert-expiring',
    object: o('v1', 'Secret', 'shop-tls', 'shop'),
    description: 'X.509 certificate for shop.example.com expires in 10 days (< 30)',
    expect: 'found',
  },
  {
    category: 'network',
    bot: 'eco-ingress-bot',
    check: 'ingress.cert-expired',
    object: o('v1', 'Secret', 'old-portal-tls', 'legacy'),
    description: 'X.509 certificate for portal.legacy.example.com expired 3 days ago',
    expect: 'found',
  },
  // security
  {
    category: 'security',
    bot: 'eco-security-bot',
    check: 'security.privileged',
    object: pod('legacy', 'net-tools'),
    description: 'privileged: true with NET_ADMIN and SYS_ADMIN capabilities',
    expect: 'found',
  },
  {
    category: 'security',
    bot: 'eco-security-bot',
    check: 'security.host-access',
    object: pod('legacy', 'node-debugger'),
    description: 'runAsUser 0, hostNetwork, hostPID, hostPath "/" mounted at /host',
    expect: 'found',
  },
  {
    category: 'security',
    bot: 'eco-compliance-bot',
    check: 'compliance.fagam-registry',
    object: deploy('analytics', 'ml-scorer'),
    description:
      'image from gcr.io (also analytics/ingest from *.dkr.ecr.*.amazonaws.com, analytics/dashboards from *.azurecr.io with an Azure annotation)',
    expect: 'found',
  },
  {
    category: 'security',
    bot: 'eco-secrets-bot',
    check: 'secrets.literal',
    object: o('v1', 'ConfigMap', 'app-config', 'legacy'),
    description: 'DB_PASSWORD in a ConfigMap (and API_TOKEN as a literal env value in legacy/no-limits-app)',
    expect: 'found',
  },
  {
    category: 'security',
    bot: 'eco-security-bot',
    check: 'security.privileged',
    object: deploy('shop', 'storefront'),
    description: 'no privileged container, no added capabilities',
    expect: 'ignored',
  },
  {
    category: 'security',
    bot: 'eco-compliance-bot',
    check: 'compliance.fagam-registry',
    object: deploy('monitoring', 'grafana'),
    description: 'docker.io/grafana/grafana: a public registry that is not AWS, Google Cloud or Azure',
    expect: 'ignored',
  },
  {
    category: 'security',
    bot: 'eco-secrets-bot',
    check: 'secrets.literal',
    object: o('v1', 'ConfigMap', 'openbao-sync', 'shop'),
    description: 'names the keys username and password of an OpenBao mapping, holds no value',
    expect: 'ignored',
  },
  {
    category: 'security',
    bot: 'eco-firewall-bot',
    check: 'firewall.default-deny-missing',
    object: o('v1', 'Namespace', 'analytics'),
    description: 'no NetworkPolicy isolates its pods for ingress or egress',
    expect: 'found',
  },
  {
    category: 'security',
    bot: 'eco-firewall-bot',
    check: 'firewall.default-deny-missing',
    object: o('v1', 'Namespace', 'shop'),
    description: 'default-deny (ingress and egress) and allow-dns-and-ingress already isolate every pod',
    expect: 'ignored',
  },
  // maintenance
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.job-finished',
    object: o('batch/v1', 'Job', 'backfill-2026-10', 'analytics'),
    description: 'completed 20 days ago, no owner (also migrate-schema-v7, completed 9 days ago)',
    expect: 'found',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.job-failed',
    object: o('batch/v1', 'Job', 'import-partners', 'analytics'),
    description: 'failed 12 days ago (BackoffLimitExceeded), no owner',
    expect: 'found',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.pod-evicted',
    object: pod(
      'legacy',
      `batch-worker-${podTemplateHash('legacy/batch-worker/1')}-${suffix('legacy/batch-worker/extra/0')}`,
    ),
    description: 'three Evicted pods of legacy/batch-worker, 4-5 days old',
    expect: 'found',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.pod-failed',
    object: pod('legacy', 'one-off-migration'),
    description: 'bare pod Failed (exit 2) 8 days ago',
    expect: 'found',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.replicaset-orphaned',
    object: o('apps/v1', 'ReplicaSet', 'api-v1-7f9c6d5b8', 'legacy'),
    description: 'replicas 0 and no ownerReferences, 60 days old',
    expect: 'found',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.replicaset-history',
    object: deploy('shop', 'storefront'),
    description: '4 old ReplicaSets at 0 replicas with revisionHistoryLimit 2',
    expect: 'found',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.ttl-expired',
    object: deploy('default', 'tmp-loadtest'),
    description: 'janitor/ttl: 24h, created 3 days ago',
    expect: 'found',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.expired',
    object: o('v1', 'ConfigMap', 'demo-config', 'default'),
    description: 'janitor/expires one day in the past',
    expect: 'found',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.ttl-expired',
    object: o('v1', 'Namespace', 'preview-pr-142'),
    description: 'eco.bsw-arch.org/ttl: 7d, created 9 days ago',
    expect: 'found',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.cronjob-owned',
    object: o('batch/v1', 'Job', 'nightly-report-29000002', 'analytics'),
    description: 'finished Jobs owned by CronJob nightly-report (successfulJobsHistoryLimit 3 manages them)',
    expect: 'ignored',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.job-recent',
    object: o('batch/v1', 'Job', 'reindex-quick', 'analytics'),
    description: 'completed 55 minutes ago: younger than any sensible job TTL',
    expect: 'ignored',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.not-expired',
    object: pod('default', 'debug-shell'),
    description:
      'eco.bsw-arch.org/ttl: 2h, created 30 minutes ago (also ConfigMap keep-me expiring in 5 days, release-notes ttl forever)',
    expect: 'ignored',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.excluded',
    object: o('v1', 'ConfigMap', 'pinned-report', 'default'),
    description: 'janitor/ttl 1d long expired, but eco.bsw-arch.org/exclude: "true"',
    expect: 'ignored',
  },
  {
    category: 'maintenance',
    bot: 'eco-cleanup-bot',
    check: 'cleanup.protected-namespace',
    object: o('v1', 'Namespace', 'eco-bots'),
    description: "the fleet's own namespace: protected, never cleaned",
    expect: 'ignored',
  },
  {
    category: 'maintenance',
    bot: 'eco-maintenance-bot',
    check: 'maintenance.pdb-blocks-drain',
    object: o('policy/v1', 'PodDisruptionBudget', 'cart-pdb', 'shop'),
    description: 'minAvailable 2 with 2 cart pods: evicting either answers 429 (disruption budget)',
    expect: 'found',
  },
];
