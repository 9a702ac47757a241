// The ingress bot's checks: Popeye's Ingress linter (1401 missing Service, 1402 missing port),
// kube-score ingress-targets-service, unique host+path, and TLS Secrets read as X.509 with
// cert-manager's renewal window.
import { check, resources, type KubeObject, type ObjectRef, type Snapshot } from '../../shared/index.ts';
import {
  ingressBackendProblems,
  ingressBackends,
  ingressSpec,
  portText,
  serviceIndex,
} from '../../shared/net/index.ts';
import { brokenLink, covers, dnsNames, effectiveNotAfter, type CertBundle } from './certs.ts';

export const KINDS = { ingresses: resources.ingresses, services: resources.services };

/** A TLS Secret an Ingress names, as read (by `get`, one per referenced Secret). */
export type TlsSecret =
  | { state: 'missing' }
  | { state: 'unreadable' }
  | { state: 'read'; secret: KubeObject; bundle?: CertBundle; problem?: string };

export type Snap = Snapshot<typeof KINDS> & {
  /** `namespace/name` of every Secret an Ingress's tls names. */
  readonly tls: ReadonlyMap<string, TlsSecret>;
};

export interface Settings {
  /** Days before notAfter from which a certificate is reported (cert-manager: 30 of 90 days). */
  renewDays: number;
  /** Remaining days under which an expiring certificate is critical. */
  criticalDays: number;
}

const DAY = 86_400_000;

const secretRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'v1',
  kind: 'Secret',
  namespace,
  name,
});

/** Each (Ingress, tls entry) pair with the Secret read for it. */
function* tlsEntries(snap: Snap) {
  for (const ing of snap.objects.ingresses) {
    const ns = ing.metadata.namespace ?? '';
    for (const [i, t] of (ingressSpec(ing).tls ?? []).entries()) {
      // No secretName: the controller's default certificate serves these hosts; nothing to read.
      if (!t.secretName) continue;
      yield {
        ing,
        ns,
        index: i,
        hosts: t.hosts ?? [],
        name: t.secretName,
        read: snap.tls.get(`${ns}/${t.secretName}`),
      };
    }
  }
}

/** Popeye 1401, kube-score ingress-targets-service. */
export const missingService = check<Snap, Settings>({
  id: 'ingress.missing-service',
  severity: 'critical',
  title: 'Ingress rules whose backend Service does not exist',
  anchor: 'Popeye 1401, kube-score ingress-targets-service',
  *run(snap) {
    if (snap.failed.has('services')) return;
    const services = serviceIndex(snap.objects.services);
    for (const { ingress: ing, namespace: ns, backend: b, problem } of ingressBackendProblems(
      snap.objects.ingresses,
      services,
    )) {
      if (problem.problem !== 'missing-service') continue;
      yield {
        object: ing,
        type: resources.ingresses,
        discriminator: b.at,
        message: `Ingress ${ns}/${ing.metadata.name} sends ${b.host ?? '*'}${b.path ?? ''} to Service ${b.service}, which does not exist`,
        evidence: {
          at: b.at,
          service: b.service,
          ...(b.host ? { host: b.host } : {}),
          ...(b.path ? { path: b.path } : {}),
        },
        fix: `Create Service ${ns}/${b.service} or point the rule at an existing one (kubectl get svc -n ${ns})`,
      };
    }
  },
});

/** Popeye 1402. */
export const missingPort = check<Snap, Settings>({
  id: 'ingress.missing-port',
  severity: 'critical',
  title: 'Ingress rules whose backend Service has no such port',
  anchor: 'Popeye 1402',
  *run(snap) {
    if (snap.failed.has('services')) return;
    const services = serviceIndex(snap.objects.services);
    for (const { ingress: ing, namespace: ns, backend: b, problem: p } of ingressBackendProblems(
      snap.objects.ingresses,
      services,
    )) {
      if (p.problem !== 'missing-port' || b.port === undefined) continue;
      yield {
        object: ing,
        type: resources.ingresses,
        discriminator: b.at,
        message: `Ingress ${ns}/${ing.metadata.name} uses port ${portText(b.port)} of Service ${b.service}, which has no such port`,
        evidence: {
          at: b.at,
          service: b.service,
          port: b.port,
          servicePorts: p.ports.map((sp) => ({ name: sp.name, port: sp.port })),
        },
        fix: `Use one of the Service's ports (${p.ports.map((sp) => sp.name ?? sp.port).join(', ')}) in the Ingress`,
      };
    }
  },
});

