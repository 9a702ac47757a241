import { Type, type Static } from '@sinclair/typebox';
import { defineBot, runChecks, setting, takeSnapshot } from '../../shared/index.ts';
import { CHECKS, KINDS } from './checks.ts';
import { HOURS_PER_MONTH, OPENCOST_LB_HOURLY_USD } from './price.ts';

const SETTINGS = {
  pendingAfter: setting.duration({
    env: 'ECO_LOADBALANCER_PENDING_AFTER',
    default: '15m',
    min: '1m',
    meaning: 'how long a LoadBalancer Service may wait for an external address before it is reported',
  }),
  hourlyPrice: setting.number({
    env: 'ECO_LOADBALANCER_HOURLY_PRICE',
    default: OPENCOST_LB_HOURLY_USD,
    min: 0,
    max: 100,
    meaning: `price of one load balancer per hour (default OpenCost's GCP forwarding-rule rate; ${HOURS_PER_MONTH} h a month)`,
  }),
  currency: setting.string({
    env: 'ECO_LOADBALANCER_CURRENCY',
    default: 'USD',
    pattern: /^[A-Z]{3}$/,
    meaning: 'ISO 4217 currency of ECO_LOADBALANCER_HOURLY_PRICE',
  }),
};

const InputSchema = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

export default defineBot({
  name: 'eco-loadbalancer-bot',
  category: 'network',
  tier: 'medium',
  summary:
    'LoadBalancer Services pending an address, their monthly cost, LoadBalancers with no or a single ready endpoint, NodePort services, externalTrafficPolicy Local where pods do not run on every node that receives traffic',
  triggers: { http: true, cron: '*/15 * * * *' },
  rbac: [{ apiGroups: [''], resources: ['services', 'endpoints', 'nodes'], verbs: ['list'] }],
  mutates: false,
  input: InputSchema,
  settings: SETTINGS,
  async run(input: Static<typeof InputSchema>, ctx) {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const settings = {
      pendingAfter: ctx.settings.pendingAfter,
      price: { hourly: ctx.settings.hourlyPrice, currency: ctx.settings.currency },
    };
    const { findings, errors } = runChecks(ctx, CHECKS, snap, settings, {
      ...(input.checks ? { only: input.checks } : {}),
      runbook: () => 'docs/network.md#eco-loadbalancer-bot',
    });
    const lbs = snap.objects.services.filter(
      (s) => (s['spec'] as { type?: string } | undefined)?.type === 'LoadBalancer',
    );
    const monthly = findings
      .filter((f) => f.check === 'loadbalancer.cost')
      .reduce((sum, f) => sum + (f.impact?.monthlyCost ?? 0), 0);
    return {
      summary: `${lbs.length} LoadBalancer and ${snap.objects.services.length - lbs.length} other services checked; ${findings.length} findings; LoadBalancers cost about ${Math.round(monthly * 100) / 100} ${settings.price.currency} a month`,
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...errors],
      data: {
        loadBalancers: lbs.length,
        monthlyCost: Math.round(monthly * 100) / 100,
        currency: settings.price.currency,
      },
    };
  },
});
