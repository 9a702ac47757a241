// eco-scan-bot: trivy-operator's VulnerabilityReport and ConfigAuditReport objects folded per workload
// and severity, with fixed versions where trivy knows them. trivy-operator not installed: one
// `eco-scan-bot.api-missing` finding from the snapshot, not a crash. Read-only.
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import { defineBot, finding, resources, setting, takeSnapshot } from '../../shared/index.ts';
import type { Context, Finding, ResourceType, RunResult, SettingValues } from '../../shared/index.ts';
import {
  TRIVY_SEVERITIES,
  aggregateAudits,
  aggregateVulnerabilities,
  auditDraft,
  vulnerabilityDraft,
  type TrivySeverity,
} from './aggregate.ts';

const NAME = 'eco-scan-bot';

export const VULNERABILITY_REPORTS: ResourceType = {
  group: 'aquasecurity.github.io',
  version: 'v1alpha1',
  plural: 'vulnerabilityreports',
  kind: 'VulnerabilityReport',
  namespaced: true,
};
export const CONFIG_AUDIT_REPORTS: ResourceType = {
  group: 'aquasecurity.github.io',
  version: 'v1alpha1',
  plural: 'configauditreports',
  kind: 'ConfigAuditReport',
  namespaced: true,
};

const KINDS = {
  vulnerabilityReports: VULNERABILITY_REPORTS,
  configAuditReports: CONFIG_AUDIT_REPORTS,
  replicaSets: resources.replicasets,
};

const SETTINGS = {
  minSeverity: setting.enum({
    env: 'ECO_SCAN_MIN_SEVERITY',
    values: ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'],
    default: 'LOW',
    meaning: 'workloads whose worst vulnerability or failed check is below this are not reported',
  }),
  top: setting.number({
    env: 'ECO_SCAN_TOP',
    default: 10,
    min: 1,
    max: 200,
    integer: true,
    meaning: 'vulnerabilities listed per workload in the evidence (worst first)',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union([Type.Literal('scan.vulnerabilities'), Type.Literal('scan.config-audit')]), {
        uniqueItems: true,
      }),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

/** Whether counts reach the minimum severity. */
export function reaches(counts: Record<TrivySeverity, number>, min: TrivySeverity): boolean {
  const limit = TRIVY_SEVERITIES.indexOf(min);
  return TRIVY_SEVERITIES.some((s, i) => i <= limit && counts[s] > 0);
}

export default defineBot({
  name: NAME,
  category: 'container',
  tier: 'medium',
  summary:
    'Vulnerability and configuration-audit results of trivy-operator (VulnerabilityReport, ConfigAuditReport) per workload and severity, with fixed versions',
  triggers: { cron: '15 */6 * * *', http: true, events: ['org.bsw-arch.eco.scan.requested.v1'] },
  rbac: [
    {
      apiGroups: ['aquasecurity.github.io'],
      resources: ['vulnerabilityreports', 'configauditreports'],
      verbs: ['list'],
    },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] },
  ],
  mutates: false,
  input: Input,
  settings: SETTINGS,

  async run(input: Input, ctx: Context<Settings>): Promise<RunResult> {
    const snap = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    const owners = new Map<string, string>();
    for (const rs of snap.objects.replicaSets) {
      const owner = rs.metadata.ownerReferences?.find(
        (o) => o.controller === true && o.kind === 'Deployment',
      );
      if (owner) owners.set(`${rs.metadata.namespace ?? ''}/${rs.metadata.name}`, owner.name);
    }
    const wants = (check: string): boolean => !input.checks || input.checks.includes(check as never);
    const findings: Finding[] = [...snap.findings];
    const vulnerabilities = aggregateVulnerabilities(
      [...snap.objects.vulnerabilityReports],
      owners,
      ctx.settings.top,
    );
    const audits = aggregateAudits([...snap.objects.configAuditReports], owners);
    if (wants('scan.vulnerabilities')) {
      for (const entry of vulnerabilities) {
        const draft = reaches(entry.counts, ctx.settings.minSeverity) ? vulnerabilityDraft(entry) : undefined;
        if (draft) findings.push(finding({ bot: NAME, ...draft }));
      }
    }
    if (wants('scan.config-audit')) {
      for (const entry of audits) {
        if (reaches(entry.counts, ctx.settings.minSeverity))
          findings.push(finding({ bot: NAME, ...auditDraft(entry) }));
      }
    }
    const total = (s: TrivySeverity): number => vulnerabilities.reduce((sum, e) => sum + e.counts[s], 0);
    return {
      summary: snap.missing.size
        ? 'trivy-operator is not installed: no reports to read'
        : `${vulnerabilities.length} workloads scanned: ${total('CRITICAL')} critical, ${total('HIGH')} high vulnerabilities; ${audits.length} workloads fail configuration checks`,
      findings,
      errors: [...snap.errors],
      data: {
        workloads: vulnerabilities.length,
        vulnerabilities: Object.fromEntries(TRIVY_SEVERITIES.map((s) => [s, total(s)])),
        fixable: vulnerabilities.reduce((sum, e) => sum + e.fixable, 0),
      },
    };
  },
});