/** Anchors' "unique host and path" rule (Kyverno/Botkube ingress recommendations). */
export const duplicatePath = check<Snap, Settings>({
  id: 'ingress.duplicate-path',
  severity: 'warning',
  title: 'the same host and path in several Ingresses of one class',
  anchor: 'Ingress unique host+path (anchors: Ingress / API gateway)',
  *run(snap) {
    const owners = new Map<string, { ing: KubeObject; at: string }[]>();
    for (const ing of snap.objects.ingresses) {
      const cls = ingressSpec(ing).ingressClassName ?? '(default)';
      for (const b of ingressBackends(ing)) {
        if (b.path === undefined) continue;
        const key = `${cls} ${b.host ?? '*'} ${b.path}`;
        const list = owners.get(key) ?? [];
        if (!list.some((e) => e.ing === ing)) list.push({ ing, at: b.at });
        owners.set(key, list);
      }
    }
    for (const [key, list] of owners) {
      if (list.length < 2) continue;
      const [cls, host, path] = key.split(' ');
      for (const { ing, at } of list) {
        const others = list
          .filter((e) => e.ing !== ing)
          .map((e) => `${e.ing.metadata.namespace}/${e.ing.metadata.name}`);
        yield {
          object: ing,
          type: resources.ingresses,
          discriminator: `${host} ${path}`,
          message: `Ingress ${ing.metadata.namespace}/${ing.metadata.name} routes ${host}${path}, as ${others.join(', ')} also do${others.length === 1 ? 'es' : ''}: which one wins depends on the controller`,
          evidence: { ingressClass: cls, host, path, at, alsoIn: others },
          fix: 'Keep each host+path in one Ingress (merge the rules or change one path)',
        };
      }
    }
  },
});

export const tlsSecretMissing = check<Snap, Settings>({
  id: 'ingress.tls-secret-missing',
  severity: 'critical',
  title: 'Ingress TLS entries naming a Secret that does not exist',
  anchor: 'Botkube ingress recommendation (TLS Secret exists)',
  *run(snap) {
    for (const e of tlsEntries(snap)) {
      if (e.read?.state !== 'missing') continue;
      yield {
        object: e.ing,
        type: resources.ingresses,
        discriminator: `tls[${e.index}]`,
        message: `Ingress ${e.ns}/${e.ing.metadata.name} serves ${e.hosts.join(', ') || 'its hosts'} with TLS Secret ${e.name}, which does not exist: clients get the controller's default certificate`,
        evidence: { secret: e.name, hosts: e.hosts },
        fix: `Create the kubernetes.io/tls Secret ${e.ns}/${e.name} (or the cert-manager Certificate that issues it)`,
      };
    }
  },
});

export const tlsSecretInvalid = check<Snap, Settings>({
  id: 'ingress.tls-secret-invalid',
  severity: 'critical',
  title: 'TLS Secrets that are not kubernetes.io/tls or hold no readable certificate',
  anchor: 'cert-manager Secret format (kubernetes.io/tls with tls.crt, tls.key)',
  *run(snap) {
    const seen = new Set<string>();
    for (const e of tlsEntries(snap)) {
      if (e.read?.state !== 'read' || e.read.problem === undefined || seen.has(`${e.ns}/${e.name}`)) continue;
      seen.add(`${e.ns}/${e.name}`);
      yield {
        object: secretRef(e.ns, e.name),
        message: `Secret ${e.ns}/${e.name} used by Ingress ${e.ing.metadata.name} is unusable for TLS: ${e.read.problem}`,
        evidence: {
          type: (e.read.secret['type'] as string | undefined) ?? 'Opaque',
          problem: e.read.problem,
        },
        fix: `Recreate it: kubectl create secret tls ${e.name} -n ${e.ns} --cert=fullchain.pem --key=key.pem`,
      };
    }
  },
});

