import { DEFAULT_DOMAIN, namespaceLabels } from './platform.ts';
import { TIERS, cpuMillis, memoryBytes } from './tiers.ts';
import { DEPLOY, fleetLabels } from './types.ts';
import type { Fleet, GeneratedFile, Manifest } from './types.ts';
import { yamlFile } from './yaml.ts';

export const NAMESPACE_PATHS = {
  fleet: `deploy/namespace/${DEPLOY.namespace}.yml`,
  openfaas: `deploy/namespace/${DEPLOY.functionNamespace}.yml`,
} as const;

/** Namespaces allowed to call the bots: gateways, Knative's activator/ingress/broker, Prometheus. */
export const INGRESS_NAMESPACES = [
  'openfaas',
  'knative-serving',
  'knative-eventing',
  'kourier-system',
  DEPLOY.monitoringNamespace,
];
/** Namespaces the bots may call: the broker (K_SINK), the OpenFaaS gateway, Prometheus/Alertmanager. */
export const EGRESS_NAMESPACES = ['openfaas', 'knative-eventing', DEPLOY.monitoringNamespace];

function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

function millicores(millis: number): string {
  return `${Math.ceil(millis)}m`;
}

/**
 * The quota follows the fleet: every bot at one replica, twice over (rollouts surge, a few scale
 * out), so adding a bot grows it. Pods: each bot's max scale plus one surge pod.
 */
export function fleetQuota(fleet: Fleet): Record<string, string> {
  let reqCpu = 0;
  let reqMem = 0;
  let limCpu = 0;
  let limMem = 0;
  let pods = 0;
  for (const bot of fleet.bots) {
    const tier = TIERS[bot.tier];
    reqCpu += cpuMillis(tier.requests.cpu);
    reqMem += memoryBytes(tier.requests.memory);
    limCpu += cpuMillis(tier.limits.cpu);
    limMem += memoryBytes(tier.limits.memory);
    pods += tier.maxScale + 1;
  }
  return {
    'requests.cpu': millicores(Math.max(reqCpu * 2, 1000)),
    'requests.memory': mebibytes(Math.max(reqMem * 2, 2 ** 30)),
    'limits.cpu': millicores(Math.max(limCpu * 2, 2000)),
    'limits.memory': mebibytes(Math.max(limMem * 2, 2 * 2 ** 30)),
    pods: String(Math.max(pods, 10)),
  };
}

function byName(names: readonly string[]): Record<string, unknown> {
  return {
    namespaceSelector: {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...names] }],
    },
  };
}

/** Default deny, then exactly the flows the fleet needs (the seed's eco-namespace-setup). */
export function networkPolicies(namespace: string): Manifest[] {
  const labels = fleetLabels('network-policy');
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-all', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-ingress-from-gateways', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [byName(INGRESS_NAMESPACES)] }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-egress-dns', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ ...byName(['kube-system']), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      // The API server is not a pod a selector can name: allow its ports, never the metadata service.
      // Narrow the CIDR to `kubectl get endpoints kubernetes -n default` on your cluster.
      metadata: { name: 'allow-egress-apiserver', namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }],
            ports: [
              { protocol: 'TCP', port: 443 },
              { protocol: 'TCP', port: 6443 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-egress-platform', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [byName(EGRESS_NAMESPACES)] }] },
    },
  ];
}

export function quotaAndLimits(fleet: Fleet, namespace: string): Manifest[] {
  const labels = fleetLabels('namespace');
  const small = TIERS.small;
  const large = TIERS.large;
  return [
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'eco-bots-quota', namespace, labels },
      spec: { hard: fleetQuota(fleet) },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'eco-bots-limits', namespace, labels },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { ...small.limits },
            defaultRequest: { ...small.requests },
            max: { ...large.limits },
            min: { cpu: '10m', memory: '32Mi' },
          },
        ],
      },
    },
  ];
}

export function namespaceFiles(fleet: Fleet): GeneratedFile[] {
  const ns: Manifest = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: DEPLOY.namespace,
      labels: {
        ...fleetLabels('namespace'),
        ...namespaceLabels(fleet.domain ?? DEFAULT_DOMAIN),
        // Knative's SinkBinding webhook only injects K_SINK in namespaces that opt in.
        'bindings.knative.dev/include': 'true',
        // The bots' pods meet "restricted"; Knative's queue-proxy is held to "baseline".
        'pod-security.kubernetes.io/enforce': 'baseline',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
      },
    },
  };
  return [
    {
      path: NAMESPACE_PATHS.fleet,
      content: yamlFile(
        [ns, ...quotaAndLimits(fleet, DEPLOY.namespace), ...networkPolicies(DEPLOY.namespace)],
        [`The fleet's namespace (Knative): quota sized from the bots' tiers, limit range, network policies.`],
      ),
    },
    {
      path: NAMESPACE_PATHS.openfaas,
      content: yamlFile(
        [...quotaAndLimits(fleet, DEPLOY.functionNamespace), ...networkPolicies(DEPLOY.functionNamespace)],
        [`The same guard rails for OpenFaaS's function namespace (it exists once OpenFaaS is installed).`],
      ),
    },
  ];
}
