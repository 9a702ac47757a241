// trivy-operator in the demo cluster: its two CRDs (aquasecurity.github.io/v1alpha1, as trivy-operator
// v0.32 installs them; schemas reduced to preserve-unknown-fields, the emulator does not validate CRs)
// and reports as trivy-operator writes them: one per container of each workload, on its ReplicaSet,
// labelled trivy-operator.resource.* / trivy-operator.container.name.
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { Builder } from './build.ts';
import { podTemplateHash } from './workloads.ts';

const GROUP = 'aquasecurity.github.io';

function crd(plural: string, kind: string, shortNames: string[]): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}`, labels: { 'app.kubernetes.io/managed-by': 'helm' } },
    spec: {
      group: GROUP,
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        shortNames,
        categories: ['all'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

/** The current ReplicaSet of a demo Deployment (see workloads.ts). */
function currentReplicaSet(ns: string, name: string, revisions: number): string {
  return `${name}-${podTemplateHash(`${ns}/${name}/${revisions}`)}`;
}

function labels(ns: string, rs: string, container: string): Record<string, string> {
  return {
    'trivy-operator.resource.kind': 'ReplicaSet',
    'trivy-operator.resource.name': rs,
    'trivy-operator.resource.namespace': ns,
    'trivy-operator.container.name': container,
    'app.kubernetes.io/managed-by': 'trivy-operator',
  };
}

type Vuln = [id: string, severity: string, resource: string, installed: string, fixed: string, score: number];

function vulnerabilityReport(
  b: Builder,
  ns: string,
  rs: string,
  container: string,
  repo: string,
  tag: string,
  vulns: Vuln[],
): KubeObject {
  const count = (s: string): number => vulns.filter((v) => v[1] === s).length;
  return {
    apiVersion: `${GROUP}/v1alpha1`,
    kind: 'VulnerabilityReport',
    metadata: b.meta('VulnerabilityReport', ns, `replicaset-${rs}-${container}`, '1d', {
      labels: labels(ns, rs, container),
    }),
    report: {
      artifact: { repository: repo, tag },
      registry: { server: 'registry.eco.local' },
      os: { family: 'wolfi', name: '20230201' },
      scanner: { name: 'Trivy', vendor: 'Aqua Security', version: '0.68.1' },
      summary: {
        criticalCount: count('CRITICAL'),
        highCount: count('HIGH'),
        mediumCount: count('MEDIUM'),
        lowCount: count('LOW'),
        unknownCount: count('UNKNOWN'),
        noneCount: 0,
      },
      updateTimestamp: b.ts('1d'),
      vulnerabilities: vulns.map(
        ([vulnerabilityID, severity, resource, installedVersion, fixedVersion, score]) => ({
          vulnerabilityID,
          severity,
          resource,
          installedVersion,
          fixedVersion,
          score,
          title: '',
          primaryLink: `https://avd.aquasec.com/nvd/${vulnerabilityID.toLowerCase()}`,
          links: [],
          target: `registry.eco.local/${repo}:${tag}`,
        }),
      ),
    },
  };
}

export function addTrivyReports(b: Builder): void {
  b.add(crd('vulnerabilityreports', 'VulnerabilityReport', ['vuln', 'vulns']));
  b.add(crd('configauditreports', 'ConfigAuditReport', ['configaudit', 'configaudits']));
  const storefront = currentReplicaSet('shop', 'storefront', 5);
  b.add(
    vulnerabilityReport(b, 'shop', storefront, 'storefront', 'shop/storefront', '3.8.2', [
      ['CVE-2024-45337', 'CRITICAL', 'golang.org/x/crypto', 'v0.28.0', '0.31.0', 9.1],
      ['CVE-2025-22869', 'HIGH', 'golang.org/x/crypto', 'v0.28.0', '0.35.0', 7.5],
      ['CVE-2024-45338', 'MEDIUM', 'golang.org/x/net', 'v0.30.0', '0.33.0', 5.3],
      ['CVE-2025-0001', 'LOW', 'busybox', '1.36.1-r0', '', 3.1],
    ]),
  );
  // A clean scan: the look-alike the bot must leave alone.
  const cart = currentReplicaSet('shop', 'cart', 1);
  b.add(vulnerabilityReport(b, 'shop', cart, 'cart', 'shop/cart', '2.1.0', []));
  const crashy = currentReplicaSet('legacy', 'crashy-worker', 1);
  b.add({
    apiVersion: `${GROUP}/v1alpha1`,
    kind: 'ConfigAuditReport',
    metadata: b.meta('ConfigAuditReport', 'legacy', `replicaset-${crashy}`, '1d', {
      // A ConfigAuditReport is per workload, not per container.
      labels: Object.fromEntries(
        Object.entries(labels('legacy', crashy, '')).filter(([k]) => k !== 'trivy-operator.container.name'),
      ),
    }),
    report: {
      scanner: { name: 'Trivy', vendor: 'Aqua Security', version: '0.68.1' },
      summary: { criticalCount: 0, highCount: 1, mediumCount: 1, lowCount: 0 },
      updateTimestamp: b.ts('1d'),
      checks: [
        {
          checkID: 'KSV001',
          title: 'Process can elevate its own privileges',
          severity: 'MEDIUM',
          category: 'Kubernetes Security Check',
          success: false,
          messages: [
            "Container 'worker' of ReplicaSet should set 'securityContext.allowPrivilegeEscalation' to false",
          ],
        },
        {
          checkID: 'KSV014',
          title: 'Root file system is not read-only',
          severity: 'HIGH',
          category: 'Kubernetes Security Check',
          success: false,
          messages: ["Container 'worker' should set 'securityContext.readOnlyRootFilesystem' to true"],
        },
        {
          checkID: 'KSV003',
          title: 'Default capabilities not dropped',
          severity: 'LOW',
          success: true,
          messages: [],
        },
      ],
    },
  });
}