export const certHostMismatch = check<Snap, Settings>({
  id: 'ingress.cert-host-mismatch',
  severity: 'critical',
  title: 'certificates that do not cover a host their Ingress serves with them',
  anchor: 'RFC 6125 host check (X509Certificate.checkHost)',
  *run(snap) {
    for (const e of tlsEntries(snap)) {
      if (e.read?.state !== 'read' || e.read.bundle === undefined) continue;
      const leaf = e.read.bundle.leaf;
      for (const host of e.hosts) {
        if (covers(leaf, host)) continue;
        yield {
          object: secretRef(e.ns, e.name),
          discriminator: `${e.ing.metadata.name} ${host}`,
          message: `the certificate in Secret ${e.ns}/${e.name} does not cover ${host}, which Ingress ${e.ing.metadata.name} serves with it: browsers refuse the connection`,
          evidence: {
            host,
            ingress: e.ing.metadata.name,
            dnsNames: dnsNames(leaf),
            subject: leaf.subject.replace(/\n/g, ', '),
          },
          fix: `Issue a certificate whose SANs include ${host} (cert-manager: add it to the Certificate's dnsNames)`,
        };
      }
    }
  },
});

export const certChainBroken = check<Snap, Settings>({
  id: 'ingress.cert-chain-broken',
  severity: 'warning',
  title: 'certificate bundles whose chain is out of order or mixes chains',
  anchor: 'RFC 5246 7.4.2 certificate_list order (X509Certificate.checkIssued/verify)',
  *run(snap) {
    const seen = new Set<string>();
    for (const e of tlsEntries(snap)) {
      if (e.read?.state !== 'read' || e.read.bundle === undefined || seen.has(`${e.ns}/${e.name}`)) continue;
      seen.add(`${e.ns}/${e.name}`);
      const broken = brokenLink(e.read.bundle);
      if (broken === undefined) continue;
      yield {
        object: secretRef(e.ns, e.name),
        message: `certificate ${broken.index + 1} in Secret ${e.ns}/${e.name} is not issued by the next one in tls.crt: clients that need the chain fail`,
        evidence: {
          index: broken.index,
          subject: broken.subject.replace(/\n/g, ', '),
          next: broken.issuer.replace(/\n/g, ', '),
          certificates: e.read.bundle.certs.length,
        },
        fix: 'Put the leaf first, then each intermediate in order (the full chain your CA issued)',
      };
    }
  },
});

/** The cert bundles to judge for expiry, once per Secret. */
function* bundles(snap: Snap) {
  const seen = new Set<string>();
  for (const e of tlsEntries(snap)) {
    if (e.read?.state !== 'read' || e.read.bundle === undefined || seen.has(`${e.ns}/${e.name}`)) continue;
    seen.add(`${e.ns}/${e.name}`);
    yield { ...e, bundle: e.read.bundle };
  }
}

export const certExpired = check<Snap, Settings>({
  id: 'ingress.cert-expired',
  severity: 'critical',
  title: 'TLS certificates past their notAfter',
  anchor: 'cert-manager / k8s-cleaner expired-cert example',
  *run(snap, _settings, now) {
    for (const e of bundles(snap)) {
      const end = effectiveNotAfter(e.bundle);
      if (end.at > now) continue;
      const days = Math.round((now.getTime() - end.at.getTime()) / DAY);
      yield {
        object: secretRef(e.ns, e.name),
        message: `the certificate in Secret ${e.ns}/${e.name} (${e.hosts.join(', ') || e.ing.metadata.name}) expired ${days} day(s) ago`,
        evidence: { notAfter: end.at.toISOString(), expiredDays: days, subject: end.subject, hosts: e.hosts },
        fix: 'Renew it now (cert-manager: kubectl cert-manager renew, or check the Certificate/Order status for why it did not renew)',
      };
    }
  },
});

