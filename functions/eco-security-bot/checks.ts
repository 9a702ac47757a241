// eco-security-bot's checks over its view of the cluster: one check per finding id (the PSS checks
// grouped as in CHECK_GROUPS), plus the namespace pod-security labels against what the pods meet.
import { check } from '../../shared/index.ts';
import type { Check, CheckResult as KitResult, ObjectRef } from '../../shared/index.ts';
import type { Assessment } from './assess.ts';
import { CHECK_GROUPS } from './assess.ts';
import type { PssLevel } from './pss.ts';
import { PSS_CHECKS, compareNamespaceLabels } from './pss.ts';
import type { ScoreCounts } from './score.ts';

export interface SecurityView {
  assessments: readonly Assessment[];
  /** Namespace name -> its labels, for the namespaces that were read. */
  namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Namespace -> the weakest level its judged objects meet, and its score counts. */
  byNamespace: ReadonlyMap<string, { level: PssLevel; counts: ScoreCounts; objects: number }>;
}

export interface SecuritySettings {
  /** Report restricted (and hardening) checks too, or baseline only. */
  level: 'baseline' | 'restricted';
}

const refOf = (a: Assessment): ObjectRef => ({
  apiVersion: a.object.apiVersion ?? 'v1',
  kind: a.object.kind ?? 'Pod',
  ...(a.object.metadata.namespace ? { namespace: a.object.metadata.namespace } : {}),
  name: a.object.metadata.name,
});

const ANCHORS: Record<string, string> = {
  'security.privileged':
    'PSS baseline "Privileged Containers"; Polaris runAsPrivileged (danger); Kyverno disallow-privileged-containers',
  'security.host-access':
    'PSS baseline "Host Namespaces", "HostPath Volumes", "Host Ports", "HostProcess"; Polaris hostNetworkSet/hostPIDSet/hostIPCSet (danger), hostPathSet/hostPortSet (warning)',
  'security.capabilities':
    'PSS baseline "Capabilities" and restricted "Capabilities"; Polaris dangerousCapabilities (danger), insecureCapabilities (warning)',
  'security.privilege-escalation':
    'PSS restricted "Privilege Escalation"; Polaris privilegeEscalationAllowed (danger)',
  'security.run-as-root':
    'PSS restricted "Running as Non-root" and "Running as Non-root user"; Polaris runAsRootAllowed (danger)',
  'security.seccomp': 'PSS baseline and restricted "Seccomp"; Polaris linuxHardening (warning)',
  'security.apparmor': 'PSS baseline "AppArmor"; Kyverno restrict-apparmor-profiles',
  'security.selinux': 'PSS baseline "SELinux"; Kyverno disallow-selinux',
  'security.proc-mount': 'PSS baseline "/proc Mount Type"; Polaris procMount (warning)',
  'security.sysctls': 'PSS baseline "Sysctls"; Kyverno restrict-sysctls',
  'security.volume-types': 'PSS restricted "Volume Types"; Kyverno restrict-volume-types',
  'security.read-only-root-filesystem':
    'Polaris notReadOnlyRootFilesystem (warning); kube-score container-security-context-readonlyrootfilesystem',
};

function groupCheck(id: string): Check<SecurityView, SecuritySettings> {
  const members = PSS_CHECKS.filter((c) => CHECK_GROUPS[c.id] === id);
  const danger = members.some((c) => c.severity === 'danger');
  return check<SecurityView, SecuritySettings>({
    id,
    severity: danger ? 'critical' : 'warning',
    title: members.map((m) => m.title).join('; '),
    anchor: ANCHORS[id] ?? 'Pod Security Standards',
    *run(view, settings) {
      for (const a of view.assessments) {
        for (const r of a.results) {
          if (CHECK_GROUPS[r.check.id] !== id || r.violations.length === 0) continue;
          if (settings.level === 'baseline' && r.check.level !== 'baseline') continue;
          const where = [
            ...new Set(r.violations.map((v) => (v.container ? `container ${v.container}` : 'the pod'))),
          ].join(', ');
          const result: KitResult = {
            object: refOf(a),
            discriminator: r.check.id,
            severity: r.check.severity === 'danger' ? 'critical' : 'warning',
            message: `${r.check.title} in ${where} (${r.check.level === 'hardening' ? 'hardening' : `PSS ${r.check.level}`}: ${r.check.id})`,
            evidence: {
              pssCheck: r.check.id,
              level: r.check.level,
              polaris: r.check.severity,
              podMeets: a.level,
              violations: r.violations.map((v) => ({
                field: `${a.prefix}.${v.field}`,
                ...(v.container ? { container: v.container } : {}),
                value: v.value,
              })),
            },
            fix: r.check.fix,
          };
          yield result;
        }
      }
    },
  });
}

export const namespaceLabels = check<SecurityView, SecuritySettings>({
  id: 'security.namespace-label',
  severity: 'warning',
  title: 'pod-security.kubernetes.io labels that do not match what the pods meet',
  anchor: 'Pod Security admission namespace labels (pod-security.kubernetes.io/enforce|audit|warn)',
  *run(view) {
    for (const [ns, labels] of view.namespaces) {
      const stats = view.byNamespace.get(ns);
      if (!stats) continue; // nothing judged there: no opinion on its labels
      for (const f of compareNamespaceLabels(labels, stats.level)) {
        const object: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: ns };
        const label = `pod-security.kubernetes.io/${f.mode}`;
        const common = {
          object,
          discriminator: `${f.mode}:${f.kind}`,
          evidence: { mode: f.mode, label: f.label ?? null, podsMeet: f.podsMeet, objects: stats.objects },
        };
        if (f.kind === 'enforce-too-strict')
          yield {
            ...common,
            message: `${label}=${f.label} but its workloads only meet ${f.podsMeet}: their pods will be rejected when recreated`,
            fix: `fix the workloads' security contexts, or set ${label}=${f.podsMeet}`,
          };
        else if (f.kind === 'invalid-label')
          yield {
            ...common,
            message: `${label}=${f.label} is not a Pod Security level (privileged, baseline, restricted)`,
            fix: `kubectl label ns ${ns} ${label}=${f.podsMeet} --overwrite`,
          };
        else if (f.kind === 'unlabelled')
          yield {
            ...common,
            severity: 'info',
            message: `no ${label} label; every workload already meets ${f.podsMeet}, so it can be enforced`,
            fix: `kubectl label ns ${ns} ${label}=${f.podsMeet}`,
          };
        else
          yield {
            ...common,
            severity: 'info',
            message: `${label}=${f.label} while every workload meets ${f.podsMeet}: it could enforce more`,
            fix: `kubectl label ns ${ns} ${label}=${f.podsMeet} --overwrite`,
          };
      }
    }
  },
});

const GROUP_IDS = [...new Set(PSS_CHECKS.map((c) => CHECK_GROUPS[c.id] as string))];
export const CHECKS: readonly Check<SecurityView, SecuritySettings>[] = [
  ...GROUP_IDS.map(groupCheck),
  namespaceLabels,
];
export const CHECK_IDS: readonly string[] = CHECKS.map((c) => c.id);
