// Findings over the NetworkPolicies already in a namespace: rules that allow everything, CIDRs that
// open the whole internet, egress that reaches cloud metadata endpoints, and whether the namespace
// has a default deny at all (Polaris missingNetworkPolicy, Popeye 1204/1205).
import { ipBlockAdmits, isAnyCidr } from './cidr.ts';
import { METADATA_ADDRESSES } from './policies.ts';

interface Peer {
  podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  namespaceSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  ipBlock?: { cidr?: string; except?: string[] };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: unknown[];
}
export interface ExistingPolicy {
  metadata: { name: string; namespace?: string };
  spec?: {
    podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    policyTypes?: string[];
    ingress?: Rule[];
    egress?: Rule[];
  };
}

export type OverBroadKind =
  'allow-all-ingress' | 'allow-all-egress' | 'open-cidr' | 'all-namespaces' | 'metadata-reachable';

export interface OverBroad {
  kind: OverBroadKind;
  policy: string;
  /** e.g. `spec.egress[0].to[1].ipBlock`. */
  field: string;
  detail: string;
}

const empty = (
  s: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined,
): boolean =>
  s !== undefined && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;

/** The policy types in effect: explicit, or Ingress plus Egress when egress rules exist (the API's default). */
function typesOf(p: ExistingPolicy): Set<string> {
  const explicit = p.spec?.policyTypes;
  if (explicit?.length) return new Set(explicit);
  return new Set(p.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

export function auditPolicy(p: ExistingPolicy): OverBroad[] {
  const out: OverBroad[] = [];
  const name = p.metadata.name;
  const types = typesOf(p);
  for (const dir of ['ingress', 'egress'] as const) {
    if (!types.has(dir === 'ingress' ? 'Ingress' : 'Egress')) continue;
    (p.spec?.[dir] ?? []).forEach((rule, ri) => {
      const peers = (dir === 'ingress' ? rule.from : rule.to) ?? [];
      const base = `spec.${dir}[${ri}]`;
      if (peers.length === 0) {
        const ports = rule.ports?.length ? ` on ${rule.ports.length} port(s)` : '';
        out.push({
          kind: dir === 'ingress' ? 'allow-all-ingress' : 'allow-all-egress',
          policy: name,
          field: base,
          detail: `a rule with no ${dir === 'ingress' ? 'from' : 'to'} admits every peer${ports}`,
        });
        if (dir === 'egress' && !rule.ports?.length)
          out.push({
            kind: 'metadata-reachable',
            policy: name,
            field: base,
            detail: 'all egress allowed, cloud metadata endpoints included',
          });
        return;
      }
      peers.forEach((peer, pi) => {
        const field = `${base}.${dir === 'ingress' ? 'from' : 'to'}[${pi}]`;
        if (peer.ipBlock?.cidr && isAnyCidr(peer.ipBlock.cidr))
          out.push({
            kind: 'open-cidr',
            policy: name,
            field: `${field}.ipBlock`,
            detail: `${peer.ipBlock.cidr} admits every address`,
          });
        if (empty(peer.namespaceSelector) && (peer.podSelector === undefined || empty(peer.podSelector)))
          out.push({
            kind: 'all-namespaces',
            policy: name,
            field,
            detail: 'an empty namespaceSelector admits every pod in every namespace',
          });
        if (dir === 'egress' && peer.ipBlock?.cidr) {
          const reached = METADATA_ADDRESSES.filter((a) =>
            ipBlockAdmits(peer.ipBlock as { cidr: string; except?: string[] }, a),
          );
          if (reached.length)
            out.push({
              kind: 'metadata-reachable',
              policy: name,
              field: `${field}.ipBlock`,
              detail: `admits ${reached.join(', ')} (add them to except)`,
            });
        }
      });
    });
  }
  return out;
}

/** Whether the namespace's policies deny ingress and egress by default (an all-pods policy of that type). */
export function defaultDenyCoverage(policies: readonly ExistingPolicy[]): {
  ingress: boolean;
  egress: boolean;
} {
  const allPods = policies.filter((p) => empty(p.spec?.podSelector ?? {}));
  const covers = (t: 'Ingress' | 'Egress'): boolean => allPods.some((p) => typesOf(p).has(t));
  return { ingress: covers('Ingress'), egress: covers('Egress') };
}
