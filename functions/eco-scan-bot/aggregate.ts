// trivy-operator's reports folded per workload and severity, pure (unit-tested). trivy-operator
// writes one VulnerabilityReport and one ConfigAuditReport per container of each workload, labelled
// `trivy-operator.resource.{kind,name,namespace}` and `trivy-operator.container.name`; a Deployment's
// reports hang off its current ReplicaSet, so the ReplicaSet is mapped to its Deployment here.
import type { FindingInput, KubeObject, ObjectRef, Severity } from '../../shared/index.ts';

export type Draft = Omit<FindingInput, 'bot'>;

export const TRIVY_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type TrivySeverity = (typeof TRIVY_SEVERITIES)[number];

export interface Vulnerability {
  vulnerabilityID: string;
  severity: TrivySeverity;
  resource: string;
  installedVersion: string;
  fixedVersion: string;
  title: string;
  primaryLink?: string;
  score?: number;
}

export interface WorkloadKey {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface WorkloadVulnerabilities {
  workload: WorkloadKey;
  counts: Record<TrivySeverity, number>;
  /** Distinct CVE ids with a fixed version. */
  fixable: number;
  containers: { container: string; image: string; counts: Record<TrivySeverity, number> }[];
  /** The worst first: severity, then score; with fixed versions where known. */
  top: (Vulnerability & { container: string })[];
}

export interface WorkloadAudit {
  workload: WorkloadKey;
  failed: { checkID: string; title: string; severity: TrivySeverity; messages: string[] }[];
  counts: Record<TrivySeverity, number>;
}

const APPS_KINDS: Record<string, string> = {
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Pod: 'v1',
};

/** The workload a report is about; a ReplicaSet owned by a Deployment becomes the Deployment. */
export function workloadOf(
  report: KubeObject,
  replicaSetOwners: Map<string, string>,
): WorkloadKey | undefined {
  const labels = report.metadata.labels ?? {};
  const kind = labels['trivy-operator.resource.kind'];
  const name = labels['trivy-operator.resource.name'];
  const namespace = labels['trivy-operator.resource.namespace'] ?? report.metadata.namespace;
  if (!kind || !name || !namespace) return undefined;
  if (kind === 'ReplicaSet') {
    const deployment = replicaSetOwners.get(`${namespace}/${name}`);
    if (deployment) return { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: deployment };
  }
  return { apiVersion: APPS_KINDS[kind] ?? 'v1', kind, namespace, name };
}

const zero = (): Record<TrivySeverity, number> => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 });
const rank = (s: TrivySeverity): number => TRIVY_SEVERITIES.indexOf(s);

function asSeverity(value: unknown): TrivySeverity {
  const upper = typeof value === 'string' ? value.toUpperCase() : '';
  return (TRIVY_SEVERITIES as readonly string[]).includes(upper) ? (upper as TrivySeverity) : 'UNKNOWN';
}

function vulnerabilitiesOf(report: KubeObject): Vulnerability[] {
  const list = (report.report as { vulnerabilities?: unknown } | undefined)?.vulnerabilities;
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw: unknown): Vulnerability[] => {
    if (raw === null || typeof raw !== 'object') return [];
    const v = raw as Record<string, unknown>;
    if (typeof v.vulnerabilityID !== 'string') return [];
    return [
      {
        vulnerabilityID: v.vulnerabilityID,
        severity: asSeverity(v.severity),
        resource: typeof v.resource === 'string' ? v.resource : '',
        installedVersion: typeof v.installedVersion === 'string' ? v.installedVersion : '',
        fixedVersion: typeof v.fixedVersion === 'string' ? v.fixedVersion : '',
        title: typeof v.title === 'string' ? v.title : '',
        ...(typeof v.primaryLink === 'string' ? { primaryLink: v.primaryLink } : {}),
        ...(typeof v.score === 'number' ? { score: v.score } : {}),
      },
    ];
  });
}

function imageOf(report: KubeObject): string {
  const body = report.report as
    | { registry?: { server?: string }; artifact?: { repository?: string; tag?: string; digest?: string } }
    | undefined;
  const server = body?.registry?.server ? `${body.registry.server}/` : '';
  const repo = body?.artifact?.repository ?? '';
  const suffix = body?.artifact?.tag
    ? `:${body.artifact.tag}`
    : body?.artifact?.digest
      ? `@${body.artifact.digest}`
      : '';
  return `${server}${repo}${suffix}`;
}

