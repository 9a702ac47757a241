import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  SAFETY_RAILS_RBAC,
  TENANT_LABELS,
  TENANT_TIERS,
  ValidationError,
  collect,
  defineBot,
  finding,
  reportErrorFrom,
  resources,
  tenantDefaultDenyPolicy,
  tenantLimitRange,
  tenantNamespace,
  tenantOwnerOf,
  tenantOwnerRoleBinding,
  tenantResourceQuota,
  tenantTierOf,
  type Action,
  type Context,
  type Finding,
  type KubeObject,
  type ReportError,
  type ResourceType,
  type TenantTier,
} from '../../shared/index.ts';

const NAME = 'eco-provision-bot';
export const PROVISION_EVENT = 'org.bsw-arch.eco.provision.requested.v1';

const Input = Type.Object(
  {
    /** The tenant's namespace (a DNS label). Without it the run checks the tenants it provisioned. */
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', maxLength: 63 })),
    tier: Type.Optional(Type.Union(TENANT_TIERS.map((t) => Type.Literal(t)))),
    /** The owner group (a label value); it gets `edit` in the namespace. */
    owner: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$', maxLength: 63 }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

interface Piece {
  type: ResourceType;
  object: KubeObject;
}

/** The tenant as Kyverno's generate rules would make it: namespace first, then its contents. */
export function tenantPieces(namespace: string, tier: TenantTier, owner: string | undefined): Piece[] {
  return [
    { type: resources.namespaces, object: tenantNamespace(namespace, tier, owner, NAME) },
    { type: resources.resourcequotas, object: tenantResourceQuota(namespace, tier, NAME) },
    { type: resources.limitranges, object: tenantLimitRange(namespace, tier, NAME) },
    { type: resources.networkpolicies, object: tenantDefaultDenyPolicy(namespace, NAME) },
    ...(owner
      ? [{ type: resources.rolebindings, object: tenantOwnerRoleBinding(namespace, owner, NAME) }]
      : []),
  ];
}

/** Differences between an existing namespace and the request (empty: same settings). */
export function settingsDiff(ns: KubeObject, tier: TenantTier, owner: string | undefined): string[] {
  const diff: string[] = [];
  const hasTier = tenantTierOf(ns);
  if (hasTier !== tier) diff.push(`tier ${hasTier ?? '(none)'} (requested ${tier})`);
  const hasOwner = tenantOwnerOf(ns);
  if (owner !== undefined && hasOwner !== owner)
    diff.push(`owner ${hasOwner ?? '(none)'} (requested ${owner})`);
  return diff;
}

const nsRef = (name: string): Finding['object'] => ({ apiVersion: 'v1', kind: 'Namespace', name });

export default defineBot({
  name: NAME,
  category: 'infrastructure',
  tier: 'medium',
  summary:
    'Creates a tenant on request (HTTP or CloudEvent): Namespace with owner and tier labels, ResourceQuota and LimitRange sized from the seed tier, default-deny NetworkPolicy with DNS egress, RoleBinding of the owner group to edit; idempotent, never overwrites; with {} reports provisioned tenants that lost a piece',
  triggers: { http: true, events: [PROVISION_EVENT], cron: '30 * * * *' },
  rbac: [
    ...SAFETY_RAILS_RBAC,
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'create'] },
    { apiGroups: [''], resources: ['resourcequotas', 'limitranges'], verbs: ['get', 'list', 'create'] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'create'] },
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['rolebindings'],
      verbs: ['get', 'list', 'create'],
    },
    // Creating a RoleBinding to `edit` needs `bind` on it (RBAC escalation prevention) unless the bot
    // holds every permission of `edit` itself, which it must not.
    {
      apiGroups: ['rbac.authorization.k8s.io'],
      resources: ['clusterroles'],
      verbs: ['bind'],
      resourceNames: ['edit'],
    },
  ],
  mutates: true,
  input: Input,
  scopeOptions: ['namespace'],
  async run(input: Input, ctx: Context) {
    if (input.namespace === undefined) {
      if (input.tier !== undefined || input.owner !== undefined)
        throw new ValidationError('invalid options: namespace: required with tier or owner', {
          issues: [{ path: '/namespace', message: 'required' }],
        });
      return checkProvisioned(ctx);
    }
    if (input.tier === undefined)
      throw new ValidationError(`invalid options: tier: required, one of ${TENANT_TIERS.join(', ')}`, {
        issues: [{ path: '/tier', message: `required: ${TENANT_TIERS.join(' | ')}` }],
      });
    const { namespace, tier, owner } = input;
    const pieces = tenantPieces(namespace, tier, owner);
    const existing = await ctx.k8s.get(resources.namespaces, namespace);
    const actions: Action[] = [];
    const findings: Finding[] = [];
    if (existing) {
      const diff = settingsDiff(existing, tier, owner);
      if (diff.length > 0) {
        findings.push(
          finding({
            bot: NAME,
            check: 'provision.conflict',
            severity: 'warning',
            object: nsRef(namespace),
            message: `Namespace ${namespace} already exists with different settings: ${diff.join(', ')}; it was left as it is.`,
            evidence: { requested: { tier, owner: owner ?? null }, labels: existing.metadata.labels ?? {} },
            fix: `Pick another name, or change the namespace by hand: kubectl label namespace ${namespace} --overwrite ${TENANT_LABELS.tier}=${tier}`,
          }),
        );
        return { summary: `namespace ${namespace} exists with different settings: not changed`, findings };
      }
    }
    // Same settings (or new): create whatever is missing, never touch what exists.
    const missing: Piece[] = [];
    for (const piece of existing ? pieces.slice(1) : pieces) {
      const found = existing
        ? await ctx.k8s.get(piece.type, piece.object.metadata.name, namespace)
        : undefined;
      if (!found) missing.push(piece);
    }
    if (missing.length === 0)
      return {
        summary: `namespace ${namespace} already provisioned (tier ${tier}${owner ? `, owner ${owner}` : ''}): nothing created`,
        findings,
        data: { namespace, tier, owner: owner ?? null, created: [] },
      };
    const namespaceIsNew = !existing;
    for (const piece of missing) {
      // In dry-run a new namespace is not created, so its contents cannot be checked by the server
      // yet: they are recorded as waiting for it, and created right after it in apply mode.
      if (namespaceIsNew && piece.type !== resources.namespaces && ctx.safety.mode !== 'apply') {
        actions.push(
          ctx.safety.skip(
            'create',
            piece.object,
            'after-namespace: created once the namespace exists (apply mode)',
            piece.type,
          ),
        );
        continue;
      }
      const action = await ctx.safety.create(piece.type, piece.object, `tenant ${namespace} (tier ${tier})`, {
        eventReason: 'TenantProvisioned',
      });
      actions.push(action);
      // Without its namespace nothing else can be created: stop rather than fail five times.
      if (piece.type === resources.namespaces && (action.status === 'failed' || action.status === 'skipped'))
        break;
    }
    const created = actions.filter((a) => a.status === 'applied' || a.status === 'planned');
    return {
      summary: `tenant ${namespace} (tier ${tier}${owner ? `, owner ${owner}` : ''}): ${created.length} of ${missing.length} missing objects ${ctx.safety.mode === 'apply' ? 'created' : 'planned (dry-run)'}`,
      findings,
      data: {
        namespace,
        tier,
        owner: owner ?? null,
        missing: missing.map((p) => `${p.type.kind}/${p.object.metadata.name}`),
      },
    };
  },
});

