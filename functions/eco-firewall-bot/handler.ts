// eco-firewall-bot: per namespace a default-deny NetworkPolicy plus DNS egress (Kyverno
// add-network-policy and add-networkpolicy-dns), allow-lists from namespace annotations rendered into
// NetworkPolicies with cloud metadata endpoints cut out of every egress CIDR, and over-broad policies
// flagged. Reconciles through the rails (dry-run by default, exclusions, protected namespaces, cap).
// A namespace whose own policies already isolate it, and that declares no allow-list, is left to
// its owners: audited, not managed.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import { SAFETY_RAILS_RBAC, defineBot, finding, resources, takeSnapshot } from '../../shared/index.ts';
import type { Context, Finding, KubeObject, RbacRule, RunResult } from '../../shared/index.ts';
import { auditPolicy, defaultDenyCoverage } from './audit.ts';
import type { ExistingPolicy, OverBroadKind } from './audit.ts';
import {
  ANNOTATION_ALLOW_EGRESS,
  ANNOTATION_ALLOW_INGRESS,
  MANAGED_BY,
  desiredPolicies,
  reconcileAction,
} from './policies.ts';

const NAME = 'eco-firewall-bot';
const KINDS = { namespaces: resources.namespaces, networkpolicies: resources.networkpolicies } as const;

const RBAC: RbacRule[] = [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['networkpolicies'],
    verbs: ['list', 'get', 'create', 'update'],
  },
  ...SAFETY_RAILS_RBAC,
];

const CHECKS = [
  'firewall.default-deny-missing',
  'firewall.over-broad',
  'firewall.allow-list-invalid',
  'firewall.foreign-policy',
] as const;
const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c))), { uniqueItems: true })),
    /** Report only; change nothing in this run (the process mode may also be dry-run). */
    reconcile: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

const SEVERITY: Record<OverBroadKind, Finding['severity']> = {
  'metadata-reachable': 'critical',
  'allow-all-ingress': 'warning',
  'allow-all-egress': 'warning',
  'open-cidr': 'warning',
  'all-namespaces': 'info',
};
const FIX: Record<OverBroadKind, string> = {
  'metadata-reachable':
    'add 169.254.169.254/32 (and fd00:ec2::254/128) to the ipBlock except list, or narrow the CIDR',
  'allow-all-ingress': 'name the peers (namespaceSelector / podSelector) the pods must accept',
  'allow-all-egress': 'name the destinations the pods need; keep DNS to kube-dns',
  'open-cidr': 'replace 0.0.0.0/0 (::/0) with the networks the pods actually reach',
  'all-namespaces': 'select the namespaces by label instead of {}',
};

