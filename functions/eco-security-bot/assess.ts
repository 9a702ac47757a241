// From cluster objects to what eco-security-bot reports: which objects to judge (top-level workloads
// and bare pods, never the pods a controller manages, so one problem is one finding), the checks'
// results per object grouped into finding check ids, per-namespace levels and Polaris scores.
import type { CheckResult, PssLevel } from './pss.ts';
import { evaluatePod, podSecurityLevel } from './pss.ts';
import { isTopLevelWorkload } from '../../shared/workloads/index.ts';
import type { PodSpec } from './pod-spec.ts';
import { podTemplateOf } from './pod-spec.ts';
import type { ScoreCounts } from './score.ts';
import { addResults, emptyCounts } from './score.ts';

/** Finding check ids, each covering one or more PSS checks (the demo's PLANTED rows use the first two). */
export const CHECK_GROUPS: Record<string, string> = {
  privileged: 'security.privileged',
  'host-process': 'security.host-access',
  'host-namespaces': 'security.host-access',
  'host-path': 'security.host-access',
  'host-ports': 'security.host-access',
  capabilities: 'security.capabilities',
  'capabilities-strict': 'security.capabilities',
  'privilege-escalation': 'security.privilege-escalation',
  'run-as-non-root': 'security.run-as-root',
  'run-as-non-root-user': 'security.run-as-root',
  seccomp: 'security.seccomp',
  'seccomp-strict': 'security.seccomp',
  apparmor: 'security.apparmor',
  selinux: 'security.selinux',
  'proc-mount': 'security.proc-mount',
  sysctls: 'security.sysctls',
  'volume-types': 'security.volume-types',
  'read-only-root-filesystem': 'security.read-only-root-filesystem',
};

export interface ObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    ownerReferences?: { kind?: string; controller?: boolean }[];
  };
  spec?: unknown;
  status?: { phase?: string };
}

/**
 * The objects to judge: workloads not managed by another workload kind (a Deployment's
 * ReplicaSets, a CronJob's Jobs, any controller's Pods are judged through their owner), plus bare
 * pods. Finished pods (Succeeded, Failed) are left out: nothing runs there any more.
 */
export function topLevel(objects: readonly ObjectLike[]): ObjectLike[] {
  return objects.filter(isTopLevelWorkload);
}

/** Polaris' exemption annotations (all checks, or one check by its id). */
export function exemptChecks(annotations: Readonly<Record<string, string>> | undefined): 'all' | Set<string> {
  const a = annotations ?? {};
  if (a['polaris.fairwinds.com/exempt'] === 'true' || a['eco.bsw-arch.org/security-exempt'] === 'true')
    return 'all';
  const out = new Set<string>();
  for (const [k, v] of Object.entries(a)) {
    const m = /^(?:polaris\.fairwinds\.com|eco\.bsw-arch\.org)\/(.+)-exempt$/.exec(k);
    if (m && v === 'true') out.add(m[1] as string);
  }
  return out;
}

export interface Assessment {
  object: ObjectLike;
  spec: PodSpec;
  /** Field path of the pod spec in the object (`spec.template.spec`). */
  prefix: string;
  results: CheckResult[];
  level: PssLevel;
  counts: ScoreCounts;
}

/** Runs the checks on one workload or pod; undefined when it has no pod spec. */
export function assess(object: ObjectLike): Assessment | undefined {
  const t = podTemplateOf(object as Parameters<typeof podTemplateOf>[0]);
  if (!t) return undefined;
  const exempt = exemptChecks({ ...(object.metadata.annotations ?? {}), ...t.annotations });
  if (exempt === 'all') return undefined;
  const results = evaluatePod(t.spec, t.annotations).filter((r) => !exempt.has(r.check.id));
  return {
    object,
    spec: t.spec,
    prefix: t.prefix,
    results,
    level: podSecurityLevel(results),
    counts: addResults(emptyCounts(), results),
  };
}
