// The hostnames the cluster declares, with the addresses they should resolve to: Ingress rule
// hosts, HTTPRoute hostnames and the external-dns hostname annotation, each with the address in
// its object's status (or external-dns's target annotation), as external-dns itself reads them.
import type { KubeObject, ObjectRef } from '../../shared/index.ts';
import { objectRef, resources } from '../../shared/index.ts';
import { ingressSpec, serviceSpec } from '../../shared/net/index.ts';

export const HOSTNAME_ANNOTATION = 'external-dns.alpha.kubernetes.io/hostname';
export const TARGET_ANNOTATION = 'external-dns.alpha.kubernetes.io/target';

export interface Expected {
  ips: string[];
  hostnames: string[];
}

export interface DeclaredHost {
  host: string;
  object: ObjectRef;
  /** external-dns's resource label for it: `ingress/<ns>/<name>`, `service/...`, `httproute/...`. */
  resource: string;
  expected: Expected;
}

type LbIngress = { ip?: string; hostname?: string }[];

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/\.$/, ''))
    .filter((s) => s !== '');

function expectedFrom(o: KubeObject, lb: LbIngress): Expected {
  const targets = list(o.metadata.annotations?.[TARGET_ANNOTATION]);
  if (targets.length > 0)
    return {
      ips: targets.filter((t) => /^[\d.]+$|:/.test(t)),
      hostnames: targets.filter((t) => !/^[\d.]+$|:/.test(t)),
    };
  return {
    ips: lb.flatMap((i) => (i.ip ? [i.ip] : [])),
    hostnames: lb.flatMap((i) => (i.hostname ? [i.hostname.toLowerCase()] : [])),
  };
}

const lbOf = (o: KubeObject): LbIngress =>
  (o['status'] as { loadBalancer?: { ingress?: LbIngress } } | undefined)?.loadBalancer?.ingress ?? [];

interface GatewayShape {
  status?: { addresses?: { type?: string; value: string }[] };
}
interface RouteShape {
  spec?: { hostnames?: string[]; parentRefs?: { name: string; namespace?: string; kind?: string }[] };
}

export function declaredHosts(objects: {
  ingresses: readonly KubeObject[];
  services: readonly KubeObject[];
  httproutes: readonly KubeObject[];
  gateways: readonly KubeObject[];
}): DeclaredHost[] {
  const out: DeclaredHost[] = [];
  const add = (host: string, o: KubeObject, kind: string, ref: ObjectRef, expected: Expected): void => {
    const h = host.toLowerCase().replace(/\.$/, '');
    // A wildcard host is a pattern, not a name to resolve.
    if (
      h.startsWith('*') ||
      out.some((d) => d.host === h && d.resource === `${kind}/${ref.namespace}/${ref.name}`)
    )
      return;
    out.push({
      host: h,
      object: ref,
      resource: `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`,
      expected,
    });
  };
  for (const ing of objects.ingresses) {
    const ref = objectRef(ing, resources.ingresses);
    const expected = expectedFrom(ing, lbOf(ing));
    for (const r of ingressSpec(ing).rules ?? []) if (r.host) add(r.host, ing, 'ingress', ref, expected);
    for (const h of list(ing.metadata.annotations?.[HOSTNAME_ANNOTATION]))
      add(h, ing, 'ingress', ref, expected);
  }
  for (const svc of objects.services) {
    const names = list(svc.metadata.annotations?.[HOSTNAME_ANNOTATION]);
    if (names.length === 0) continue;
    const ref = objectRef(svc, resources.services);
    // external-dns publishes a LoadBalancer's status address; a ClusterIP Service its cluster IP.
    const spec = serviceSpec(svc);
    const lb =
      spec.type === 'LoadBalancer'
        ? lbOf(svc)
        : spec.clusterIP && spec.clusterIP !== 'None'
          ? [{ ip: spec.clusterIP }]
          : [];
    for (const h of names) add(h, svc, 'service', ref, expectedFrom(svc, lb));
  }
  const gateways = new Map(
    objects.gateways.map((g) => [`${g.metadata.namespace ?? ''}/${g.metadata.name}`, g]),
  );
  for (const route of objects.httproutes) {
    const spec = (route as RouteShape).spec ?? {};
    const ref: ObjectRef = {
      apiVersion: route.apiVersion ?? 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      namespace: route.metadata.namespace ?? '',
      name: route.metadata.name,
    };
    const addresses = (spec.parentRefs ?? [])
      .filter((p) => (p.kind ?? 'Gateway') === 'Gateway')
      .flatMap(
        (p) =>
          (
            gateways.get(`${p.namespace ?? route.metadata.namespace ?? ''}/${p.name}`) as
              GatewayShape | undefined
          )?.status?.addresses ?? [],
      );
    const expected = expectedFrom(
      route,
      addresses.map((a) => (a.type === 'Hostname' ? { hostname: a.value } : { ip: a.value })),
    );
    for (const h of spec.hostnames ?? []) add(h, route, 'httproute', ref, expected);
  }
  return out;
}
