import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import { defineBot, runChecks, setting, takeSnapshot } from '../../shared/index.ts';
import { CHECKS, KINDS } from './checks.ts';
import { PRICE_BOOK_RBAC, PRICE_BOOK_SETTINGS, priceBookFor } from '../../shared/cost/index.ts';
import { loadBalancerPrice } from './price.ts';

const SETTINGS = {
  pendingAfter: setting.duration({
    env: 'ECO_LOADBALANCER_PENDING_AFTER',
    default: '15m',
    min: '1m',
    meaning: 'how long a LoadBalancer Service may wait for an external address before it is reported',
  }),
  ...PRICE_BOOK_SETTINGS,
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
  rbac: [
    { apiGroups: [''], resources: ['services', 'endpoints', 'nodes'], verbs: ['list'] },
    // The price book's ConfigMap (ECO_PRICE_BOOK_CONFIGMAP), when one is named.
    PRICE_BOOK_RBAC,
  ],
  mutates: false,
  input: InputSchema,
  settings: SETTINGS,
  async run(input: Static<typeof InputSchema>, ctx) {
    const [snap, { book, errors: bookErrors }] = await Promise.all([
      takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {}),
      priceBookFor(ctx, ctx.settings),
    ]);
    const settings = { pendingAfter: ctx.settings.pendingAfter, price: loadBalancerPrice(book) };
    const { findings, errors } = runChecks(ctx, CHECKS, snap, settings, {
      ...(input.checks ? { only: input.checks } : {}),
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
      errors: [...snap.errors, ...bookErrors, ...errors],
      data: {
        loadBalancers: lbs.length,
        monthlyCost: Math.round(monthly * 100) / 100,
        currency: settings.price.currency,
      },
    };
  },
});