/** The `{}` run: every tenant this bot provisioned still has its pieces (Kyverno's synchronize). */
async function checkProvisioned(ctx: Context) {
  const findings: Finding[] = [];
  const errors: ReportError[] = [];
  const selector = { labelSelector: `${TENANT_LABELS.managedBy}=${NAME}` };
  // Each kind read once, cluster-wide, by the label the bot puts on what it creates.
  const kinds = [
    resources.resourcequotas,
    resources.limitranges,
    resources.networkpolicies,
    resources.rolebindings,
  ];
  let namespaces: KubeObject[] = [];
  const present = new Set<string>();
  try {
    const [ns, ...lists] = await Promise.all([
      collect(ctx.k8s.list(resources.namespaces, selector)),
      ...kinds.map((k) => collect(ctx.k8s.list(k, selector))),
    ]);
    namespaces = ns ?? [];
    lists.forEach((list, i) => {
      for (const o of list ?? [])
        present.add(`${kinds[i]?.kind ?? ''}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    });
  } catch (error) {
    errors.push(reportErrorFrom(error, 'list provisioned tenants'));
    return { summary: 'could not read the provisioned tenants', findings, errors };
  }
  for (const ns of namespaces) {
    const tier = tenantTierOf(ns);
    if (!tier) continue;
    const owner = tenantOwnerOf(ns);
    const lost = tenantPieces(ns.metadata.name, tier, owner)
      .slice(1)
      .filter((p) => !present.has(`${p.type.kind}/${ns.metadata.name}/${p.object.metadata.name}`))
      .map((p) => `${p.type.kind}/${p.object.metadata.name}`);
    if (lost.length > 0)
      findings.push(
        finding({
          bot: NAME,
          check: 'provision.drift',
          severity: 'warning',
          object: nsRef(ns.metadata.name),
          message: `Tenant ${ns.metadata.name} has lost ${lost.join(', ')} since it was provisioned.`,
          evidence: { tier, owner: owner ?? null, missing: lost },
          fix: `Re-run the request to recreate them: {"namespace": "${ns.metadata.name}", "tier": "${tier}"${owner ? `, "owner": "${owner}"` : ''}}`,
        }),
      );
  }
  return {
    summary: `${namespaces.length} provisioned tenants checked, ${findings.length} with missing pieces`,
    findings,
    errors,
    data: { tenants: namespaces.length },
  };
}