export function aggregateVulnerabilities(
  reports: KubeObject[],
  replicaSetOwners: Map<string, string>,
  topN = 10,
): WorkloadVulnerabilities[] {
  const byWorkload = new Map<
    string,
    WorkloadVulnerabilities & { ids: Set<string>; fixableIds: Set<string> }
  >();
  for (const report of reports) {
    const workload = workloadOf(report, replicaSetOwners);
    if (!workload) continue;
    const key = `${workload.kind}/${workload.namespace}/${workload.name}`;
    let entry = byWorkload.get(key);
    if (!entry) {
      entry = {
        workload,
        counts: zero(),
        fixable: 0,
        containers: [],
        top: [],
        ids: new Set(),
        fixableIds: new Set(),
      };
      byWorkload.set(key, entry);
    }
    const container = report.metadata.labels?.['trivy-operator.container.name'] ?? '';
    const counts = zero();
    for (const v of vulnerabilitiesOf(report)) {
      counts[v.severity]++;
      // The same CVE in two containers of one workload counts once for the workload.
      const id = `${v.vulnerabilityID} ${v.resource}`;
      if (!entry.ids.has(id)) {
        entry.ids.add(id);
        entry.counts[v.severity]++;
        entry.top.push({ ...v, container });
      }
      if (v.fixedVersion) entry.fixableIds.add(v.vulnerabilityID);
    }
    entry.containers.push({ container, image: imageOf(report), counts });
  }
  return [...byWorkload.values()].map(({ ids: _ids, fixableIds, ...rest }) => ({
    ...rest,
    fixable: fixableIds.size,
    top: rest.top
      .sort(
        (a, b) =>
          rank(a.severity) - rank(b.severity) ||
          (b.score ?? 0) - (a.score ?? 0) ||
          a.vulnerabilityID.localeCompare(b.vulnerabilityID),
      )
      .slice(0, topN),
  }));
}

export function aggregateAudits(
  reports: KubeObject[],
  replicaSetOwners: Map<string, string>,
): WorkloadAudit[] {
  const byWorkload = new Map<string, WorkloadAudit>();
  for (const report of reports) {
    const workload = workloadOf(report, replicaSetOwners);
    if (!workload) continue;
    const key = `${workload.kind}/${workload.namespace}/${workload.name}`;
    const entry = byWorkload.get(key) ?? { workload, failed: [], counts: zero() };
    byWorkload.set(key, entry);
    const checks = (report.report as { checks?: unknown } | undefined)?.checks;
    for (const raw of Array.isArray(checks) ? checks : []) {
      if (raw === null || typeof raw !== 'object') continue;
      const c = raw as Record<string, unknown>;
      if (c.success !== false || typeof c.checkID !== 'string') continue;
      if (entry.failed.some((f) => f.checkID === c.checkID)) continue;
      const severity = asSeverity(c.severity);
      entry.counts[severity]++;
      entry.failed.push({
        checkID: c.checkID,
        title: typeof c.title === 'string' ? c.title : '',
        severity,
        messages: Array.isArray(c.messages)
          ? c.messages.filter((m): m is string => typeof m === 'string')
          : [],
      });
    }
    entry.failed.sort((a, b) => rank(a.severity) - rank(b.severity) || a.checkID.localeCompare(b.checkID));
  }
  return [...byWorkload.values()].filter((e) => e.failed.length > 0);
}

/** CRITICAL → critical, HIGH → warning, anything else → info. */
export function findingSeverity(counts: Record<TrivySeverity, number>): Severity {
  if (counts.CRITICAL > 0) return 'critical';
  if (counts.HIGH > 0) return 'warning';
  return 'info';
}

function refOf(workload: WorkloadKey): ObjectRef {
  return {
    apiVersion: workload.apiVersion,
    kind: workload.kind,
    namespace: workload.namespace,
    name: workload.name,
  };
}

function countsText(counts: Record<TrivySeverity, number>): string {
  return TRIVY_SEVERITIES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s.toLowerCase()}`)
    .join(', ');
}

export function vulnerabilityDraft(entry: WorkloadVulnerabilities): Draft | undefined {
  const total = TRIVY_SEVERITIES.reduce((sum, s) => sum + entry.counts[s], 0);
  if (total === 0) return undefined;
  const fixes = entry.top
    .filter((v) => v.fixedVersion)
    .slice(0, 3)
    .map((v) => `${v.resource} ${v.installedVersion} → ${v.fixedVersion} (${v.vulnerabilityID})`);
  return {
    check: 'scan.vulnerabilities',
    severity: findingSeverity(entry.counts),
    object: refOf(entry.workload),
    message: `${entry.workload.kind} ${entry.workload.name} has ${total} known vulnerabilities (${countsText(entry.counts)}), ${entry.fixable} with a fixed version`,
    evidence: {
      counts: entry.counts,
      fixable: entry.fixable,
      containers: entry.containers,
      top: entry.top.map((v) => ({
        id: v.vulnerabilityID,
        severity: v.severity,
        package: v.resource,
        installed: v.installedVersion,
        fixed: v.fixedVersion || undefined,
        container: v.container,
        link: v.primaryLink,
      })),
    },
    fix: fixes.length
      ? `rebuild with the fixed packages: ${fixes.join('; ')}`
      : 'no fixed versions yet: watch the advisories, or move to a base image with fewer packages (Wolfi)',
  };
}

export function auditDraft(entry: WorkloadAudit): Draft {
  const worst = entry.failed[0];
  return {
    check: 'scan.config-audit',
    severity: findingSeverity(entry.counts),
    object: refOf(entry.workload),
    message: `${entry.workload.kind} ${entry.workload.name} fails ${entry.failed.length} configuration checks (${countsText(entry.counts)})`,
    evidence: { counts: entry.counts, failed: entry.failed },
    fix: worst ? `start with ${worst.checkID}: ${worst.title}` : 'see the failed checks',
  };
}
