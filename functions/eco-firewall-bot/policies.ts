// What eco-firewall-bot wants in each namespace (Kyverno's add-network-policy and
// add-networkpolicy-dns): a default-deny NetworkPolicy, DNS egress to kube-dns, and the allow-lists
// a namespace declares in annotations, with cloud metadata endpoints cut out of every egress CIDR.
import { cidrContains, parseCidr } from './cidr.ts';

/** Instance metadata endpoints of the clouds (AWS IMDS v4 and v6, also used by GCP and Azure on v4). */
export const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254'] as const;

export const ANNOTATION_ALLOW_INGRESS = 'eco.bsw-arch.org/allow-ingress-from';
export const ANNOTATION_ALLOW_EGRESS = 'eco.bsw-arch.org/allow-egress-to';

export const POLICY_NAMES = {
  defaultDeny: 'eco-default-deny',
  dns: 'eco-allow-dns',
  ingress: 'eco-allow-ingress',
  egress: 'eco-allow-egress',
} as const;

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'eco-firewall-bot' } as const;

export interface PolicyPort {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  port: number;
}

export interface NetworkPolicyPeer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyRule {
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports?: PolicyPort[];
}

export interface NetworkPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    podSelector: Record<string, never>;
    policyTypes: ('Ingress' | 'Egress')[];
    ingress?: NetworkPolicyRule[];
    egress?: NetworkPolicyRule[];
  };
}

const policy = (name: string, namespace: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace, labels: { ...MANAGED_BY } },
  spec,
});

export function defaultDenyPolicy(namespace: string): NetworkPolicy {
  return policy(POLICY_NAMES.defaultDeny, namespace, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
}

export function dnsEgressPolicy(namespace: string): NetworkPolicy {
  return policy(POLICY_NAMES.dns, namespace, {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ],
  });
}

export interface AllowEntry {
  peer: { namespace: string } | { cidr: string };
  port?: PolicyPort;
}

export interface ParsedAllowList {
  entries: AllowEntry[];
  /** Entries that could not be read, with why (named in a finding; nothing is rendered for them). */
  errors: string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `ns:monitoring, ingress-nginx, 10.0.0.0/8@5432, cidr:fd00::/8@443/TCP`: namespaces (bare names or
 * `ns:`) and CIDRs (`cidr:` or anything with a `/`), each optionally `@port[/TCP|UDP|SCTP]`.
 */
export function parseAllowList(text: string | undefined): ParsedAllowList {
  const out: ParsedAllowList = { entries: [], errors: [] };
  for (const raw of (text ?? '').split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const [peerText = '', portText] = item.split('@');
    let port: PolicyPort | undefined;
    if (portText !== undefined) {
      const m = /^(\d{1,5})(?:\/(TCP|UDP|SCTP))?$/i.exec(portText.trim());
      const n = m ? Number(m[1]) : NaN;
      if (!m || n < 1 || n > 65535) {
        out.errors.push(`"${item}": port must be 1-65535 with an optional /TCP, /UDP or /SCTP`);
        continue;
      }
      port = { protocol: (m[2] ?? 'TCP').toUpperCase() as PolicyPort['protocol'], port: n };
    }
    const p = peerText.trim();
    const cidrText = p.startsWith('cidr:') ? p.slice(5) : p.includes('/') ? p : undefined;
    if (cidrText !== undefined) {
      if (!parseCidr(cidrText)) {
        out.errors.push(`"${item}": not a CIDR`);
        continue;
      }
      out.entries.push({ peer: { cidr: cidrText }, ...(port ? { port } : {}) });
      continue;
    }
    const ns = p.startsWith('ns:') ? p.slice(3) : p;
    if (!DNS_LABEL.test(ns) || ns.length > 63) {
      out.errors.push(`"${item}": not a namespace name or a CIDR`);
      continue;
    }
    out.entries.push({ peer: { namespace: ns }, ...(port ? { port } : {}) });
  }
  return out;
}

/** The metadata endpoints a CIDR contains, as `except` entries (/32, /128). */
export function metadataExcepts(cidr: string): string[] {
  const c = parseCidr(cidr);
  if (!c) return [];
  return METADATA_ADDRESSES.filter((a) => cidrContains(c, a)).map((a) =>
    a.includes(':') ? `${a}/128` : `${a}/32`,
  );
}

function peerOf(entry: AllowEntry, egress: boolean): NetworkPolicyPeer {
  if ('namespace' in entry.peer)
    return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': entry.peer.namespace } } };
  const except = egress ? metadataExcepts(entry.peer.cidr) : [];
  return { ipBlock: except.length ? { cidr: entry.peer.cidr, except } : { cidr: entry.peer.cidr } };
}

function rules(entries: readonly AllowEntry[], egress: boolean): NetworkPolicyRule[] {
  return entries.map((e) => {
    const peers = [peerOf(e, egress)];
    const rule: NetworkPolicyRule = egress ? { to: peers } : { from: peers };
    if (e.port) rule.ports = [e.port];
    return rule;
  });
}

export interface DesiredState {
  policies: NetworkPolicy[];
  errors: string[];
}

/** Every policy the bot wants in a namespace, from its annotations. */
export function desiredPolicies(
  namespace: string,
  annotations: Readonly<Record<string, string>>,
): DesiredState {
  const ingress = parseAllowList(annotations[ANNOTATION_ALLOW_INGRESS]);
  const egress = parseAllowList(annotations[ANNOTATION_ALLOW_EGRESS]);
  const policies = [defaultDenyPolicy(namespace), dnsEgressPolicy(namespace)];
  if (ingress.entries.length)
    policies.push(
      policy(POLICY_NAMES.ingress, namespace, {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: rules(ingress.entries, false),
      }),
    );
  if (egress.entries.length)
    policies.push(
      policy(POLICY_NAMES.egress, namespace, {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: rules(egress.entries, true),
      }),
    );
  return {
    policies,
    errors: [
      ...ingress.errors.map((e) => `${ANNOTATION_ALLOW_INGRESS}: ${e}`),
      ...egress.errors.map((e) => `${ANNOTATION_ALLOW_EGRESS}: ${e}`),
    ],
  };
}

/** JSON with sorted keys, to compare specs regardless of key order. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** What to do to make the existing policy (if any) the desired one. */
export function reconcileAction(
  existing: { spec?: unknown; metadata?: { labels?: Record<string, string> } } | undefined,
  desired: NetworkPolicy,
): 'create' | 'update' | 'none' | 'foreign' {
  if (!existing) return 'create';
  // A policy of the same name that the bot did not create is left alone and reported.
  if (
    existing.metadata?.labels?.['app.kubernetes.io/managed-by'] !== MANAGED_BY['app.kubernetes.io/managed-by']
  )
    return 'foreign';
  return stable(existing.spec) === stable(desired.spec) ? 'none' : 'update';
}