export default defineBot({
  name: NAME,
  category: 'security',
  tier: 'small',
  summary:
    'Default-deny plus DNS egress per namespace, allow-lists from namespace annotations as NetworkPolicies with cloud metadata endpoints (169.254.169.254, fd00:ec2::254) blocked, over-broad policies flagged',
  triggers: { http: true, cron: '*/30 * * * *' },
  rbac: RBAC,
  mutates: true,
  input: Input,

  async run(input: Input, ctx: Context): Promise<RunResult> {
    const wanted = (c: (typeof CHECKS)[number]): boolean => !input.checks || input.checks.includes(c);
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const findings: Finding[] = [...snap.findings];
    const namespaces = snap.objects.namespaces
      .filter((n) => !input.namespace || n.metadata.name === input.namespace)
      .filter((n) => (n.status as { phase?: string } | undefined)?.phase !== 'Terminating');
    const policies = snap.objects.networkpolicies.map(
      (p) =>
        ({ ...p, apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }) as KubeObject & ExistingPolicy,
    );
    const byNamespace = new Map<string, (KubeObject & ExistingPolicy)[]>();
    for (const p of policies)
      byNamespace.set(p.metadata.namespace ?? '', [
        ...(byNamespace.get(p.metadata.namespace ?? '') ?? []),
        p,
      ]);

    if (wanted('firewall.over-broad')) {
      for (const p of policies) {
        for (const o of auditPolicy(p)) {
          findings.push(
            finding({
              bot: NAME,
              check: 'firewall.over-broad',
              severity: SEVERITY[o.kind],
              object: {
                apiVersion: 'networking.k8s.io/v1',
                kind: 'NetworkPolicy',
                namespace: p.metadata.namespace ?? '',
                name: p.metadata.name,
              },
              discriminator: `${o.kind}:${o.field}`,
              message: `${o.field}: ${o.detail}`,
              evidence: { kind: o.kind, field: o.field },
              fix: FIX[o.kind],
            }),
          );
        }
      }
    }

    let planned = 0;
    for (const ns of namespaces) {
      const name = ns.metadata.name;
      const existing = byNamespace.get(name) ?? [];
      const annotations = ns.metadata.annotations ?? {};
      const coverage = defaultDenyCoverage(existing);
      const ours = existing.filter(
        (p) =>
          p.metadata.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY['app.kubernetes.io/managed-by'],
      );
      const declares =
        annotations[ANNOTATION_ALLOW_INGRESS] !== undefined ||
        annotations[ANNOTATION_ALLOW_EGRESS] !== undefined;
      const isolated = coverage.ingress && coverage.egress;
      if (!isolated && wanted('firewall.default-deny-missing'))
        findings.push(
          finding({
            bot: NAME,
            check: 'firewall.default-deny-missing',
            severity: 'warning',
            object: { apiVersion: 'v1', kind: 'Namespace', name },
            message: `no NetworkPolicy isolates every pod for ${[!coverage.ingress ? 'ingress' : '', !coverage.egress ? 'egress' : ''].filter(Boolean).join(' and ')}: any pod can reach them${coverage.egress ? '' : ' and they can reach anything, cloud metadata endpoints included'}`,
            evidence: {
              ingressIsolated: coverage.ingress,
              egressIsolated: coverage.egress,
              policies: existing.length,
            },
            fix: `let the bot add eco-default-deny and eco-allow-dns (ECO_MODE=apply), and declare what the namespace needs in ${ANNOTATION_ALLOW_INGRESS} / ${ANNOTATION_ALLOW_EGRESS}`,
          }),
        );
      // Managed: not isolated yet, or already ours, or it declares an allow-list.
      if (isolated && ours.length === 0 && !declares) continue;
      const desired = desiredPolicies(name, annotations);
      if (wanted('firewall.allow-list-invalid'))
        for (const e of desired.errors)
          findings.push(
            finding({
              bot: NAME,
              check: 'firewall.allow-list-invalid',
              severity: 'warning',
              object: { apiVersion: 'v1', kind: 'Namespace', name },
              discriminator: e,
              message: `allow-list entry ignored: ${e}`,
              evidence: { error: e },
              fix: 'write entries as namespace, ns:<name>, <cidr> or cidr:<cidr>, each optionally @port[/TCP|UDP|SCTP], separated by commas',
            }),
          );
      if (input.reconcile === false) continue;
      for (const want of desired.policies) {
        const have = existing.find((p) => p.metadata.name === want.metadata.name);
        const action = reconcileAction(have, want);
        if (action === 'none') continue;
        if (action === 'foreign') {
          if (wanted('firewall.foreign-policy'))
            findings.push(
              finding({
                bot: NAME,
                check: 'firewall.foreign-policy',
                severity: 'info',
                object: {
                  apiVersion: 'networking.k8s.io/v1',
                  kind: 'NetworkPolicy',
                  namespace: name,
                  name: want.metadata.name,
                },
                message: `a NetworkPolicy named ${want.metadata.name} exists and was not made by ${NAME}, so the bot leaves it alone`,
                evidence: { wanted: want.spec },
                fix: `rename it, or label it app.kubernetes.io/managed-by=${NAME} to let the bot manage it`,
              }),
            );
          continue;
        }
        planned++;
        const reason = `${want.metadata.name}: ${action === 'create' ? 'missing' : 'differs from'} the namespace's firewall (default deny, DNS egress, annotation allow-lists)`;
        if (action === 'create')
          await ctx.safety.create(resources.networkpolicies, want as unknown as KubeObject, reason, {
            eventReason: 'FirewallPolicy',
          });
        else if (have)
          await ctx.safety.update(
            resources.networkpolicies,
            have,
            {
              ...have,
              metadata: {
                ...have.metadata,
                labels: { ...(have.metadata.labels ?? {}), ...want.metadata.labels },
              },
              spec: want.spec,
            },
            reason,
            { eventReason: 'FirewallPolicy' },
          );
      }
    }
    return {
      summary: `${namespaces.length} namespaces, ${policies.length} NetworkPolicies audited, ${planned} policy change(s) ${ctx.mode === 'apply' ? 'made or attempted' : 'planned (dry-run)'}`,
      findings,
      errors: [...snap.errors],
    };
  },
});
