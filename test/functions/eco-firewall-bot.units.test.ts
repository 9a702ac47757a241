// eco-firewall-bot's pure logic: CIDR containment, the allow-list annotation grammar, the rendered
// NetworkPolicies (validated against the Kubernetes schema), metadata endpoints cut out of egress,
// reconcile decisions, and the audit of existing policies.
import { describe, expect, it } from 'vitest';
import { cidrContains, ipBlockAdmits, parseCidr } from '../../functions/eco-firewall-bot/cidr.ts';
import {
  ANNOTATION_ALLOW_EGRESS,
  ANNOTATION_ALLOW_INGRESS,
  defaultDenyPolicy,
  desiredPolicies,
  metadataExcepts,
  parseAllowList,
  reconcileAction,
} from '../../functions/eco-firewall-bot/policies.ts';
import { auditPolicy, defaultDenyCoverage } from '../../functions/eco-firewall-bot/audit.ts';
import type { ExistingPolicy } from '../../functions/eco-firewall-bot/audit.ts';
import { validateObject } from '../packaging/strict-validate.ts';

describe('CIDRs', () => {
  it.each([
    ['0.0.0.0/0', '169.254.169.254', true],
    ['169.254.0.0/16', '169.254.169.254', true],
    ['10.0.0.0/8', '169.254.169.254', false],
    ['::/0', 'fd00:ec2::254', true],
    ['fd00::/8', 'fd00:ec2::254', true],
    ['0.0.0.0/0', 'fd00:ec2::254', false],
  ])('%s contains %s: %s', (cidr, address, expected) => {
    expect(cidrContains(parseCidr(cidr)!, address)).toBe(expected);
  });
  it.each(['10.0.0.0', '10.0.0.0/33', 'x/8', '::/129'])('%s is not a CIDR', (t) =>
    expect(parseCidr(t)).toBeUndefined(),
  );
  it('honours except', () => {
    expect(ipBlockAdmits({ cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] }, '169.254.169.254')).toBe(
      false,
    );
    expect(ipBlockAdmits({ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }, '169.254.169.254')).toBe(true);
  });
});

describe('allow-list annotations', () => {
  it('reads namespaces, CIDRs and ports', () => {
    expect(
      parseAllowList('ingress-nginx, ns:monitoring@9090, 10.0.0.0/8@5432, cidr:fd00::/8@53/UDP'),
    ).toEqual({
      entries: [
        { peer: { namespace: 'ingress-nginx' } },
        { peer: { namespace: 'monitoring' }, port: { protocol: 'TCP', port: 9090 } },
        { peer: { cidr: '10.0.0.0/8' }, port: { protocol: 'TCP', port: 5432 } },
        { peer: { cidr: 'fd00::/8' }, port: { protocol: 'UDP', port: 53 } },
      ],
      errors: [],
    });
  });
  it.each([
    ['Bad_NS', 'not a namespace name or a CIDR'],
    ['10.0.0.0/40', 'not a CIDR'],
    ['monitoring@70000', 'port must be 1-65535'],
    ['monitoring@80/ICMP', 'port must be 1-65535'],
  ])('rejects %s', (text, message) => {
    const r = parseAllowList(text);
    expect(r.entries).toEqual([]);
    expect(r.errors[0]).toContain(message);
  });
});