export const certExpiring = check<Snap, Settings>({
  id: 'ingress.cert-expiring',
  severity: 'warning',
  title: "TLS certificates inside the renewal window (30 days, or a third of a shorter certificate's life)",
  anchor: 'cert-manager renewBefore: 30 d of 90 d (2/3 of the lifetime)',
  *run(snap, settings, now) {
    for (const e of bundles(snap)) {
      const end = effectiveNotAfter(e.bundle);
      if (end.at <= now) continue;
      const lifetime = end.at.getTime() - new Date(e.bundle.leaf.validFrom).getTime();
      // cert-manager renews at two thirds of the lifetime (30 of 90 days); a certificate still here
      // inside that window was not renewed when it should have been.
      const window = Math.min(settings.renewDays * DAY, lifetime / 3);
      const remaining = end.at.getTime() - now.getTime();
      if (remaining >= window) continue;
      const days = Math.round(remaining / DAY);
      yield {
        object: secretRef(e.ns, e.name),
        severity: days < settings.criticalDays ? 'critical' : 'warning',
        message: `the certificate in Secret ${e.ns}/${e.name} (${e.hosts.join(', ') || e.ing.metadata.name}) expires in ${days} day(s) and has not been renewed`,
        evidence: {
          notAfter: end.at.toISOString(),
          remainingDays: days,
          windowDays: Math.round(window / DAY),
          lifetimeDays: Math.round(lifetime / DAY),
          subject: end.subject,
        },
        fix: 'Renew the certificate (cert-manager: check the Certificate and its CertificateRequest for the renewal error)',
      };
    }
  },
});

/** Popeye 1400: the controller reports an error on a load-balancer port of the Ingress. */
export const lbError = check<Snap, Settings>({
  id: 'ingress.lb-error',
  severity: 'critical',
  title: 'Ingresses whose load balancer status reports a port error',
  anchor: 'Popeye 1400',
  *run(snap) {
    for (const ing of snap.objects.ingresses) {
      const lbs =
        (
          ing['status'] as
            | {
                loadBalancer?: {
                  ingress?: {
                    ip?: string;
                    hostname?: string;
                    ports?: { port: number; protocol?: string; error?: string }[];
                  }[];
                };
              }
            | undefined
        )?.loadBalancer?.ingress ?? [];
      for (const lb of lbs)
        for (const p of lb.ports ?? []) {
          if (!p.error) continue;
          yield {
            object: ing,
            type: resources.ingresses,
            discriminator: `${lb.ip ?? lb.hostname ?? ''}:${p.port}`,
            message: `Ingress ${ing.metadata.namespace}/${ing.metadata.name}: its load balancer reports ${p.error} on port ${p.port}`,
            evidence: {
              address: lb.ip ?? lb.hostname ?? null,
              port: p.port,
              protocol: p.protocol ?? 'TCP',
              error: p.error,
            },
            fix: 'Read the ingress controller logs and the Ingress events for why the port could not be opened',
          };
        }
    }
  },
});

/** Popeye 1404: a backend that names neither a Service (name and port) nor a resource. */
export const invalidBackend = check<Snap, Settings>({
  id: 'ingress.invalid-backend',
  severity: 'critical',
  title: 'Ingress backends without a Service name and port, or a resource',
  anchor: 'Popeye 1404',
  *run(snap) {
    type Backend = {
      service?: { name?: string; port?: { number?: number; name?: string } };
      resource?: { name?: string };
    };
    for (const ing of snap.objects.ingresses) {
      const spec = ing['spec'] as
        { defaultBackend?: Backend; rules?: { http?: { paths?: { backend?: Backend }[] } }[] } | undefined;
      const all: [string, Backend | undefined][] = [
        ...(spec?.defaultBackend ? [['defaultBackend', spec.defaultBackend] as [string, Backend]] : []),
        ...(spec?.rules ?? []).flatMap((r, i) =>
          (r.http?.paths ?? []).map(
            (p, j) => [`rules[${i}].http.paths[${j}]`, p.backend] as [string, Backend | undefined],
          ),
        ),
      ];
      for (const [at, b] of all) {
        const ok =
          b?.resource?.name !== undefined ||
          (b?.service?.name !== undefined &&
            (b.service.port?.number !== undefined || b.service.port?.name !== undefined));
        if (ok) continue;
        yield {
          object: ing,
          type: resources.ingresses,
          discriminator: at,
          message: `Ingress ${ing.metadata.namespace}/${ing.metadata.name} has a backend at ${at} without a Service name and port (or a resource)`,
          evidence: { at, backend: b ?? null },
          fix: 'Give the backend service.name and service.port (number or name)',
        };
      }
    }
  },
});

export const CHECKS = [
  lbError,
  invalidBackend,
  missingService,
  missingPort,
  duplicatePath,
  tlsSecretMissing,
  tlsSecretInvalid,
  certHostMismatch,
  certChainBroken,
  certExpired,
  certExpiring,
];
