// The demo cluster's content: 3 nodes, 10 namespaces, ~80 pods with usage metrics, and one or more
// realistic problems for every bot category (listed in planted.ts). Everything is a pure function of
// `now`, so tests and the README can rely on exact names and ages.
import type { KubeObject } from '../../shared/k8s/types.ts';
import {
  Builder,
  NODES,
  NOT_READY_NODE,
  cpuCores,
  hash,
  kib,
  memBytes,
  nano,
  nodeIp,
  suffix,
} from './build.ts';
import type { Ctr } from './build.ts';
import { daemonSet, deployment, isReady, job, pv, pvc, service, statefulSet } from './workloads.ts';
import { selfSignedCertificate } from './x509.ts';
import { addTrivyReports } from './trivy.ts';

const REG = 'registry.eco.local';
const ECO = 'eco.bsw-arch.org';

/** Image sizes as a node reports them in status.images (bytes). */
const IMAGE_SIZES: Record<string, number> = {
  [`${REG}/analytics/report-builder:2.4.1`]: 812_345_678,
  'docker.io/library/postgres:16.4': 153_221_478,
  'quay.io/prometheus/prometheus:v3.1.0': 118_034_112,
  'docker.io/grafana/grafana:11.3.0': 128_991_440,
  'gcr.io/ml-public/scorer:1.4.0': 402_118_006,
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ingest:3.2.0': 96_551_219,
  'ecoanalytics.azurecr.io/dashboards': 74_220_114,
  'registry.k8s.io/kube-apiserver:v1.35.0': 28_455_821,
  'registry.k8s.io/etcd:3.6.5-0': 62_112_876,
  'docker.io/library/redis:7.4-alpine': 17_224_870,
  'docker.io/library/busybox:1.37': 2_155_102,
  'docker.io/nicolaka/netshoot:latest': 186_002_331,
};

function imageSize(image: string): number {
  return IMAGE_SIZES[image] ?? 9_000_000 + (hash(`size:${image}`).readUInt32BE(0) % 30_000_000);
}

const wolfi = (repo: string, tag: string): string => `${REG}/${repo}:${tag}`;

export interface DemoCluster {
  objects: KubeObject[];
  logs: Builder['logs'];
}