describe('rendered policies', () => {
  it('renders default deny, DNS egress and the allow-lists, valid against the Kubernetes schema', () => {
    const d = desiredPolicies('shop', {
      [ANNOTATION_ALLOW_INGRESS]: 'ingress-nginx',
      [ANNOTATION_ALLOW_EGRESS]: '0.0.0.0/0@443, ::/0@443, payments@5432',
    });
    expect(d.errors).toEqual([]);
    expect(d.policies.map((p) => p.metadata.name)).toEqual([
      'eco-default-deny',
      'eco-allow-dns',
      'eco-allow-ingress',
      'eco-allow-egress',
    ]);
    for (const p of d.policies) expect(validateObject(p)).toEqual([]);
    const egress = d.policies[3]?.spec.egress ?? [];
    expect(egress[0]?.to?.[0]?.ipBlock).toEqual({ cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] });
    expect(egress[1]?.to?.[0]?.ipBlock).toEqual({ cidr: '::/0', except: ['fd00:ec2::254/128'] });
    expect(egress[2]?.to?.[0]?.namespaceSelector).toEqual({
      matchLabels: { 'kubernetes.io/metadata.name': 'payments' },
    });
    expect(d.policies[1]?.spec.egress?.[0]?.ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
  });

  it('names bad annotation entries and renders the rest', () => {
    const d = desiredPolicies('shop', { [ANNOTATION_ALLOW_EGRESS]: 'nope!, 10.1.0.0/16' });
    expect(d.errors).toEqual(['eco.bsw-arch.org/allow-egress-to: "nope!": not a namespace name or a CIDR']);
    expect(d.policies.map((p) => p.metadata.name)).toContain('eco-allow-egress');
  });

  it('cuts metadata endpoints only out of CIDRs that contain them', () => {
    expect(metadataExcepts('169.254.0.0/16')).toEqual(['169.254.169.254/32']);
    expect(metadataExcepts('10.0.0.0/8')).toEqual([]);
  });

  it('decides create, update, none, and leaves foreign policies of the same name alone', () => {
    const want = defaultDenyPolicy('shop');
    expect(reconcileAction(undefined, want)).toBe('create');
    expect(
      reconcileAction(
        {
          spec: { policyTypes: ['Ingress', 'Egress'], podSelector: {} },
          metadata: { labels: want.metadata.labels },
        },
        want,
      ),
    ).toBe('none');
    expect(
      reconcileAction(
        { spec: { podSelector: {}, policyTypes: ['Ingress'] }, metadata: { labels: want.metadata.labels } },
        want,
      ),
    ).toBe('update');
    expect(reconcileAction({ spec: want.spec, metadata: { labels: { team: 'x' } } }, want)).toBe('foreign');
  });
});

describe('audit of existing policies', () => {
  const p = (name: string, spec: NonNullable<ExistingPolicy['spec']>): ExistingPolicy => ({
    metadata: { name, namespace: 'x' },
    spec,
  });

  it.each<[string, NonNullable<ExistingPolicy['spec']>, string[]]>([
    ['allow-all ingress', { podSelector: {}, ingress: [{}] }, ['allow-all-ingress']],
    [
      'allow-all egress',
      { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
      ['allow-all-egress', 'metadata-reachable'],
    ],
    [
      'egress to 0.0.0.0/0',
      { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
      ['open-cidr', 'metadata-reachable'],
    ],
    [
      'egress to 0.0.0.0/0 minus metadata',
      {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }],
      },
      ['open-cidr'],
    ],
    [
      'ingress from every namespace',
      { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] },
      ['all-namespaces'],
    ],
    [
      'ingress from one namespace',
      {
        podSelector: {},
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'a' } } }] }],
      },
      [],
    ],
    [
      'egress rules ignored when policyTypes is Ingress only',
      { podSelector: {}, policyTypes: ['Ingress'], egress: [{}] },
      [],
    ],
    ['a deny-all policy', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, []],
  ])('%s', (_name, spec, kinds) => {
    expect(auditPolicy(p('pol', spec)).map((f) => f.kind)).toEqual(kinds);
  });

  it('knows whether a namespace is isolated by default', () => {
    expect(defaultDenyCoverage([])).toEqual({ ingress: false, egress: false });
    expect(defaultDenyCoverage([p('a', { podSelector: {}, policyTypes: ['Ingress'] })])).toEqual({
      ingress: true,
      egress: false,
    });
    expect(
      defaultDenyCoverage([
        p('b', { podSelector: { matchLabels: { app: 'x' } }, policyTypes: ['Ingress', 'Egress'] }),
      ]),
    ).toEqual({ ingress: false, egress: false });
    expect(defaultDenyCoverage([defaultDenyPolicy('x')])).toEqual({ ingress: true, egress: true });
  });
});
