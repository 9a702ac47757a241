// eco-scan-bot's aggregation of trivy-operator reports (shapes as trivy-operator v0.32 writes them).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/index.ts';
import {
  aggregateAudits,
  aggregateVulnerabilities,
  auditDraft,
  vulnerabilityDraft,
} from '../../functions/eco-scan-bot/aggregate.ts';

function vulnReport(
  rs: string,
  container: string,
  vulns: [string, string, string, string, number?][],
): KubeObject {
  return {
    apiVersion: 'aquasecurity.github.io/v1alpha1',
    kind: 'VulnerabilityReport',
    metadata: {
      name: `replicaset-${rs}-${container}`,
      namespace: 'apps',
      labels: {
        'trivy-operator.container.name': container,
        'trivy-operator.resource.kind': 'ReplicaSet',
        'trivy-operator.resource.name': rs,
        'trivy-operator.resource.namespace': 'apps',
      },
    },
    report: {
      artifact: { repository: 'library/nginx', tag: '1.16' },
      registry: { server: 'index.docker.io' },
      summary: {},
      vulnerabilities: vulns.map(([id, severity, resource, fixedVersion, score]) => ({
        vulnerabilityID: id,
        severity,
        resource,
        installedVersion: '1.0',
        fixedVersion,
        title: '',
        primaryLink: `https://avd.aquasec.com/nvd/${id.toLowerCase()}`,
        ...(score !== undefined ? { score } : {}),
      })),
    },
  };
}

const owners = new Map([['apps/web-6d4cf56db6', 'web']]);

describe('aggregateVulnerabilities (trivy-operator VulnerabilityReport per container)', () => {
  const reports = [
    vulnReport('web-6d4cf56db6', 'app', [
      ['CVE-2019-20367', 'CRITICAL', 'libbsd0', '0.9.1-2+deb10u1', 9.1],
      ['CVE-2018-25009', 'CRITICAL', 'libwebp6', '', 9.8],
      ['CVE-2020-0001', 'HIGH', 'openssl', '1.1.1n'],
      ['CVE-2020-0002', 'LOW', 'bash', ''],
    ]),
    // The sidecar shares one CVE: counted once for the workload.
    vulnReport('web-6d4cf56db6', 'sidecar', [
      ['CVE-2020-0001', 'HIGH', 'openssl', '1.1.1n'],
      ['CVE-2021-1', 'weird', 'x', ''],
    ]),
    vulnReport('batch-5f5f5f5f5f', 'job', []),
  ];
  const [web, batch] = aggregateVulnerabilities(reports, owners);

  it('maps the ReplicaSet to its Deployment and counts per severity once per workload', () => {
    expect(web?.workload).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'apps',
      name: 'web',
    });
    expect(web?.counts).toEqual({ CRITICAL: 2, HIGH: 1, MEDIUM: 0, LOW: 1, UNKNOWN: 1 });
    expect(web?.fixable).toBe(2);
    expect(web?.containers.map((c) => c.container)).toEqual(['app', 'sidecar']);
    expect(web?.containers[0]?.image).toBe('index.docker.io/library/nginx:1.16');
  });

  it('orders the worst first (severity, then score)', () => {
    expect(web?.top.map((v) => v.vulnerabilityID)).toEqual([
      'CVE-2018-25009',
      'CVE-2019-20367',
      'CVE-2020-0001',
      'CVE-2020-0002',
      'CVE-2021-1',
    ]);
  });

  it('a finding per workload with fixed versions in the fix', () => {
    const draft = vulnerabilityDraft(web!);
    expect(draft).toMatchObject({
      check: 'scan.vulnerabilities',
      severity: 'critical',
      message:
        'Deployment web has 5 known vulnerabilities (2 critical, 1 high, 1 low, 1 unknown), 2 with a fixed version',
    });
    expect(draft?.fix).toContain('libbsd0 1.0 → 0.9.1-2+deb10u1 (CVE-2019-20367)');
  });

  it('a ReplicaSet without a known Deployment stays a ReplicaSet; a clean one has no finding', () => {
    expect(batch?.workload.kind).toBe('ReplicaSet');
    expect(vulnerabilityDraft(batch!)).toBeUndefined();
  });
});

describe('aggregateAudits (ConfigAuditReport)', () => {
  it('keeps failed checks only, worst first, and maps the severity', () => {
    const report: KubeObject = {
      metadata: {
        name: 'replicaset-web-6d4cf56db6',
        namespace: 'apps',
        labels: {
          'trivy-operator.resource.kind': 'ReplicaSet',
          'trivy-operator.resource.name': 'web-6d4cf56db6',
          'trivy-operator.resource.namespace': 'apps',
        },
      },
      report: {
        checks: [
          {
            checkID: 'KSV110',
            title: 'The default namespace should not be used',
            severity: 'LOW',
            success: false,
            messages: ['m'],
          },
          {
            checkID: 'KSV001',
            title: 'Process can elevate its own privileges',
            severity: 'HIGH',
            success: false,
          },
          { checkID: 'KSV003', title: 'Default capabilities not dropped', severity: 'HIGH', success: true },
        ],
      },
    };
    const [audit] = aggregateAudits([report], owners);
    expect(audit?.failed.map((f) => f.checkID)).toEqual(['KSV001', 'KSV110']);
    expect(auditDraft(audit!)).toMatchObject({
      severity: 'warning',
      fix: 'start with KSV001: Process can elevate its own privileges',
    });
    expect(aggregateAudits([{ ...report, report: { checks: [] } }], owners)).toEqual([]);
  });
});
