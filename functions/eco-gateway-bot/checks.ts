// The gateway bot's checks: Gateway API HTTPRoutes (backends exist, accepted by their parents),
// Ingress backends (Popeye 1401/1402), and the OpenFaaS gateway's functions against stack.yml.
import {
  check,
  resources,
  type KubeObject,
  type ObjectRef,
  type ResourceType,
  type Snapshot,
} from '../../shared/index.ts';
import { backendProblem, ingressBackendProblems, portText, serviceIndex } from '../../shared/net/index.ts';
import { normalizeImage, type DeclaredFunction, type DeployedFunction } from './openfaas.ts';

const gw = (plural: string, kind: string): ResourceType => ({
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural,
  kind,
  namespaced: true,
});
export const KINDS = {
  httproutes: gw('httproutes', 'HTTPRoute'),
  ingresses: resources.ingresses,
  services: resources.services,
};

export type Snap = Snapshot<typeof KINDS> & {
  /** The namespace a scoped run read (Services of other namespaces were not read). */
  readonly namespace?: string;
  /** The OpenFaaS comparison, when OPENFAAS_URL and the stack file are set and the gateway answered. */
  readonly functions?: {
    deployed: readonly DeployedFunction[];
    /** Undefined when no stack file is configured: only availability is judged. */
    declared?: readonly DeclaredFunction[];
    namespace: string;
  };
};

export interface Settings {
  /** A route younger than this without status is still being processed (ms). */
  statusGraceMs: number;
}

interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}
interface RouteShape {
  spec?: { rules?: { backendRefs?: BackendRef[] }[]; parentRefs?: { name: string; namespace?: string }[] };
  status?: {
    parents?: {
      parentRef: { name: string; namespace?: string };
      controllerName?: string;
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
    }[];
  };
}

const routeRef = (r: KubeObject): ObjectRef => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  namespace: r.metadata.namespace ?? '',
  name: r.metadata.name,
});

export const routeMissingBackend = check<Snap, Settings>({
  id: 'gateway.route-missing-backend',
  severity: 'critical',
  title: 'HTTPRoute backendRefs to Services or ports that do not exist',
  anchor: 'Popeye 1401/1402 applied to Gateway API backendRefs',
  *run(snap) {
    if (snap.failed.has('services')) return;
    const services = serviceIndex(snap.objects.services);
    for (const route of snap.objects.httproutes) {
      const ns = route.metadata.namespace ?? '';
      for (const [r, rule] of ((route as RouteShape).spec?.rules ?? []).entries()) {
        for (const [i, b] of (rule.backendRefs ?? []).entries()) {
          // Only core Services: other kinds (ServiceImport, a mesh's own) are judged by their controller.
          if ((b.group ?? '') !== '' || (b.kind ?? 'Service') !== 'Service') continue;
          const target = b.namespace ?? ns;
          // A scoped run read only its namespace's Services: a cross-namespace ref is not judged.
          if (snap.namespace !== undefined && target !== snap.namespace) continue;
          const port = b.port === undefined ? undefined : { number: b.port };
          const p = backendProblem(services, target, b.name, port);
          if (p === undefined) continue;
          yield {
            object: routeRef(route),
            discriminator: `rules[${r}].backendRefs[${i}]`,
            message:
              p.problem === 'missing-service'
                ? `HTTPRoute ${ns}/${route.metadata.name} sends traffic to Service ${target}/${b.name}, which does not exist`
                : `HTTPRoute ${ns}/${route.metadata.name} uses port ${portText(port ?? { number: 0 })} of Service ${target}/${b.name}, which has no such port`,
            evidence: {
              at: `rules[${r}].backendRefs[${i}]`,
              service: `${target}/${b.name}`,
              port: b.port ?? null,
              problem: p.problem,
            },
            fix:
              p.problem === 'missing-service'
                ? `Create Service ${target}/${b.name} or fix the backendRef`
                : 'Use a port the Service declares',
          };
        }
      }
    }
  },
});

export const routeNotAccepted = check<Snap, Settings>({
  id: 'gateway.route-not-accepted',
  severity: 'critical',
  title: 'HTTPRoutes a parent Gateway did not accept (or whose references did not resolve)',
  anchor: 'Gateway API route status conditions (Accepted, ResolvedRefs)',
  *run(snap, settings, now) {
    for (const route of snap.objects.httproutes) {
      const shape = route as RouteShape;
      const parents = shape.status?.parents ?? [];
      const ns = route.metadata.namespace ?? '';
      if (parents.length === 0) {
        const age = now.getTime() - Date.parse(route.metadata.creationTimestamp ?? '');
        if (!(age > settings.statusGraceMs)) continue;
        yield {
          object: routeRef(route),
          discriminator: 'no-status',
          severity: 'warning',
          message: `HTTPRoute ${ns}/${route.metadata.name} has no status from any Gateway: no controller has attached it`,
          evidence: { parentRefs: shape.spec?.parentRefs ?? [], ageMinutes: Math.floor(age / 60_000) },
          fix: 'Check the parentRefs name an existing Gateway whose listeners allow routes from this namespace',
        };
        continue;
      }
      for (const p of parents) {
        for (const c of p.conditions ?? []) {
          if ((c.type !== 'Accepted' && c.type !== 'ResolvedRefs') || c.status !== 'False') continue;
          yield {
            object: routeRef(route),
            discriminator: `${p.parentRef.namespace ?? ns}/${p.parentRef.name} ${c.type}`,
            message: `HTTPRoute ${ns}/${route.metadata.name} is ${c.type === 'Accepted' ? 'not accepted' : 'not fully resolved'} by Gateway ${p.parentRef.name}: ${c.reason ?? 'no reason'}${c.message ? ` (${c.message})` : ''}`,
            evidence: {
              gateway: p.parentRef.name,
              condition: c.type,
              reason: c.reason ?? null,
              controller: p.controllerName ?? null,
            },
            fix:
              c.type === 'Accepted'
                ? 'Fix what the reason names (listener hostname, allowedRoutes, sectionName)'
                : 'Fix the backendRefs (missing Service, or a cross-namespace ref without a ReferenceGrant)',
          };
        }
      }
    }
  },
});

