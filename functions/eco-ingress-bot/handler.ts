import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import { defineBot, runChecks, setting, takeSnapshot } from '../../shared/index.ts';
import { CHECKS, KINDS } from './checks.ts';
import { readTlsSecrets } from './secrets.ts';

const SETTINGS = {
  renewDays: setting.number({
    env: 'ECO_INGRESS_CERT_RENEW_DAYS',
    default: 30,
    min: 1,
    max: 365,
    integer: true,
    meaning:
      "days before notAfter from which a certificate is reported as expiring (cert-manager's 30 of 90 days; a third of a shorter lifetime)",
  }),
  criticalDays: setting.number({
    env: 'ECO_INGRESS_CERT_CRITICAL_DAYS',
    default: 7,
    min: 0,
    max: 365,
    integer: true,
    meaning: 'remaining days under which an expiring certificate is critical',
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
  name: 'eco-ingress-bot',
  category: 'network',
  tier: 'medium',
  summary:
    'Ingress rules to missing Services or ports, duplicate host+path, TLS Secrets missing, of the wrong type, or holding certificates that do not cover the host, are out of chain order, expired or inside the renewal window (parsed X.509)',
  triggers: { http: true, cron: '0 */6 * * *' },
  rbac: [
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list'] },
    { apiGroups: [''], resources: ['services'], verbs: ['list'] },
    // Only the Secrets an Ingress names are read, one get each (never a list of every Secret).
    { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
  ],
  mutates: false,
  input: InputSchema,
  settings: SETTINGS,
  async run(input: Static<typeof InputSchema>, ctx) {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const { tls, errors: secretErrors } = await readTlsSecrets(ctx, snap.objects.ingresses);
    const { findings, errors } = runChecks(ctx, CHECKS, { ...snap, tls }, ctx.settings, {
      ...(input.checks ? { only: input.checks } : {}),
    });
    return {
      summary: `${snap.objects.ingresses.length} ingresses and ${tls.size} TLS secrets checked; ${findings.length} findings`,
      findings: [...snap.findings, ...findings],
      errors: [...snap.errors, ...secretErrors, ...errors],
    };
  },
});
