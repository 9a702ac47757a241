// The DNS bot's checks: pure functions of what the cluster declares and what DNS answered.
import { check, type ObjectRef } from '../../shared/index.ts';
import type { DeclaredHost } from './declared.ts';
import type { Ownership } from './ownership.ts';
import type { Answer } from './resolve.ts';

export interface RegistryRecord {
  /** The record name the TXT entry is about. */
  name: string;
  /** Where the TXT entry was found (`a-<name>`, or `<name>` in the old format). */
  txtName: string;
  ownership: Ownership;
}

export interface CoreDnsView {
  service: string;
  /** The kube-dns Service, when it exists (undefined: missing; null: not read). */
  found: { clusterIP?: string; selector?: Record<string, string> } | undefined | null;
  pods: { name: string; ready: boolean }[] | null;
  /** The lookup of kubernetes.default.svc through the cluster DNS (null: not done). */
  lookup: { name: string; server: string; answer: Answer; expected?: string } | null;
}

export interface DnsView {
  hosts: readonly DeclaredHost[];
  answers: ReadonlyMap<string, Answer>;
  registry: readonly RegistryRecord[];
  /** external-dns resource labels (`ingress/ns/name`) of the objects that exist, with their hosts. */
  resources: ReadonlyMap<string, ReadonlySet<string>>;
  coredns: CoreDnsView;
  servers: readonly string[];
}

export interface Settings {
  ownerId: string;
}

const ref = (record: RegistryRecord): ObjectRef => ({
  apiVersion: 'eco.bsw-arch.org/v1',
  kind: 'DNSRecord',
  name: record.name,
});

export const unresolved = check<DnsView, Settings>({
  id: 'dns.unresolved',
  severity: 'warning',
  title: 'declared hostnames that do not resolve (NXDOMAIN or no A/AAAA)',
  anchor: 'external-dns: every declared hostname has a record',
  *run(view) {
    for (const d of view.hosts) {
      const a = view.answers.get(d.host);
      if (a?.status !== 'nxdomain' && a?.status !== 'nodata') continue;
      yield {
        object: d.object,
        discriminator: d.host,
        message:
          a.status === 'nxdomain'
            ? `${d.host}, declared by ${d.object.kind} ${d.object.namespace}/${d.object.name}, does not exist in DNS (NXDOMAIN)`
            : `${d.host}, declared by ${d.object.kind} ${d.object.namespace}/${d.object.name}, has no A or AAAA record`,
        evidence: {
          host: d.host,
          answer: a.status,
          chain: a.chain,
          expected: d.expected,
          servers: view.servers,
        },
        fix: 'Check external-dns is running and its domain filter covers this zone (its logs name the records it skips), or create the record',
      };
    }
  },
});

export const wrongAddress = check<DnsView, Settings>({
  id: 'dns.wrong-address',
  severity: 'critical',
  title: 'hostnames resolving to addresses other than the one in their object status',
  anchor: 'external-dns: records follow the source status address',
  *run(view) {
    for (const d of view.hosts) {
      const a = view.answers.get(d.host);
      if (a?.status !== 'ok') continue;
      // Nothing to compare with: the object has no address yet (the load-balancer bot reports that).
      if (d.expected.ips.length + d.expected.hostnames.length === 0) continue;
      const ipMatch = d.expected.ips.some((ip) => a.addresses.includes(ip));
      const nameMatch = d.expected.hostnames.some((h) => a.chain.includes(h));
      if (ipMatch || nameMatch) continue;
      yield {
        object: d.object,
        discriminator: d.host,
        message: `${d.host} resolves to ${a.addresses.join(', ')}${a.chain.length ? ` (via ${a.chain.join(' -> ')})` : ''}, not to ${[...d.expected.ips, ...d.expected.hostnames].join(', ')} from ${d.object.kind} ${d.object.namespace}/${d.object.name}`,
        evidence: {
          host: d.host,
          resolved: a.addresses,
          chain: a.chain,
          expected: d.expected,
          servers: view.servers,
        },
        fix: 'Update the record to the object status address (external-dns in upsert-only mode never rewrites a record another owner created: check the TXT owner)',
      };
    }
  },
});

