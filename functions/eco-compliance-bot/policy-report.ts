// Results as a wgpolicyk8s.io/v1alpha2 PolicyReport (namespaced) or ClusterPolicyReport, the
// Kubernetes policy working group's format that Kyverno writes, so the same dashboards and
// policy-reporter UIs read the bot's compliance results.
import type { Control } from './controls.ts';

export type PolicyResult = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface ControlResult {
  control: Control;
  result: PolicyResult;
  resource: ResourceRef;
  message: string;
  properties?: Record<string, string>;
}

export const REPORT_POLICY = 'eco-compliance';
export const REPORT_SOURCE = 'eco-compliance-bot';
export const REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';

const SEVERITY: Record<Control['severity'], string> = { critical: 'high', warning: 'medium', info: 'info' };

export interface PolicyReportObject {
  apiVersion: string;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  summary: Record<PolicyResult, number>;
  results: Record<string, unknown>[];
}

/** One report per namespace (results with no namespace go into the ClusterPolicyReport). */
export function buildPolicyReports(results: readonly ControlResult[], now: Date): PolicyReportObject[] {
  const byNamespace = new Map<string, ControlResult[]>();
  for (const r of results) {
    const ns = r.resource.namespace ?? '';
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), r]);
  }
  const seconds = Math.floor(now.getTime() / 1000);
  const reports: PolicyReportObject[] = [];
  for (const [ns, list] of [...byNamespace.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const summary: Record<PolicyResult, number> = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const r of list) summary[r.result] += 1;
    reports.push({
      apiVersion: REPORT_API_VERSION,
      kind: ns ? 'PolicyReport' : 'ClusterPolicyReport',
      metadata: {
        name: REPORT_POLICY,
        ...(ns ? { namespace: ns } : {}),
        labels: { 'app.kubernetes.io/managed-by': REPORT_SOURCE },
      },
      summary,
      results: list.map((r) => ({
        source: REPORT_SOURCE,
        policy: REPORT_POLICY,
        rule: r.control.check.replace(/^compliance\./, ''),
        category: r.control.id.split('-').slice(0, 2).join('-'),
        severity: SEVERITY[r.control.severity],
        result: r.result,
        scored: true,
        message: r.message,
        timestamp: { seconds, nanos: 0 },
        resources: [r.resource],
        properties: { control: r.control.id, ...(r.properties ?? {}) },
      })),
    });
  }
  return reports;
}