export function buildDemoCluster(now: Date): DemoCluster {
  const b = new Builder(now);

  // ---------- namespaces ----------
  const ns = (
    name: string,
    ago: string,
    labels: Record<string, string> = {},
    annotations?: Record<string, string>,
  ): void => {
    b.add({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: b.meta('Namespace', undefined, name, ago, {
        labels: { 'kubernetes.io/metadata.name': name, ...labels },
        ...(annotations ? { annotations } : {}),
      }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    b.add({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: b.meta('ServiceAccount', name, 'default', ago),
    });
  };
  ns('default', '400d');
  ns('kube-system', '400d');
  ns('eco-bots', '30d', { 'app.kubernetes.io/part-of': 'eco-bots', owner: 'platform' });
  ns('monitoring', '300d', { owner: 'platform' });
  // Monthly budgets (eco-cost-bot): shop is over its budget, payments well within its own.
  ns('shop', '200d', { owner: 'team-shop', [`${ECO}/tier`]: 'medium' }, { [`${ECO}/monthly-budget`]: '120' });
  ns(
    'payments',
    '200d',
    { owner: 'team-payments', [`${ECO}/tier`]: 'large' },
    { [`${ECO}/monthly-budget`]: '500' },
  );
  ns('analytics', '150d', { owner: 'team-data' });
  ns('legacy', '700d', {});
  // Provisioned by eco-provision-bot, since lost its quota, limit range and policy (provision.drift).
  ns('data', '180d', {
    owner: 'team-data',
    [`${ECO}/tier`]: 'small',
    'app.kubernetes.io/managed-by': 'eco-provision-bot',
  });
  ns('preview-pr-142', '9d', { owner: 'team-shop', 'preview.eco/pr': '142' }, { [`${ECO}/ttl`]: '7d' });

  // ---------- kube-system ----------
  const cp = NODES[0];
  for (const [component, image, cpu, mem] of [
    ['etcd', 'registry.k8s.io/etcd:3.6.5-0', '41m', '96Mi'],
    ['kube-apiserver', 'registry.k8s.io/kube-apiserver:v1.35.0', '88m', '412Mi'],
    ['kube-controller-manager', 'registry.k8s.io/kube-controller-manager:v1.35.0', '19m', '58Mi'],
    ['kube-scheduler', 'registry.k8s.io/kube-scheduler:v1.35.0', '6m', '24Mi'],
  ] as const) {
    b.pod(
      'kube-system',
      `${component}-${cp}`,
      [
        {
          name: component,
          image,
          requests: { cpu: component === 'etcd' ? '100m' : '250m', memory: '100Mi' },
          usage: { cpu, memory: mem },
        },
      ],
      {
        node: cp,
        createdAgo: '400d',
        labels: { component, tier: 'control-plane' },
        spec: { hostNetwork: true, priorityClassName: 'system-node-critical' },
        annotations: { 'kubernetes.io/config.source': 'file' },
      },
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: cp, uid: b.meta('Node', undefined, cp, '400d').uid as string },
      } as KubeObject,
    );
  }
  deployment(b, 'kube-system', 'coredns', {
    replicas: 2,
    createdAgo: '400d',
    containers: [
      {
        name: 'coredns',
        image: 'registry.k8s.io/coredns/coredns:v1.12.1',
        requests: { cpu: '100m', memory: '70Mi' },
        limits: { memory: '170Mi' },
        usage: { cpu: '3m', memory: '21Mi' },
        ports: [53],
      },
    ],
  });
  deployment(b, 'kube-system', 'metrics-server', {
    replicas: 1,
    createdAgo: '300d',
    containers: [
      {
        name: 'metrics-server',
        image: 'registry.k8s.io/metrics-server/metrics-server:v0.8.0',
        requests: { cpu: '100m', memory: '200Mi' },
        usage: { cpu: '4m', memory: '28Mi' },
      },
    ],
  });
  daemonSet(b, 'kube-system', 'kube-proxy', {
    createdAgo: '400d',
    tolerateAll: true,
    podSpec: { hostNetwork: true, priorityClassName: 'system-node-critical' },
    containers: [
      {
        name: 'kube-proxy',
        image: 'registry.k8s.io/kube-proxy:v1.35.0',
        securityContext: { privileged: true },
        usage: { cpu: '1m', memory: '17Mi' },
      },
    ],
  });

  // ---------- eco-bots (the fleet's own namespace, protected) ----------
  deployment(b, 'eco-bots', 'eco-gateway', {
    replicas: 2,
    createdAgo: '30d',
    containers: [
      {
        name: 'gateway',
        image: wolfi('eco-bots/gateway', '0.1.0'),
        requests: { cpu: '50m', memory: '64Mi' },
        limits: { cpu: '200m', memory: '128Mi' },
        usage: { cpu: '7m', memory: '38Mi' },
        ports: [8080],
      },
    ],
  });

  // ---------- monitoring ----------
  statefulSet(b, 'monitoring', 'prometheus', {
    replicas: 1,
    createdAgo: '300d',
    storage: { size: '50Gi', storageClass: 'fast-ssd', mountPath: '/prometheus' },
    containers: [
      {
        name: 'prometheus',
        image: 'quay.io/prometheus/prometheus:v3.1.0',
        requests: { cpu: '500m', memory: '2Gi' },
        limits: { memory: '4Gi' },
        usage: { cpu: '180m', memory: '1650Mi' },
        ports: [9090],
      },
    ],
  });
  daemonSet(b, 'monitoring', 'node-exporter', {
    createdAgo: '300d',
    tolerateAll: true,
    podSpec: {
      hostNetwork: true,
      hostPID: true,
      volumes: [
        { name: 'proc', hostPath: { path: '/proc' } },
        { name: 'sys', hostPath: { path: '/sys' } },
      ],
    },
    containers: [
      {
        name: 'node-exporter',
        image: 'quay.io/prometheus/node-exporter:v1.8.2',
        requests: { cpu: '10m', memory: '32Mi' },
        limits: { cpu: '100m', memory: '64Mi' },
        usage: { cpu: '2m', memory: '19Mi' },
        securityContext: { readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65534 },
      },
    ],
  });
  deployment(b, 'monitoring', 'grafana', {
    replicas: 1,
    createdAgo: '250d',
    annotations: { [`${ECO}/exclude`]: 'true' },
    containers: [
      {
        name: 'grafana',
        image: 'docker.io/grafana/grafana:11.3.0',
        requests: { cpu: '2', memory: '4Gi' },
        usage: { cpu: '12m', memory: '180Mi' },
        ports: [3000],
      },
    ],
  });
  // network: a provisioned LoadBalancer (monthly cost) in front of a single grafana pod.
  service(b, 'monitoring', 'grafana-public', {
    type: 'LoadBalancer',
    selector: { app: 'grafana' },
    ports: [{ port: 443, targetPort: 3000, name: 'https' }],
    loadBalancerIP: '203.0.113.20',
    createdAgo: '120d',
  });
  // Dashboards for the Grafana sidecar: one eco-dashboard-bot wrote from an older fleet (outdated
  // now), and a hand-made one it must never touch (not labelled as its own).
  b.add({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: b.meta('ConfigMap', 'monitoring', 'eco-dashboard-eco-bots-fleet', '20d', {
      labels: { grafana_dashboard: '1', 'app.kubernetes.io/managed-by': 'eco-dashboard-bot' },
      annotations: { grafana_folder: 'eco-bots' },
    }),
    data: { 'eco-bots-fleet.json': '{"uid":"eco-bots-fleet","title":"eco-bots fleet","panels":[]}\n' },
  });
  b.add({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: b.meta('ConfigMap', 'monitoring', 'grafana-dashboard-nodes', '200d', {
      labels: { grafana_dashboard: '1' },
    }),
    data: { 'nodes.json': '{"uid":"nodes","title":"Nodes (hand-made)","panels":[]}\n' },
  });
  deployment(b, 'monitoring', 'kube-state-metrics', {
    replicas: 1,
    createdAgo: '300d',
    containers: [
      {
        name: 'kube-state-metrics',
        image: 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.14.0',
        requests: { cpu: '10m', memory: '64Mi' },
        limits: { cpu: '100m', memory: '128Mi' },
        usage: { cpu: '3m', memory: '41Mi' },
      },
    ],
  });

  // ---------- shop: quota, limit range, default-deny; over/under-provisioned, HPA at max, PDB ----------
  const shopCtr = (
    name: string,
    tag: string,
    requests: Ctr['requests'],
    limits: Ctr['limits'],
    usage: Ctr['usage'],
  ): Ctr => ({
    name,
    image: wolfi(`shop/${name}`, tag),
    ...(requests ? { requests } : {}),
    ...(limits ? { limits } : {}),
    ...(usage ? { usage } : {}),
    ports: [8080],
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  });
  deployment(b, 'shop', 'storefront', {
    replicas: 3,
    createdAgo: '200d',
    revisionHistoryLimit: 2,
    oldRevisions: 4,
    containers: [
      shopCtr(
        'storefront',
        '3.8.2',
        { cpu: '1', memory: '1Gi' },
        { cpu: '2', memory: '2Gi' },
        { cpu: '6m', memory: '48Mi' },
      ),
    ],
  });
  deployment(b, 'shop', 'cart', {
    replicas: 2,
    createdAgo: '200d',
    containers: [
      shopCtr(
        'cart',
        '2.1.0',
        { cpu: '50m', memory: '64Mi' },
        { cpu: '200m', memory: '256Mi' },
        { cpu: '185m', memory: '236Mi' },
      ),
    ],
  });
  deployment(b, 'shop', 'checkout', {
    replicas: 5,
    createdAgo: '200d',
    containers: [
      shopCtr(
        'checkout',
        '1.9.4',
        { cpu: '200m', memory: '256Mi' },
        { cpu: '500m', memory: '512Mi' },
        { cpu: '190m', memory: '210Mi' },
      ),
    ],
  });
  deployment(b, 'shop', 'catalog', {
    replicas: 2,
    createdAgo: '120d',
    containers: [
      {
        ...shopCtr(
          'catalog',
          'latest',
          { cpu: '100m', memory: '128Mi' },
          { cpu: '300m', memory: '256Mi' },
          { cpu: '35m', memory: '96Mi' },
        ),
      },
    ],
  });
  deployment(b, 'shop', 'search', {
    replicas: 3,
    createdAgo: '100d',
    containers: [
      shopCtr(
        'search',
        '5.0.1',
        { cpu: '250m', memory: '512Mi' },
        { cpu: '500m', memory: '1Gi' },
        { cpu: '140m', memory: '380Mi' },
      ),
    ],
  });
  statefulSet(b, 'shop', 'redis', {
    replicas: 1,
    createdAgo: '200d',
    storage: { size: '5Gi', storageClass: 'standard', mountPath: '/data' },
    containers: [
      {
        name: 'redis',
        image: 'docker.io/library/redis:7.4-alpine',
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { cpu: '500m', memory: '512Mi' },
        usage: { cpu: '8m', memory: '61Mi' },
        ports: [6379],
      },
    ],
  });
  for (const [svc, port] of [
    ['storefront', 8080],
    ['cart', 8080],
    ['checkout', 8080],
    ['catalog', 8080],
    ['search', 8080],
    ['redis', 6379],
  ] as const) {
    service(b, 'shop', svc, {
      selector: { app: svc },
      ports: [{ port: svc === 'redis' ? 6379 : 80, targetPort: port }],
    });
  }
  service(b, 'shop', 'storefront-public', {
    type: 'LoadBalancer',
    selector: { app: 'storefront' },
    ports: [{ port: 443, targetPort: 8080, name: 'https' }],
    createdAgo: '3h',
  });
  b.add({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: b.meta('HorizontalPodAutoscaler', 'shop', 'checkout', '150d'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
    status: {
      observedGeneration: 1,
      lastScaleTime: b.ts('6h'),
      currentReplicas: 5,
      desiredReplicas: 5,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageValue: '190m', averageUtilization: 95 } },
        },
      ],
      conditions: [
        {
          type: 'AbleToScale',
          status: 'True',
          lastTransitionTime: b.ts('150d'),
          reason: 'ReadyForNewScale',
          message: 'recommended size matches current size',
        },
        {
          type: 'ScalingActive',
          status: 'True',
          lastTransitionTime: b.ts('150d'),
          reason: 'ValidMetricFound',
          message:
            'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
        },
        {
          type: 'ScalingLimited',
          status: 'True',
          lastTransitionTime: b.ts('6h'),
          reason: 'TooManyReplicas',
          message: 'the desired replica count is more than the maximum replica count',
        },
      ],
    },
  });
  b.add({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: b.meta('PodDisruptionBudget', 'shop', 'cart-pdb', '200d', { generation: 1 }),
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'cart' } } },
    status: {
      observedGeneration: 1,
      disruptionsAllowed: 0,
      currentHealthy: 2,
      desiredHealthy: 2,
      expectedPods: 2,
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: 'False',
          reason: 'InsufficientPods',
          message: '',
          observedGeneration: 1,
          lastTransitionTime: b.ts('200d'),
        },
      ],
    },
  });
  quotaAndLimits(b, 'shop', {
    'requests.cpu': '8',
    'requests.memory': '16Gi',
    'limits.cpu': '16',
    'limits.memory': '32Gi',
    pods: '40',
  });
  defaultDeny(b, 'shop');
  // eco-secrets-bot: Secrets synced from OpenBao (npm start runs the OpenBao emulator with these paths).
  b.add({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: b.meta('ConfigMap', 'shop', 'openbao-sync', '30d', {
      labels: { [`${ECO}/openbao-sync`]: 'true' },
    }),
    data: {
      mappings: [
        '- target: shop-database',
        '  path: shop/database',
        '  keys: [username, password]',
        '- target: payment-api',
        '  path: shop/payment-api',
        '  keys: { PAYMENT_API_KEY: api_key }',
        '  refreshInterval: 15m',
        '',
      ].join('\n'),
    },
  });

  // ---------- payments: quota near full, snapshots ----------
  const pay = (name: string, tag: string, cpu: string, mem: string, usage: Ctr['usage']): Ctr => ({
    name,
    image: wolfi(`payments/${name}`, tag),
    requests: { cpu, memory: mem },
    limits: { cpu, memory: mem },
    ...(usage ? { usage } : {}),
    ports: [8443],
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  });
  statefulSet(b, 'payments', 'ledger-db', {
    replicas: 3,
    createdAgo: '200d',
    storage: { size: '20Gi', storageClass: 'fast-ssd', mountPath: '/var/lib/postgresql/data' },
    containers: [
      {
        name: 'postgres',
        image: 'docker.io/library/postgres:16.4',
        requests: { cpu: '500m', memory: '1Gi' },
        limits: { cpu: '500m', memory: '1Gi' },
        usage: { cpu: '210m', memory: '690Mi' },
        ports: [5432],
      },
    ],
  });
  deployment(b, 'payments', 'payments-api', {
    replicas: 3,
    createdAgo: '200d',
    containers: [pay('payments-api', '4.2.0', '500m', '1Gi', { cpu: '260m', memory: '610Mi' })],
  });
  deployment(b, 'payments', 'fraud-check', {
    replicas: 2,
    createdAgo: '90d',
    containers: [pay('fraud-check', '0.9.3', '300m', '512Mi', { cpu: '120m', memory: '300Mi' })],
  });
  deployment(b, 'payments', 'notifier', {
    replicas: 2,
    createdAgo: '90d',
    containers: [pay('notifier', '1.0.7', '100m', '128Mi', { cpu: '4m', memory: '52Mi' })],
  });
  for (const svc of ['payments-api', 'fraud-check', 'notifier'])
    service(b, 'payments', svc, { selector: { app: svc }, ports: [{ port: 443, targetPort: 8443 }] });
  service(b, 'payments', 'ledger-db', { selector: { app: 'ledger-db' }, ports: [{ port: 5432 }] });
  quotaAndLimits(b, 'payments', {
    'requests.cpu': '4',
    'requests.memory': '8Gi',
    'limits.cpu': '4',
    'limits.memory': '8Gi',
    pods: '20',
  });
  defaultDeny(b, 'payments');
  b.add({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: b.meta('Secret', 'payments', 'db-credentials', '200d'),
    type: 'Opaque',
    data: {
      username: Buffer.from('ledger').toString('base64'),
      password: Buffer.from('demo-only-not-a-secret').toString('base64'),
    },
  });

  // ---------- analytics: no quota; jobs; big and prohibited images ----------
  const cron = b.add({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: b.meta('CronJob', 'analytics', 'nightly-report', '150d', {
      generation: 1,
      // Its manifest still says batch/v1beta1 (removed in 1.25): eco-infra-bot's infra.removed-api.
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
          apiVersion: 'batch/v1beta1',
          kind: 'CronJob',
          metadata: { name: 'nightly-report', namespace: 'analytics' },
          spec: { schedule: '0 2 * * *', concurrencyPolicy: 'Forbid' },
        }),
      },
    }),
    spec: {
      schedule: '0 2 * * *',
      concurrencyPolicy: 'Forbid',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              containers: [b.container({ name: 'report', image: `${REG}/analytics/report-builder:2.4.1` })],
              restartPolicy: 'Never',
            },
          },
        },
      },
    },
    status: { lastScheduleTime: b.ts('10h'), lastSuccessfulTime: b.ts('9h') },
  });
  const reportCtr: Ctr = {
    name: 'report',
    image: `${REG}/analytics/report-builder:2.4.1`,
    requests: { cpu: '500m', memory: '1Gi' },
  };
  for (const [i, ago] of (['10h', '34h', '58h'] as const).entries()) {
    job(b, 'analytics', `nightly-report-${29000000 + i}`, {
      containers: [reportCtr],
      createdAgo: ago,
      finishedAgo: `${Number(ago.slice(0, -1)) - 1}h`,
      owner: cron,
    });
  }
  job(b, 'analytics', 'backfill-2026-10', { containers: [reportCtr], createdAgo: '21d', finishedAgo: '20d' });
  job(b, 'analytics', 'migrate-schema-v7', {
    containers: [{ name: 'migrate', image: wolfi('analytics/migrate', '7.0.0') }],
    createdAgo: '9d',
    finishedAgo: '9d',
  });
  job(b, 'analytics', 'import-partners', {
    containers: [{ name: 'import', image: wolfi('analytics/importer', '1.2.0') }],
    createdAgo: '12d',
    finishedAgo: '12d',
    failed: true,
  });
  job(b, 'analytics', 'reindex-quick', {
    containers: [{ name: 'reindex', image: wolfi('analytics/reindex', '0.3.1') }],
    createdAgo: '70m',
    finishedAgo: '55m',
  });
  deployment(b, 'analytics', 'report-builder', {
    replicas: 1,
    createdAgo: '150d',
    containers: [
      { ...reportCtr, limits: { cpu: '1', memory: '2Gi' }, usage: { cpu: '40m', memory: '700Mi' } },
    ],
  });
  deployment(b, 'analytics', 'ml-scorer', {
    replicas: 2,
    createdAgo: '60d',
    containers: [
      {
        name: 'scorer',
        image: 'gcr.io/ml-public/scorer:1.4.0',
        requests: { cpu: '500m', memory: '1Gi' },
        limits: { cpu: '1', memory: '2Gi' },
        usage: { cpu: '310m', memory: '820Mi' },
      },
    ],
  });
  deployment(b, 'analytics', 'ingest', {
    replicas: 2,
    createdAgo: '60d',
    containers: [
      {
        name: 'ingest',
        image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ingest:3.2.0',
        requests: { cpu: '200m', memory: '256Mi' },
        limits: { cpu: '500m', memory: '512Mi' },
        usage: { cpu: '90m', memory: '200Mi' },
      },
    ],
  });
  deployment(b, 'analytics', 'dashboards', {
    replicas: 1,
    createdAgo: '45d',
    podAnnotations: { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' },
    containers: [
      {
        name: 'dashboards',
        image: 'ecoanalytics.azurecr.io/dashboards',
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { cpu: '500m', memory: '512Mi' },
        usage: { cpu: '15m', memory: '160Mi' },
      },
    ],
  });
  service(b, 'analytics', 'dashboards', {
    selector: { app: 'dashboards' },
    ports: [{ port: 80, targetPort: 3000 }],
  });

  // ---------- legacy: security findings, broken containers, cleanup candidates ----------
  b.pod(
    'legacy',
    'net-tools',
    [
      {
        name: 'net-tools',
        image: 'docker.io/nicolaka/netshoot:latest',
        securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] } },
        usage: { cpu: '1m', memory: '9Mi' },
      },
    ],
    { createdAgo: '33d' },
  );
  b.pod(
    'legacy',
    'node-debugger',
    [
      {
        name: 'debug',
        image: 'docker.io/library/busybox:1.37',
        args: ['sleep', 'infinity'],
        securityContext: { runAsUser: 0, allowPrivilegeEscalation: true },
        volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
        usage: { cpu: '0m', memory: '1Mi' },
      },
    ],
    {
      createdAgo: '12d',
      spec: {
        hostNetwork: true,
        hostPID: true,
        volumes: [{ name: 'host-root', hostPath: { path: '/', type: 'Directory' } }],
      },
    },
  );
  deployment(b, 'legacy', 'crashy-worker', {
    replicas: 1,
    createdAgo: '14d',
    containers: [
      {
        name: 'worker',
        image: wolfi('legacy/worker', '2.3.0'),
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '200m', memory: '256Mi' },
        usage: { cpu: '1m', memory: '12Mi' },
      },
    ],
    pod: () => ({
      createdAgo: '2d',
      first: {
        ready: false,
        restartCount: 14,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: 'back-off 5m0s restarting failed container=worker pod=crashy-worker',
          },
        },
        lastState: {
          terminated: { exitCode: 1, reason: 'Error', startedAt: b.ts('4m'), finishedAt: b.ts('3m') },
        },
      },
    }),
  });
  deployment(b, 'legacy', 'memhog', {
    replicas: 1,
    createdAgo: '40d',
    containers: [
      {
        name: 'memhog',
        image: wolfi('legacy/memhog', '1.0.2'),
        requests: { cpu: '50m', memory: '64Mi' },
        limits: { cpu: '250m', memory: '128Mi' },
        usage: { cpu: '60m', memory: '121Mi' },
      },
    ],
    pod: () => ({
      createdAgo: '6d',
      first: {
        restartCount: 6,
        state: { running: { startedAt: b.ts('25m') } },
        lastState: {
          terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: b.ts('3h'), finishedAt: b.ts('26m') },
        },
      },
    }),
  });
  deployment(b, 'legacy', 'broken-image', {
    replicas: 1,
    createdAgo: '3d',
    containers: [
      {
        name: 'app',
        image: wolfi('legacy/broken', 'v9.9.9'),
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '200m', memory: '256Mi' },
      },
    ],
    pod: () => ({
      phase: 'Pending',
      createdAgo: '3d',
      first: {
        ready: false,
        state: {
          waiting: {
            reason: 'ImagePullBackOff',
            message: `Back-off pulling image "${REG}/legacy/broken:v9.9.9": ErrImagePull: ${REG}/legacy/broken:v9.9.9: not found`,
          },
        },
      },
    }),
  });
  deployment(b, 'legacy', 'no-limits-app', {
    replicas: 2,
    createdAgo: '300d',
    containers: [
      {
        name: 'app',
        image: wolfi('legacy/app', '0.14.2'),
        env: [{ name: 'API_TOKEN', value: 'sk-demo-0000-not-real' }],
        usage: { cpu: '75m', memory: '340Mi' },
      },
    ],
  });
  deployment(b, 'legacy', 'config-missing', {
    replicas: 1,
    createdAgo: '8d',
    containers: [
      {
        name: 'app',
        image: wolfi('legacy/app', '0.14.2'),
        requests: { cpu: '50m', memory: '64Mi' },
        limits: { cpu: '100m', memory: '128Mi' },
        envFrom: [{ configMapRef: { name: 'legacy-settings' } }],
      },
    ],
    pod: () => ({
      phase: 'Pending',
      createdAgo: '8d',
      first: {
        ready: false,
        state: {
          waiting: { reason: 'CreateContainerConfigError', message: 'configmap "legacy-settings" not found' },
        },
      },
    }),
  });
  deployment(b, 'legacy', 'batch-worker', {
    replicas: 1,
    createdAgo: '90d',
    containers: [
      {
        name: 'worker',
        image: wolfi('legacy/batch', '3.1.0'),
        requests: { cpu: '200m', memory: '512Mi' },
        // No memory limit: the worker grows until the node runs out (MemoryPressure on eco-node-2).
        usage: { cpu: '150m', memory: '5632Mi' },
      },
    ],
    pod: () => ({ node: 'eco-node-2', createdAgo: '4d' }),
    extraPods: ['5d', '5d', '4d'].map((ago) => ({
      phase: 'Failed' as const,
      reason: 'Evicted',
      message:
        'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91200Ki. Container worker was using 1100Mi, request is 512Mi, has larger consumption of memory.',
      createdAgo: ago,
      node: 'eco-node-2',
    })),
  });
  b.pod('legacy', 'one-off-migration', [{ name: 'migrate', image: wolfi('legacy/migrate', '0.1.0') }], {
    phase: 'Failed',
    createdAgo: '8d',
    finishedAgo: '8d',
    exitCode: 2,
  });
  b.pod(
    'legacy',
    'stuck-terminating',
    [{ name: 'app', image: wolfi('legacy/app', '0.14.2'), requests: { cpu: '10m', memory: '32Mi' } }],
    { createdAgo: '20d', deletionAgo: '2h', finalizers: ['legacy.example.com/cleanup'], noMetrics: true },
  );
  b.add({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: b.meta('ReplicaSet', 'legacy', 'api-v1-7f9c6d5b8', '60d', {
      labels: { app: 'api-v1', 'pod-template-hash': '7f9c6d5b8' },
      generation: 3,
    }),
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'api-v1', 'pod-template-hash': '7f9c6d5b8' } },
      template: {
        metadata: { labels: { app: 'api-v1', 'pod-template-hash': '7f9c6d5b8' } },
        spec: { containers: [b.container({ name: 'api', image: wolfi('legacy/api', '1.0.0') })] },
      },
    },
    status: { replicas: 0, observedGeneration: 3 },
  });
  service(b, 'legacy', 'reports-api', {
    selector: { app: 'reports-api' },
    ports: [{ port: 80, targetPort: 8080 }],
    createdAgo: '400d',
  });
  service(b, 'legacy', 'batch-worker', {
    selector: { app: 'batch-worker' },
    ports: [{ port: 80, targetPort: 9000 }],
    createdAgo: '90d',
  });
  b.add({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: b.meta('ConfigMap', 'legacy', 'app-config', '300d'),
    data: { DB_HOST: 'ledger-db.payments.svc', DB_PASSWORD: 'hunter2', LOG_LEVEL: 'debug' },
  });

  // ---------- data: storage ----------
  deployment(b, 'data', 'minio', {
    replicas: 1,
    createdAgo: '180d',
    containers: [
      {
        name: 'minio',
        image: wolfi('data/minio', '2026.10.1'),
        requests: { cpu: '250m', memory: '512Mi' },
        limits: { cpu: '1', memory: '1Gi' },
        usage: { cpu: '30m', memory: '300Mi' },
        volumeMounts: [{ name: 'store', mountPath: '/data' }],
      },
    ],
    podSpec: { volumes: [{ name: 'store', persistentVolumeClaim: { claimName: 'minio-store' } }] },
  });
  pvc(b, 'data', 'minio-store', { size: '100Gi', storageClass: 'standard', createdAgo: '180d' });
  pvc(b, 'data', 'old-export', {
    size: '200Gi',
    storageClass: 'standard',
    createdAgo: '120d',
    labels: { purpose: 'one-time-export' },
  });
  pvc(b, 'data', 'scratch', { size: '10Gi', storageClass: 'nvme-local', createdAgo: '2d', bound: false });
  pv(b, 'pv-legacy-reports', {
    size: '50Gi',
    storageClass: 'standard',
    createdAgo: '400d',
    phase: 'Released',
    reclaimPolicy: 'Retain',
    claimRef: {
      namespace: 'legacy',
      name: 'reports-data',
      uid: b.meta('PersistentVolumeClaim', 'legacy', 'reports-data', '400d').uid as string,
    },
  });
  service(b, 'data', 'minio', { selector: { app: 'minio' }, ports: [{ port: 9000 }] });
  b.add({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: b.meta('StorageClass', undefined, 'standard', '400d', {
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    }),
    provisioner: 'csi.eco.local',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: true,
  });
  b.add({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: b.meta('StorageClass', undefined, 'fast-ssd', '400d'),
    provisioner: 'csi.eco.local',
    parameters: { type: 'ssd' },
    reclaimPolicy: 'Retain',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: false,
  });
  b.add({
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotClass',
    metadata: b.meta('VolumeSnapshotClass', undefined, 'csi-snapclass', '300d'),
    driver: 'csi.eco.local',
    deletionPolicy: 'Delete',
  });
  for (const days of [1, 2, 3, 9, 16]) {
    const name = `ledger-db-data-ledger-db-0-${days}d`;
    const content = `snapcontent-${b.meta('VolumeSnapshot', 'payments', name, `${days}d`).uid as string}`;
    b.add({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: b.meta('VolumeSnapshot', 'payments', name, `${days}d`, {
        labels: { [`${ECO}/snapshot-of`]: 'data-ledger-db-0' },
        finalizers: ['snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection'],
      }),
      spec: {
        source: { persistentVolumeClaimName: 'data-ledger-db-0' },
        volumeSnapshotClassName: 'csi-snapclass',
      },
      status: {
        boundVolumeSnapshotContentName: content,
        creationTime: b.ts(`${days}d`),
        readyToUse: true,
        restoreSize: '20Gi',
      },
    });
    b.add({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotContent',
      metadata: b.meta('VolumeSnapshotContent', undefined, content, `${days}d`),
      spec: {
        deletionPolicy: 'Delete',
        driver: 'csi.eco.local',
        source: { volumeHandle: `vol-${suffix(name, 8)}` },
        volumeSnapshotClassName: 'csi-snapclass',
        volumeSnapshotRef: {
          apiVersion: 'snapshot.storage.k8s.io/v1',
          kind: 'VolumeSnapshot',
          name,
          namespace: 'payments',
        },
      },
      status: { readyToUse: true, restoreSize: 21474836480, snapshotHandle: `snap-${suffix(name, 10)}` },
    });
  }

  // ---------- default: TTL / expiry annotations (both vocabularies), exclusion ----------
  deployment(b, 'default', 'tmp-loadtest', {
    replicas: 2,
    createdAgo: '3d',
    annotations: { 'janitor/ttl': '24h' },
    containers: [
      {
        name: 'k6',
        image: wolfi('tools/k6', '0.55.0'),
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '500m', memory: '256Mi' },
        usage: { cpu: '2m', memory: '30Mi' },
      },
    ],
  });
  b.pod(
    'default',
    'debug-shell',
    [
      {
        name: 'shell',
        image: 'docker.io/library/busybox:1.37',
        args: ['sleep', '86400'],
        requests: { cpu: '10m', memory: '16Mi' },
        limits: { cpu: '50m', memory: '32Mi' },
        usage: { cpu: '0m', memory: '1Mi' },
      },
    ],
    {
      createdAgo: '30m',
      annotations: { [`${ECO}/ttl`]: '2h' },
    },
  );
  b.add({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: b.meta('ConfigMap', 'default', 'demo-config', '6d', {
      annotations: { 'janitor/expires': b.ts('1d') },
    }),
    data: { greeting: 'hello' },
  });
  b.add({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: b.meta('ConfigMap', 'default', 'keep-me', '2d', {
      annotations: { [`${ECO}/expires`]: b.future('5d') },
    }),
    data: { purpose: 'expires in five days' },
  });
  b.add({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: b.meta('ConfigMap', 'default', 'pinned-report', '10d', {
      annotations: { 'janitor/ttl': '1d', [`${ECO}/exclude`]: 'true' },
    }),
    data: { report: 'kept on purpose' },
  });
  b.add({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: b.meta('ConfigMap', 'default', 'release-notes', '20d', {
      annotations: { [`${ECO}/ttl`]: 'forever' },
    }),
    data: { notes: 'never expires' },
  });

  // ---------- preview-pr-142: an expired TTL namespace ----------
  deployment(b, 'preview-pr-142', 'preview-web', {
    replicas: 2,
    createdAgo: '9d',
    containers: [
      shopCtr(
        'storefront',
        'pr-142',
        { cpu: '100m', memory: '128Mi' },
        { cpu: '200m', memory: '256Mi' },
        { cpu: '1m', memory: '40Mi' },
      ),
    ],
  });
  statefulSet(b, 'preview-pr-142', 'preview-db', {
    replicas: 1,
    createdAgo: '9d',
    containers: [
      {
        name: 'postgres',
        image: 'docker.io/library/postgres:16.4',
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { cpu: '500m', memory: '512Mi' },
        usage: { cpu: '3m', memory: '45Mi' },
      },
    ],
  });

  // ---------- network: ingresses, TLS ----------
  const tls = (
    namespace: string,
    name: string,
    host: string,
    notBeforeAgo: string,
    notAfter: string,
    serial: number,
  ): void => {
    const cert = selfSignedCertificate({
      commonName: host,
      dnsNames: [host],
      notBefore: new Date(b.ts(notBeforeAgo)),
      notAfter: new Date(notAfter),
      serial,
    });
    b.add({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: b.meta('Secret', namespace, name, notBeforeAgo, {
        annotations: { 'cert-manager.io/common-name': host },
      }),
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': Buffer.from(cert.certPem).toString('base64'),
        'tls.key': Buffer.from(cert.keyPem).toString('base64'),
      },
    });
  };
  tls('shop', 'shop-tls', 'shop.example.com', '80d', b.future('10d'), 1001);
  tls('payments', 'payments-tls', 'pay.example.com', '10d', b.future('80d'), 1002);
  tls('legacy', 'old-portal-tls', 'portal.legacy.example.com', '400d', b.ts('3d'), 1003);
  const ingress = (
    namespace: string,
    name: string,
    host: string,
    svc: string,
    port: number,
    secret: string,
    ago: string,
  ): void => {
    b.add({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: b.meta('Ingress', namespace, name, ago, { generation: 1 }),
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: [host], secretName: secret }],
        rules: [
          {
            host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: svc, port: { number: port } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
    });
  };
  ingress('shop', 'storefront', 'shop.example.com', 'storefront', 80, 'shop-tls', '200d');
  ingress('payments', 'payments-api', 'pay.example.com', 'payments-api', 443, 'payments-tls', '200d');
  ingress(
    'legacy',
    'old-portal',
    'portal.legacy.example.com',
    'old-portal-svc',
    80,
    'old-portal-tls',
    '400d',
  );

  // ---------- events ----------
  const podsByPrefix = (namespace: string, prefix: string): KubeObject | undefined =>
    b.objects.find(
      (o) => o.kind === 'Pod' && o.metadata.namespace === namespace && o.metadata.name.startsWith(prefix),
    );
  const event = (
    target: KubeObject | undefined,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    count: number,
    lastAgo: string,
  ): void => {
    if (!target) return;
    const name = `${target.metadata.name}.${hash(`${reason}/${target.metadata.name}`).toString('hex').slice(0, 16)}`;
    b.add({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: b.meta('Event', target.metadata.namespace, name, lastAgo),
      involvedObject: {
        kind: target.kind,
        namespace: target.metadata.namespace,
        name: target.metadata.name,
        uid: target.metadata.uid,
        apiVersion: target.apiVersion,
      },
      reason,
      message,
      source: {
        component: 'kubelet',
        host: (target['spec'] as { nodeName?: string } | undefined)?.nodeName ?? '',
      },
      firstTimestamp: b.ts('2d'),
      lastTimestamp: b.ts(lastAgo),
      count,
      type,
      reportingComponent: 'kubelet',
      reportingInstance: (target['spec'] as { nodeName?: string } | undefined)?.nodeName ?? '',
    });
  };
  const crashy = podsByPrefix('legacy', 'crashy-worker-');
  event(
    crashy,
    'Warning',
    'BackOff',
    'Back-off restarting failed container worker in pod crashy-worker',
    212,
    '1m',
  );
  event(
    podsByPrefix('legacy', 'memhog-'),
    'Warning',
    'OOMKilling',
    'Memory cgroup out of memory: Killed process 2211 (memhog)',
    6,
    '26m',
  );
  event(
    podsByPrefix('legacy', 'broken-image-'),
    'Warning',
    'Failed',
    `Failed to pull image "${REG}/legacy/broken:v9.9.9": not found`,
    48,
    '2m',
  );
  event(
    podsByPrefix('legacy', 'config-missing-'),
    'Warning',
    'Failed',
    'Error: configmap "legacy-settings" not found',
    310,
    '1m',
  );
  event(
    podsByPrefix('shop', 'cart-'),
    'Normal',
    'Pulled',
    `Container image "${REG}/shop/cart:2.1.0" already present on machine`,
    1,
    '3d',
  );

  // ---------- logs ----------
  if (crashy) {
    const podName = crashy.metadata.name;
    b.logs.push(
      {
        namespace: 'legacy',
        pod: podName,
        container: 'worker',
        text: [
          `${b.ts('40s')} INFO  worker 2.3.0 starting (pid 1)`,
          `${b.ts('39s')} INFO  connecting to postgres at ledger-db.payments.svc:5432`,
          `${b.ts('9s')} WARN  connection attempt 3/3 failed: connect ECONNREFUSED 10.96.14.7:5432`,
          '',
        ].join('\n'),
      },
      {
        namespace: 'legacy',
        pod: podName,
        container: 'worker',
        previous: true,
        text: [
          `${b.ts('4m')} INFO  worker 2.3.0 starting (pid 1)`,
          `${b.ts('4m')} INFO  connecting to postgres at ledger-db.payments.svc:5432`,
          `${b.ts('3m')} ERROR connection attempt 3/3 failed: connect ECONNREFUSED 10.96.14.7:5432`,
          `${b.ts('3m')} FATAL unhandled error: database unavailable`,
          '    at Pool.connect (/app/node_modules/pg-pool/index.js:45:11)',
          '    at async main (/app/dist/worker.js:88:5)',
          `${b.ts('3m')} INFO  exiting with code 1`,
          '',
        ].join('\n'),
      },
    );
  }
  const memhog = podsByPrefix('legacy', 'memhog-');
  if (memhog) {
    b.logs.push({
      namespace: 'legacy',
      pod: memhog.metadata.name,
      container: 'memhog',
      previous: true,
      text: `${b.ts('30m')} INFO  cache warm-up: loading 2.1M rows\n${b.ts('27m')} INFO  cache size 126Mi\n`,
    });
  }

  addTrivyReports(b);
  finish(b);
  return { objects: b.objects, logs: b.logs };
}