export const ingressMissingBackend = check<Snap, Settings>({
  id: 'gateway.ingress-missing-backend',
  severity: 'critical',
  title: 'Ingress backends (Service and port) that do not exist',
  anchor: 'Popeye 1401/1402',
  *run(snap) {
    if (snap.failed.has('services')) return;
    const services = serviceIndex(snap.objects.services);
    for (const { ingress: ing, namespace: ns, backend: b, problem: p } of ingressBackendProblems(
      snap.objects.ingresses,
      services,
    )) {
      yield {
        object: ing,
        type: resources.ingresses,
        discriminator: b.at,
        message:
          p.problem === 'missing-service'
            ? `Ingress ${ns}/${ing.metadata.name} routes to Service ${b.service}, which does not exist`
            : `Ingress ${ns}/${ing.metadata.name} routes to port ${portText(b.port ?? { number: 0 })} of Service ${b.service}, which has no such port`,
        evidence: { at: b.at, service: b.service, problem: p.problem },
        fix: `Point the rule at an existing Service and port (kubectl get svc -n ${ns})`,
      };
    }
  },
});

const fnRef = (name: string, namespace: string): ObjectRef => ({
  apiVersion: 'openfaas.com/v1',
  kind: 'Function',
  namespace,
  name,
});

export const functionMissing = check<Snap, Settings>({
  id: 'gateway.function-missing',
  severity: 'critical',
  title: 'functions stack.yml declares that the OpenFaaS gateway does not serve',
  anchor: 'faas-cli deploy -f stack.yml (declared = deployed)',
  *run(snap) {
    const f = snap.functions;
    if (f?.declared === undefined) return;
    const deployed = new Set(f.deployed.map((d) => d.name));
    for (const d of f.declared) {
      if (deployed.has(d.name)) continue;
      yield {
        object: fnRef(d.name, f.namespace),
        message: `function ${d.name} is in stack.yml but not deployed on the OpenFaaS gateway`,
        evidence: { declaredImage: d.image },
        fix: `faas-cli deploy -f stack.yml --filter ${d.name}`,
      };
    }
  },
});

export const functionExtra = check<Snap, Settings>({
  id: 'gateway.function-extra',
  severity: 'info',
  title: 'functions deployed on the gateway that stack.yml does not declare',
  anchor: 'faas-cli deploy -f stack.yml (declared = deployed)',
  *run(snap) {
    const f = snap.functions;
    if (f?.declared === undefined) return;
    const declared = new Set(f.declared.map((d) => d.name));
    for (const d of f.deployed) {
      if (declared.has(d.name)) continue;
      yield {
        object: fnRef(d.name, d.namespace ?? f.namespace),
        message: `function ${d.name} runs on the OpenFaaS gateway but is not in stack.yml`,
        evidence: { image: d.image, replicas: d.replicas ?? null },
        fix: `Add it to stack.yml, or remove it: faas-cli remove ${d.name}`,
      };
    }
  },
});

export const functionImage = check<Snap, Settings>({
  id: 'gateway.function-image',
  severity: 'warning',
  title: 'deployed functions running another image than stack.yml declares',
  anchor: 'faas-cli deploy -f stack.yml (declared = deployed)',
  *run(snap) {
    const f = snap.functions;
    if (f?.declared === undefined) return;
    const declared = new Map(f.declared.map((d) => [d.name, d.image]));
    for (const d of f.deployed) {
      const want = declared.get(d.name);
      if (want === undefined || normalizeImage(want) === normalizeImage(d.image)) continue;
      yield {
        object: fnRef(d.name, d.namespace ?? f.namespace),
        message: `function ${d.name} runs ${d.image}, stack.yml declares ${want}`,
        evidence: { deployedImage: d.image, declaredImage: want },
        fix: `faas-cli deploy -f stack.yml --filter ${d.name} (or update stack.yml if the running image is the right one)`,
      };
    }
  },
});

export const functionUnavailable = check<Snap, Settings>({
  id: 'gateway.function-unavailable',
  severity: 'warning',
  title: 'functions with replicas wanted but none available',
  anchor: 'OpenFaaS FunctionStatus replicas / availableReplicas',
  *run(snap) {
    const f = snap.functions;
    if (f === undefined) return;
    for (const d of f.deployed) {
      // Scaled to zero (replicas 0) is normal for these functions; wanted but none ready is not.
      if ((d.replicas ?? 0) === 0 || (d.availableReplicas ?? 0) > 0) continue;
      yield {
        object: fnRef(d.name, d.namespace ?? f.namespace),
        message: `function ${d.name} wants ${d.replicas} replica(s) but none is available: invocations fail or wait`,
        evidence: { replicas: d.replicas, availableReplicas: d.availableReplicas ?? 0 },
        fix: `kubectl -n ${d.namespace ?? f.namespace} describe deploy ${d.name} (image pull, probes, resources)`,
      };
    }
  },
});

export const CHECKS = [
  routeMissingBackend,
  routeNotAccepted,
  ingressMissingBackend,
  functionMissing,
  functionExtra,
  functionImage,
  functionUnavailable,
];
