// Real-shaped objects for the network bots' tests (shapes as the API server returns them).
import type { KubeObject } from '../../../shared/k8s/types.ts';

export const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
  status: { phase: 'Active' },
});

export interface PodOpts {
  labels?: Record<string, string>;
  ports?: { containerPort: number; name?: string }[];
  node?: string;
  phase?: string;
  ready?: boolean;
  hostNetwork?: boolean;
}

export const pod = (namespace: string, name: string, o: PodOpts = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: o.labels ?? {} },
  spec: {
    nodeName: o.node ?? 'node-a',
    ...(o.hostNetwork ? { hostNetwork: true } : {}),
    containers: [{ name: 'main', image: 'nginx:1.27', ...(o.ports ? { ports: o.ports } : {}) }],
  },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    podIP: '10.244.0.10',
  },
});

export interface SvcOpts {
  selector?: Record<string, string>;
  ports?: { port: number; targetPort?: number | string; name?: string; nodePort?: number }[];
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  externalTrafficPolicy?: 'Cluster' | 'Local';
  lb?: { ip?: string; hostname?: string }[];
  created?: string;
  annotations?: Record<string, string>;
}

export const svc = (namespace: string, name: string, o: SvcOpts = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name,
    namespace,
    creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
    ...(o.annotations ? { annotations: o.annotations } : {}),
  },
  spec: {
    type: o.type ?? 'ClusterIP',
    ...(o.selector ? { selector: o.selector } : {}),
    ports: (o.ports ?? [{ port: 80, targetPort: 8080 }]).map((p) => ({ protocol: 'TCP', ...p })),
    ...(o.externalTrafficPolicy ? { externalTrafficPolicy: o.externalTrafficPolicy } : {}),
  },
  status: { loadBalancer: o.lb ? { ingress: o.lb } : {} },
});

export const policy = (namespace: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, generation: 1 },
  spec,
});

export interface IngressOpts {
  rules: { host?: string; paths: { path?: string; service: string; port: number | string }[] }[];
  tls?: { hosts: string[]; secretName: string }[];
  lb?: { ip?: string; hostname?: string }[];
  className?: string;
}

export const ingress = (namespace: string, name: string, o: IngressOpts): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace, generation: 1 },
  spec: {
    ingressClassName: o.className ?? 'nginx',
    ...(o.tls ? { tls: o.tls } : {}),
    rules: o.rules.map((r) => ({
      ...(r.host ? { host: r.host } : {}),
      http: {
        paths: r.paths.map((p) => ({
          path: p.path ?? '/',
          pathType: 'Prefix',
          backend: {
            service: {
              name: p.service,
              port: typeof p.port === 'number' ? { number: p.port } : { name: p.port },
            },
          },
        })),
      },
    })),
  },
  status: { loadBalancer: o.lb ? { ingress: o.lb } : {} },
});

/** A snapshot as takeSnapshot returns it, for calling checks directly. */
export function snapshotOf<K extends string>(
  objects: Record<K, KubeObject[]>,
  extra: { failed?: K[]; missing?: K[] } = {},
) {
  return {
    objects,
    missing: new Set<K>(extra.missing ?? []),
    failed: new Set<K>(extra.failed ?? []),
    errors: [],
    findings: [],
    takenAt: new Date('2026-06-01T12:00:00Z'),
  };
}