function quotaAndLimits(b: Builder, namespace: string, hard: Record<string, string>): void {
  b.add({
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: b.meta('ResourceQuota', namespace, 'compute', '200d'),
    spec: { hard },
    status: { hard, used: {} },
  });
  b.add({
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: b.meta('LimitRange', namespace, 'defaults', '200d'),
    spec: {
      limits: [
        {
          type: 'Container',
          default: { cpu: '500m', memory: '512Mi' },
          defaultRequest: { cpu: '100m', memory: '128Mi' },
          max: { cpu: '2', memory: '4Gi' },
        },
      ],
    },
  });
}

function defaultDeny(b: Builder, namespace: string): void {
  b.add({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: b.meta('NetworkPolicy', namespace, 'default-deny', '200d', { generation: 1 }),
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  b.add({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: b.meta('NetworkPolicy', namespace, 'allow-dns-and-ingress', '200d', { generation: 1 }),
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
        },
      ],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
          ports: [{ protocol: 'UDP', port: 53 }],
        },
      ],
    },
  });
}

interface PodLike {
  spec?: {
    nodeName?: string;
    containers?: Array<{
      image: string;
      resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    }>;
  };
  status?: { phase?: string };
}

/** Derived objects: Endpoints, quota usage, Nodes (images, conditions), node metrics, leases. */
function finish(b: Builder): void {
  const pods = b.objects.filter((o) => o.kind === 'Pod');
  const active = (p: KubeObject): boolean => {
    const phase = (p as PodLike).status?.phase;
    return phase === 'Running' || phase === 'Pending';
  };

  // Endpoints for every Service: the ready pods its selector matches.
  for (const svc of b.objects.filter((o) => o.kind === 'Service')) {
    const spec = svc['spec'] as {
      selector?: Record<string, string>;
      ports: Array<{ name: string; targetPort: number }>;
    };
    const sel = spec.selector;
    const matched = sel
      ? pods.filter(
          (p) =>
            p.metadata.namespace === svc.metadata.namespace &&
            Object.entries(sel).every(([k, v]) => p.metadata.labels?.[k] === v) &&
            !p.metadata.deletionTimestamp,
        )
      : [];
    const addr = (p: KubeObject): Record<string, unknown> => ({
      ip: (p['status'] as { podIP?: string }).podIP,
      nodeName: (p as PodLike).spec?.nodeName,
      targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
    });
    const ready = matched.filter((p) => isReady(p));
    const notReady = matched.filter(
      (p) => !isReady(p) && active(p) && (p['status'] as { podIP?: string }).podIP,
    );
    b.add({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: b.meta('Endpoints', svc.metadata.namespace, svc.metadata.name, '1d', {
        labels: { app: svc.metadata.name },
      }),
      ...(ready.length + notReady.length > 0
        ? {
            subsets: [
              {
                ...(ready.length > 0 ? { addresses: ready.map(addr) } : {}),
                ...(notReady.length > 0 ? { notReadyAddresses: notReady.map(addr) } : {}),
                ports: spec.ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: 'TCP' })),
              },
            ],
          }
        : {}),
    });
    // The EndpointSlice the EndpointSlice controller keeps beside it (discovery.k8s.io/v1): what
    // kube-proxy and the health checks read; one endpoint per matched pod, with its conditions.
    const sliced = [...ready, ...notReady];
    b.add({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: b.meta(
        'EndpointSlice',
        svc.metadata.namespace,
        `${svc.metadata.name}-${suffix(`slice:${svc.metadata.namespace}/${svc.metadata.name}`)}`,
        '1d',
        {
          labels: {
            'kubernetes.io/service-name': svc.metadata.name,
            'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          },
          ownerReferences: [b.ownerRef(svc)],
        },
      ),
      addressType: 'IPv4',
      endpoints: sliced.map((p) => {
        const isReadyPod = isReady(p);
        return {
          addresses: [(p['status'] as { podIP?: string }).podIP],
          conditions: { ready: isReadyPod, serving: isReadyPod, terminating: false },
          nodeName: (p as PodLike).spec?.nodeName,
          targetRef: {
            kind: 'Pod',
            namespace: p.metadata.namespace,
            name: p.metadata.name,
            uid: p.metadata.uid,
          },
        };
      }),
      ports: spec.ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: 'TCP' })),
    });
  }

  // ResourceQuota status.used from the pods that count (non-terminal).
  for (const q of b.objects.filter((o) => o.kind === 'ResourceQuota')) {
    const inNs = pods.filter((p) => p.metadata.namespace === q.metadata.namespace && active(p));
    let rc = 0;
    let rm = 0;
    let lc = 0;
    let lm = 0;
    for (const p of inNs) {
      for (const c of (p as PodLike).spec?.containers ?? []) {
        rc += cpuCores(c.resources?.requests?.['cpu'] ?? '0');
        rm += memBytes(c.resources?.requests?.['memory'] ?? '0');
        lc += cpuCores(c.resources?.limits?.['cpu'] ?? '0');
        lm += memBytes(c.resources?.limits?.['memory'] ?? '0');
      }
    }
    const status = q['status'] as { hard: Record<string, string>; used: Record<string, string> };
    status.used = {
      'limits.cpu': `${Math.round(lc * 1000)}m`,
      'limits.memory': `${Math.round(lm / 1024 ** 2)}Mi`,
      pods: String(inNs.length),
      'requests.cpu': `${Math.round(rc * 1000)}m`,
      'requests.memory': `${Math.round(rm / 1024 ** 2)}Mi`,
    };
  }

  // Nodes with the images their pods use (plus a few cached ones), conditions and taints.
  const metricsByNode = new Map<string, { cpu: number; mem: number }>();
  for (const m of b.objects.filter((o) => o.kind === 'PodMetrics')) {
    const pod = pods.find(
      (p) => p.metadata.namespace === m.metadata.namespace && p.metadata.name === m.metadata.name,
    );
    const node = (pod as PodLike | undefined)?.spec?.nodeName;
    if (!node) continue;
    const acc = metricsByNode.get(node) ?? { cpu: 0, mem: 0 };
    for (const c of m['containers'] as Array<{ usage: { cpu: string; memory: string } }>) {
      acc.cpu += cpuCores(c.usage.cpu);
      acc.mem += memBytes(c.usage.memory);
    }
    metricsByNode.set(node, acc);
  }
  // Node sizes: a large first node, a small second one, the NotReady third one.
  const sizes: Record<string, { type: string; cpu: string; alloc: string; mem: string; allocMem: string }> = {
    'eco-node-1': {
      type: 'eco.standard-16',
      cpu: '16',
      alloc: '15800m',
      mem: '65842044Ki',
      allocMem: '64691068Ki',
    },
    'eco-node-2': {
      type: 'eco.standard-8',
      cpu: '8',
      alloc: '7800m',
      mem: '16393220Ki',
      allocMem: '15242244Ki',
    },
    'eco-node-3': {
      type: 'eco.standard-4',
      cpu: '4',
      alloc: '3800m',
      mem: '16393220Ki',
      allocMem: '15242244Ki',
    },
  };
  for (const [i, node] of NODES.entries()) {
    const size = sizes[node] as (typeof sizes)[string];
    const images = new Set<string>();
    for (const p of pods)
      if ((p as PodLike).spec?.nodeName === node)
        for (const c of (p as PodLike).spec?.containers ?? []) images.add(c.image);
    images.add('registry.k8s.io/pause:3.10');
    if (node === 'eco-node-2') {
      images.add(`${REG}/shop/storefront:3.7.9`);
      images.add(`${REG}/analytics/report-builder:2.3.0`);
    }
    const notReady = node === NOT_READY_NODE;
    const memoryPressure = node === 'eco-node-2';
    const heartbeat = notReady ? b.ts('45m') : b.ts('20s');
    const cond = (
      type: string,
      status: string,
      reason: string,
      message: string,
      since: string,
    ): Record<string, unknown> => ({
      type,
      status,
      lastHeartbeatTime: heartbeat,
      lastTransitionTime: b.ts(since),
      reason,
      message,
    });
    const conditions = notReady
      ? [
          cond(
            'MemoryPressure',
            'Unknown',
            'NodeStatusUnknown',
            'Kubelet stopped posting node status.',
            '45m',
          ),
          cond('DiskPressure', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', '45m'),
          cond('PIDPressure', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', '45m'),
          cond('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', '45m'),
        ]
      : [
          memoryPressure
            ? cond(
                'MemoryPressure',
                'True',
                'KubeletHasInsufficientMemory',
                'kubelet has insufficient memory available',
                '5d',
              )
            : cond(
                'MemoryPressure',
                'False',
                'KubeletHasSufficientMemory',
                'kubelet has sufficient memory available',
                '120d',
              ),
          cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', '120d'),
          cond(
            'PIDPressure',
            'False',
            'KubeletHasSufficientPID',
            'kubelet has sufficient PID available',
            '120d',
          ),
          cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', '120d'),
        ];
    const taints = notReady
      ? [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: b.ts('44m') },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: b.ts('44m') },
        ]
      : memoryPressure
        ? [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule', timeAdded: b.ts('5d') }]
        : [];
    const kubelet = notReady ? 'v1.32.9' : 'v1.35.0';
    b.add({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: b.meta('Node', undefined, node, '400d', {
        labels: {
          'kubernetes.io/hostname': node,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node.kubernetes.io/instance-type': size.type,
          'topology.kubernetes.io/zone': `zone-${'abc'[i]}`,
          ...(i === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
        },
        annotations: {
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      }),
      spec: {
        podCIDR: `10.244.${i + 1}.0/24`,
        podCIDRs: [`10.244.${i + 1}.0/24`],
        ...(taints.length > 0 ? { taints } : {}),
      },
      status: {
        capacity: {
          cpu: size.cpu,
          'ephemeral-storage': '102626232Ki',
          'hugepages-2Mi': '0',
          memory: size.mem,
          pods: '110',
        },
        allocatable: {
          cpu: size.alloc,
          'ephemeral-storage': '94580335255',
          'hugepages-2Mi': '0',
          memory: size.allocMem,
          pods: '110',
        },
        conditions,
        addresses: [
          { type: 'InternalIP', address: nodeIp(node) },
          { type: 'Hostname', address: node },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: hash(`machine:${node}`).toString('hex').slice(0, 32),
          systemUUID: hash(`system:${node}`).toString('hex').slice(0, 32),
          bootID: hash(`boot:${node}`).toString('hex').slice(0, 32),
          kernelVersion: '6.12.9-eco',
          osImage: 'Debian GNU/Linux 12 (bookworm)',
          containerRuntimeVersion: 'containerd://2.0.2',
          kubeletVersion: kubelet,
          kubeProxyVersion: kubelet,
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
        images: [...images].sort().map((image) => ({
          names: [`${image.replace(/:[^/:]+$/, '')}@sha256:${hash(image).toString('hex')}`, image],
          sizeBytes: imageSize(image),
        })),
      },
    });
    b.add({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: b.meta('Lease', 'kube-node-lease', node, '400d'),
      spec: {
        holderIdentity: node,
        leaseDurationSeconds: 40,
        renewTime: new Date(Date.parse(notReady ? b.ts('45m') : b.ts('8s')))
          .toISOString()
          .replace('Z', '000Z'),
      },
    });
    if (!notReady) {
      const used = metricsByNode.get(node) ?? { cpu: 0, mem: 0 };
      // Pods plus system overhead (kubelet, runtime, page cache); on eco-node-2 the unbounded
      // batch-worker pushes memory to 93% of allocatable (MemoryPressure).
      const allocMem = memBytes(size.allocMem);
      const mem = memoryPressure ? allocMem * 0.93 : used.mem + 1.4 * 1024 ** 3;
      b.add({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'NodeMetrics',
        metadata: { name: node, creationTimestamp: b.ts('0s'), labels: { 'kubernetes.io/hostname': node } },
        timestamp: b.ts('9s'),
        window: '10.062s',
        usage: {
          cpu: nano(used.cpu + 0.21),
          memory: kib(Math.max(mem, used.mem)),
        },
      });
    }
  }
  for (const name of ['kube-controller-manager', 'kube-scheduler']) {
    b.add({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: b.meta('Lease', 'kube-system', name, '400d'),
      spec: {
        holderIdentity: `${NODES[0]}_${suffix(name, 8)}`,
        leaseDurationSeconds: 15,
        renewTime: b.ts('3s').replace('Z', '.000000Z'),
      },
    });
  }
}