export const orphanedRecord = check<DnsView, Settings>({
  id: 'dns.orphaned-record',
  severity: 'warning',
  title: 'records our external-dns owns that no object in the cluster declares any more',
  anchor: 'external-dns TXT registry (owner-id; never touch another owner)',
  *run(view, settings) {
    for (const r of view.registry) {
      // Another owner's record (another cluster's external-dns): never ours to judge.
      if (r.ownership.owner !== settings.ownerId) continue;
      const declared = r.ownership.resource
        ? view.resources.get(r.ownership.resource)?.has(r.name) === true
        : view.hosts.some((h) => h.host === r.name);
      if (declared) continue;
      const gone = r.ownership.resource !== undefined && !view.resources.has(r.ownership.resource);
      yield {
        object: ref(r),
        message: r.ownership.resource
          ? `${r.name} is owned by external-dns (${r.ownership.owner}) for ${r.ownership.resource}, which ${gone ? 'no longer exists' : 'no longer declares it'}: the record is dangling`
          : `${r.name} is owned by external-dns (${r.ownership.owner}) but no object in the cluster declares it: the record is dangling`,
        evidence: {
          txtName: r.txtName,
          owner: r.ownership.owner,
          resource: r.ownership.resource ?? null,
          resourceExists: !gone,
        },
        fix: 'Delete the record and its TXT ownership entry (external-dns in sync mode does this; upsert-only leaves them), so the name cannot point at an address someone else now holds',
      };
    }
  },
});

const coreDnsRef = (view: DnsView): ObjectRef => {
  const [namespace, name] = view.coredns.service.split('/') as [string, string];
  return { apiVersion: 'v1', kind: 'Service', namespace, name };
};

export const corednsService = check<DnsView, Settings>({
  id: 'dns.coredns-service',
  severity: 'critical',
  title: 'the cluster DNS Service (kube-system/kube-dns) is missing',
  anchor: 'CoreDNS health (kube-dns Service)',
  *run(view) {
    if (view.coredns.found !== undefined) return;
    yield {
      object: coreDnsRef(view),
      message: `the cluster DNS Service ${view.coredns.service} does not exist: pods cannot resolve names`,
      evidence: { service: view.coredns.service },
      fix: 'Reinstall the cluster DNS add-on (CoreDNS) or set ECO_DNS_CLUSTER_SERVICE to the Service your cluster uses',
    };
  },
});

export const corednsPods = check<DnsView, Settings>({
  id: 'dns.coredns-pods',
  severity: 'critical',
  title: 'CoreDNS pods (selected by the kube-dns Service) not ready',
  anchor: 'CoreDNS health (its pods)',
  *run(view) {
    const pods = view.coredns.pods;
    if (pods === null) return;
    const ready = pods.filter((p) => p.ready).length;
    if (pods.length > 0 && ready === pods.length) return;
    yield {
      object: coreDnsRef(view),
      // None ready: DNS is down. Some: capacity is reduced and lookups may time out.
      severity: ready === 0 ? 'critical' : 'warning',
      message:
        pods.length === 0
          ? `the cluster DNS Service ${view.coredns.service} selects no pod: DNS is down`
          : `${ready} of ${pods.length} cluster DNS pods are ready`,
      evidence: { ready, total: pods.length, notReady: pods.filter((p) => !p.ready).map((p) => p.name) },
      fix: 'kubectl -n kube-system describe pods -l k8s-app=kube-dns; kubectl -n kube-system logs -l k8s-app=kube-dns',
    };
  },
});

export const clusterLookup = check<DnsView, Settings>({
  id: 'dns.cluster-lookup',
  severity: 'critical',
  title: 'kubernetes.default.svc does not resolve to the API Service through the cluster DNS',
  anchor: 'CoreDNS health (a lookup of kubernetes.default.svc)',
  *run(view) {
    const l = view.coredns.lookup;
    if (l === null) return;
    if (l.answer.status === 'ok' && (l.expected === undefined || l.answer.addresses.includes(l.expected)))
      return;
    yield {
      object: coreDnsRef(view),
      message:
        l.answer.status === 'ok'
          ? `${l.name} resolves to ${l.answer.addresses.join(', ')} through ${l.server}, not to the kubernetes Service ${l.expected}`
          : `${l.name} does not resolve through the cluster DNS at ${l.server} (${l.answer.status === 'error' ? l.answer.code : l.answer.status})`,
      evidence: { name: l.name, server: l.server, answer: l.answer, expected: l.expected ?? null },
      fix: 'Check the CoreDNS pods and logs and its Corefile (kubernetes plugin, cluster domain); outside the cluster set ECO_DNS_CLUSTER_LOOKUP=false',
    };
  },
});

export const CHECKS = [unresolved, wrongAddress, orphanedRecord, corednsService, corednsPods, clusterLookup];
