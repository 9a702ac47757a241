// Service and backend shapes the network bots share: ports, targetPorts, Ingress backends.
import type { KubeObject } from '../k8s/types.ts';

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

export interface ServiceSpec {
  type?: string;
  selector?: Record<string, string>;
  ports?: ServicePort[];
  externalTrafficPolicy?: string;
  externalName?: string;
  clusterIP?: string;
}

export function serviceSpec(svc: KubeObject): ServiceSpec {
  return (svc['spec'] as ServiceSpec | undefined) ?? {};
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

/** Every container port a pod declares (init containers as sidecars included). */
export function podPorts(pod: KubeObject): ContainerPort[] {
  const spec = pod['spec'] as
    | { containers?: { ports?: ContainerPort[] }[]; initContainers?: { ports?: ContainerPort[] }[] }
    | undefined;
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].flatMap((c) => c.ports ?? []);
}

/** A Service port as an Ingress or HTTPRoute names it: by number or by name. */
export type PortRef = { number: number } | { name: string };

export function findServicePort(svc: KubeObject, ref: PortRef): ServicePort | undefined {
  const ports = serviceSpec(svc).ports ?? [];
  return 'number' in ref ? ports.find((p) => p.port === ref.number) : ports.find((p) => p.name === ref.name);
}

export function portText(ref: PortRef): string {
  return 'number' in ref ? String(ref.number) : `"${ref.name}"`;
}

export interface IngressBackendRef {
  service: string;
  port: PortRef | undefined;
  /** Where in the Ingress: `defaultBackend` or `rules[0].http.paths[1]`. */
  at: string;
  host?: string;
  path?: string;
}

interface IngressSpec {
  defaultBackend?: { service?: { name?: string; port?: { number?: number; name?: string } } };
  rules?: {
    host?: string;
    http?: {
      paths?: {
        path?: string;
        pathType?: string;
        backend?: { service?: { name?: string; port?: { number?: number; name?: string } } };
      }[];
    };
  }[];
  tls?: { hosts?: string[]; secretName?: string }[];
  ingressClassName?: string;
}

export function ingressSpec(ing: KubeObject): IngressSpec {
  return (ing['spec'] as IngressSpec | undefined) ?? {};
}

function portRef(port: { number?: number; name?: string } | undefined): PortRef | undefined {
  if (port?.number !== undefined) return { number: port.number };
  if (port?.name !== undefined) return { name: port.name };
  return undefined;
}

/** Every Service backend of an Ingress (resource backends are not Services and are left out). */
export function ingressBackends(ing: KubeObject): IngressBackendRef[] {
  const spec = ingressSpec(ing);
  const out: IngressBackendRef[] = [];
  const def = spec.defaultBackend?.service;
  if (def?.name) out.push({ service: def.name, port: portRef(def.port), at: 'defaultBackend' });
  (spec.rules ?? []).forEach((rule, r) => {
    (rule.http?.paths ?? []).forEach((p, i) => {
      const svc = p.backend?.service;
      if (!svc?.name) return;
      out.push({
        service: svc.name,
        port: portRef(svc.port),
        at: `rules[${r}].http.paths[${i}]`,
        ...(rule.host ? { host: rule.host } : {}),
        path: p.path ?? '/',
      });
    });
  });
  return out;
}

/** `namespace/name` keys of the Services of a list, for existence checks. */
export function serviceIndex(services: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(services.map((s) => [`${s.metadata.namespace ?? ''}/${s.metadata.name}`, s]));
}

/**
 * The problem with one Service backend, or undefined when the Service and port exist (Popeye 1401
 * missing Service, 1402 missing port; kube-score ingress-targets-service).
 */
export function backendProblem(
  services: ReadonlyMap<string, KubeObject>,
  namespace: string,
  service: string,
  port: PortRef | undefined,
): { problem: 'missing-service' } | { problem: 'missing-port'; ports: ServicePort[] } | undefined {
  const svc = services.get(`${namespace}/${service}`);
  if (svc === undefined) return { problem: 'missing-service' };
  if (port === undefined || serviceSpec(svc).type === 'ExternalName') return undefined;
  if (findServicePort(svc, port) === undefined)
    return { problem: 'missing-port', ports: serviceSpec(svc).ports ?? [] };
  return undefined;
}

export type BackendProblem = NonNullable<ReturnType<typeof backendProblem>>;

/**
 * Every Ingress backend whose Service or port does not exist, with the Ingress and its namespace:
 * the one walk the gateway and ingress bots' backend checks share.
 */
export function* ingressBackendProblems(
  ingresses: readonly KubeObject[],
  services: ReadonlyMap<string, KubeObject>,
): Generator<{
  ingress: KubeObject;
  namespace: string;
  backend: IngressBackendRef;
  problem: BackendProblem;
}> {
  for (const ingress of ingresses) {
    const namespace = ingress.metadata.namespace ?? '';
    for (const backend of ingressBackends(ingress)) {
      const problem = backendProblem(services, namespace, backend.service, backend.port);
      if (problem !== undefined) yield { ingress, namespace, backend, problem };
    }
  }
}
