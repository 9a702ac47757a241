// The optional safe fixes (off by default): settings that cannot break a container that does not
// need otherwise. `allowPrivilegeEscalation: false` on containers that are not privileged and add no
// capabilities (setuid binaries are the only thing it stops), and `seccompProfile: RuntimeDefault` on
// the pod when no container sets a profile of its own. As a strategic merge patch of the template:
// containers are merged by name, so nothing else in them changes.
import type { PodSpec } from './pod-spec.ts';

export interface SafeFix {
  /** What the patch sets, for the report (`containers[app].securityContext.allowPrivilegeEscalation=false`). */
  changes: string[];
  /** Strategic merge patch of the object (template path for workloads, spec for pods). */
  patch: Record<string, unknown>;
}

export function safeFix(
  kind: string,
  spec: PodSpec,
  parts: { escalation: boolean; seccomp: boolean } = { escalation: true, seccomp: true },
): SafeFix | undefined {
  const changes: string[] = [];
  const containers: Record<string, unknown>[] = [];
  for (const c of spec.containers ?? []) {
    const sc = c.securityContext;
    const risky = sc?.privileged === true || (sc?.capabilities?.add ?? []).length > 0;
    if (parts.escalation && sc?.allowPrivilegeEscalation === undefined && !risky) {
      containers.push({ name: c.name, securityContext: { allowPrivilegeEscalation: false } });
      changes.push(`containers[${c.name}].securityContext.allowPrivilegeEscalation=false`);
    }
  }
  const podSeccomp = spec.securityContext?.seccompProfile?.type;
  const containerSeccomp = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].some(
    (c) => c.securityContext?.seccompProfile?.type !== undefined,
  );
  const setSeccomp = parts.seccomp && podSeccomp === undefined && !containerSeccomp;
  if (setSeccomp) changes.push('securityContext.seccompProfile.type=RuntimeDefault');
  if (changes.length === 0) return undefined;
  const podPatch: Record<string, unknown> = {};
  if (containers.length) podPatch['containers'] = containers;
  if (setSeccomp) podPatch['securityContext'] = { seccompProfile: { type: 'RuntimeDefault' } };
  // A pod's securityContext and a Job's template cannot change after creation (the API forbids it).
  if (kind === 'Pod' || kind === 'Job') return undefined;
  const patch =
    kind === 'CronJob'
      ? { spec: { jobTemplate: { spec: { template: { spec: podPatch } } } } }
      : { spec: { template: { spec: podPatch } } };
  return { changes, patch };
}
