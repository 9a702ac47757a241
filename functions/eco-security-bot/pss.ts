// The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards), check
// by check, as the Pod Security admission controller and Kyverno's pod-security policies apply
// them, plus the read-only root filesystem check Polaris and kube-score add. Each check lists its
// violations with the field path, so a report can say exactly what to change.
import type { PlacedContainer, PodSpec, SecurityContext } from './pod-spec.ts';
import { allContainers } from './pod-spec.ts';

export type PssLevel = 'privileged' | 'baseline' | 'restricted';
/** The PSS level a check belongs to; `hardening` checks are outside PSS (Polaris, kube-score). */
export type CheckLevel = 'baseline' | 'restricted' | 'hardening';
/** Polaris' severities, which weigh the score. */
export type PolarisSeverity = 'danger' | 'warning';

export interface Violation {
  /** Field path inside the pod spec, e.g. `containers[0].securityContext.privileged`. */
  field: string;
  /** The container, when the violation is in one. */
  container?: string;
  /** What is set (never a secret: only security settings). */
  value: unknown;
}

export interface PssCheck {
  id: string;
  level: CheckLevel;
  severity: PolarisSeverity;
  /** Evaluated once per pod, or once per container (which weighs the score per container). */
  scope: 'pod' | 'container';
  title: string;
  /** What to do about a violation. */
  fix: string;
  evaluate(spec: PodSpec, annotations: Readonly<Record<string, string>>): Violation[];
}

/** Capabilities the baseline level allows a container to add. */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** The "safe" sysctls of the baseline level (Kubernetes 1.29+ list). */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

/** Volume sources the restricted level allows. */
export const RESTRICTED_VOLUME_TYPES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

const SELINUX_TYPES: ReadonlySet<string> = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

/** Capability names as written with or without the CAP_ prefix, upper-cased. */
const capName = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');

function perContainer(
  spec: PodSpec,
  pick: (sc: SecurityContext | undefined, c: PlacedContainer) => Violation | Violation[] | undefined,
): Violation[] {
  const out: Violation[] = [];
  for (const c of allContainers(spec)) {
    const v = pick(c.container.securityContext, c);
    if (v) out.push(...(Array.isArray(v) ? v : [v]));
  }
  return out;
}

const at = (c: PlacedContainer, field: string, value: unknown): Violation => ({
  field: `${c.path}.${field}`,
  container: c.container.name,
  value,
});

export const PSS_CHECKS: readonly PssCheck[] = [
  // ---- baseline ----
  {
    id: 'host-process',
    level: 'baseline',
    severity: 'danger',
    scope: 'pod',
    title: 'Windows HostProcess containers',
    fix: 'remove windowsOptions.hostProcess',
    evaluate(spec) {
      const out: Violation[] = [];
      if (spec.securityContext?.windowsOptions?.hostProcess === true)
        out.push({ field: 'securityContext.windowsOptions.hostProcess', value: true });
      return out.concat(
        perContainer(spec, (sc, c) =>
          sc?.windowsOptions?.hostProcess === true
            ? at(c, 'securityContext.windowsOptions.hostProcess', true)
            : undefined,
        ),
      );
    },
  },
  {
    id: 'host-namespaces',
    level: 'baseline',
    severity: 'danger',
    scope: 'pod',
    title: 'Host namespaces (hostNetwork, hostPID, hostIPC)',
    fix: 'remove hostNetwork, hostPID and hostIPC',
    evaluate(spec) {
      return (['hostNetwork', 'hostPID', 'hostIPC'] as const)
        .filter((f) => spec[f] === true)
        .map((f) => ({ field: f, value: true }));
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    severity: 'danger',
    scope: 'container',
    title: 'Privileged containers',
    fix: 'set securityContext.privileged: false',
    evaluate: (spec) =>
      perContainer(spec, (sc, c) =>
        sc?.privileged === true ? at(c, 'securityContext.privileged', true) : undefined,
      ),
  },
  {
    id: 'capabilities',
    level: 'baseline',
    severity: 'danger',
    scope: 'container',
    title: 'Capabilities beyond the baseline set',
    fix: 'add no capabilities beyond the baseline set (never SYS_ADMIN, NET_ADMIN, ALL)',
    evaluate: (spec) =>
      perContainer(spec, (sc, c) => {
        const extra = (sc?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.has(capName(cap)));
        return extra.length ? at(c, 'securityContext.capabilities.add', extra) : undefined;
      }),
  },
  {
    id: 'host-path',
    level: 'baseline',
    severity: 'warning',
    scope: 'pod',
    title: 'HostPath volumes',
    fix: 'replace hostPath volumes (emptyDir, a PVC, a ConfigMap)',
    evaluate: (spec) =>
      (spec.volumes ?? []).flatMap((v, i) =>
        v['hostPath'] !== undefined && v['hostPath'] !== null
          ? [{ field: `volumes[${i}].hostPath`, value: (v['hostPath'] as { path?: string }).path ?? '' }]
          : [],
      ),
  },
  {
    id: 'host-ports',
    level: 'baseline',
    severity: 'warning',
    scope: 'container',
    title: 'Host ports',
    fix: 'remove hostPort (expose through a Service)',
    evaluate: (spec) =>
      perContainer(spec, (_sc, c) =>
        (c.container.ports ?? []).flatMap((p, i) =>
          p.hostPort ? [at(c, `ports[${i}].hostPort`, p.hostPort)] : [],
        ),
      ),
  },
  {
    id: 'apparmor',
    level: 'baseline',
    severity: 'warning',
    scope: 'container',
    title: 'AppArmor profile overridden or disabled',
    fix: 'use the RuntimeDefault or a Localhost AppArmor profile',
    evaluate(spec, annotations) {
      const out: Violation[] = [];
      const bad = (t: string | undefined): boolean =>
        t !== undefined && t !== 'RuntimeDefault' && t !== 'Localhost';
      if (bad(spec.securityContext?.appArmorProfile?.type))
        out.push({
          field: 'securityContext.appArmorProfile.type',
          value: spec.securityContext?.appArmorProfile?.type,
        });
      out.push(
        ...perContainer(spec, (sc, c) =>
          bad(sc?.appArmorProfile?.type)
            ? at(c, 'securityContext.appArmorProfile.type', sc?.appArmorProfile?.type)
            : undefined,
        ),
      );
      for (const [key, value] of Object.entries(annotations)) {
        const m = /^container\.apparmor\.security\.beta\.kubernetes\.io\/(.+)$/.exec(key);
        if (m && value !== 'runtime/default' && !value.startsWith('localhost/'))
          out.push({ field: `metadata.annotations["${key}"]`, container: m[1] as string, value });
      }
      return out;
    },
  },
  {
    id: 'selinux',
    level: 'baseline',
    severity: 'warning',
    scope: 'container',
    title: 'SELinux type, user or role set',
    fix: 'leave seLinuxOptions.user and role unset and use a container_* type',
    evaluate(spec) {
      const check = (
        o: SecurityContext['seLinuxOptions'],
        field: string,
        container?: string,
      ): Violation[] => {
        if (!o) return [];
        const out: Violation[] = [];
        if (o.type !== undefined && !SELINUX_TYPES.has(o.type))
          out.push({ field: `${field}.type`, value: o.type, ...(container ? { container } : {}) });
        if (o.user) out.push({ field: `${field}.user`, value: o.user, ...(container ? { container } : {}) });
        if (o.role) out.push({ field: `${field}.role`, value: o.role, ...(container ? { container } : {}) });
        return out;
      };
      return [
        ...check(spec.securityContext?.seLinuxOptions, 'securityContext.seLinuxOptions'),
        ...allContainers(spec).flatMap((c) =>
          check(
            c.container.securityContext?.seLinuxOptions,
            `${c.path}.securityContext.seLinuxOptions`,
            c.container.name,
          ),
        ),
      ];
    },
  },
  {
    id: 'proc-mount',
    level: 'baseline',
    severity: 'warning',
    scope: 'container',
    title: 'Unmasked /proc mount',
    fix: 'remove procMount (or set Default)',
    evaluate: (spec) =>
      perContainer(spec, (sc, c) =>
        sc?.procMount !== undefined && sc.procMount !== 'Default'
          ? at(c, 'securityContext.procMount', sc.procMount)
          : undefined,
      ),
  },
  {
    id: 'seccomp',
    level: 'baseline',
    severity: 'warning',
    scope: 'container',
    title: 'Seccomp explicitly Unconfined',
    fix: 'set seccompProfile.type: RuntimeDefault',
    evaluate(spec) {
      const out: Violation[] = [];
      if (spec.securityContext?.seccompProfile?.type === 'Unconfined')
        out.push({ field: 'securityContext.seccompProfile.type', value: 'Unconfined' });
      return out.concat(
        perContainer(spec, (sc, c) =>
          sc?.seccompProfile?.type === 'Unconfined'
            ? at(c, 'securityContext.seccompProfile.type', 'Unconfined')
            : undefined,
        ),
      );
    },
  },
  {
    id: 'sysctls',
    level: 'baseline',
    severity: 'warning',
    scope: 'pod',
    title: 'Unsafe sysctls',
    fix: 'set only the safe sysctls',
    evaluate: (spec) =>
      (spec.securityContext?.sysctls ?? []).flatMap((s, i) =>
        s.name !== undefined && !SAFE_SYSCTLS.has(s.name)
          ? [{ field: `securityContext.sysctls[${i}].name`, value: s.name }]
          : [],
      ),
  },
  // ---- restricted ----
  {
    id: 'volume-types',
    level: 'restricted',
    severity: 'warning',
    scope: 'pod',
    title: 'Volume types outside the restricted set',
    fix: 'use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes',
    evaluate: (spec) =>
      (spec.volumes ?? []).flatMap((v, i) => {
        const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
        return sources
          .filter((s) => !RESTRICTED_VOLUME_TYPES.has(s))
          .map((s) => ({ field: `volumes[${i}].${s}`, value: s }));
      }),
  },
  {
    id: 'privilege-escalation',
    level: 'restricted',
    severity: 'danger',
    scope: 'container',
    title: 'Privilege escalation allowed',
    fix: 'set securityContext.allowPrivilegeEscalation: false',
    // Ephemeral containers are included; the admission controller exempts only Windows pods.
    evaluate: (spec) =>
      perContainer(spec, (sc, c) =>
        sc?.allowPrivilegeEscalation !== false
          ? at(c, 'securityContext.allowPrivilegeEscalation', sc?.allowPrivilegeEscalation ?? null)
          : undefined,
      ),
  },
  {
    id: 'run-as-non-root',
    level: 'restricted',
    severity: 'danger',
    scope: 'container',
    title: 'Not required to run as non-root',
    fix: 'set securityContext.runAsNonRoot: true (pod or every container)',
    evaluate(spec) {
      const pod = spec.securityContext?.runAsNonRoot;
      const out: Violation[] = [];
      if (pod === false) out.push({ field: 'securityContext.runAsNonRoot', value: false });
      return out.concat(
        perContainer(spec, (sc, c) => {
          const own = sc?.runAsNonRoot;
          if (own === false) return at(c, 'securityContext.runAsNonRoot', false);
          if (own === undefined && pod !== true) return at(c, 'securityContext.runAsNonRoot', null);
          return undefined;
        }),
      );
    },
  },
  {
    id: 'run-as-non-root-user',
    level: 'restricted',
    severity: 'danger',
    scope: 'container',
    title: 'Runs as UID 0',
    fix: 'set runAsUser to a non-zero UID (10000 or more, as kube-score asks)',
    evaluate(spec) {
      const out: Violation[] = [];
      if (spec.securityContext?.runAsUser === 0) out.push({ field: 'securityContext.runAsUser', value: 0 });
      return out.concat(
        perContainer(spec, (sc, c) =>
          sc?.runAsUser === 0 ? at(c, 'securityContext.runAsUser', 0) : undefined,
        ),
      );
    },
  },
  {
    id: 'seccomp-strict',
    level: 'restricted',
    severity: 'warning',
    scope: 'container',
    title: 'Seccomp profile not set to RuntimeDefault or Localhost',
    fix: 'set securityContext.seccompProfile.type: RuntimeDefault on the pod',
    evaluate(spec) {
      const ok = (t: string | undefined): boolean => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = spec.securityContext?.seccompProfile?.type;
      const out: Violation[] = [];
      if (podType !== undefined && !ok(podType))
        out.push({ field: 'securityContext.seccompProfile.type', value: podType });
      return out.concat(
        perContainer(spec, (sc, c) => {
          const own = sc?.seccompProfile?.type;
          if (own !== undefined)
            return ok(own) ? undefined : at(c, 'securityContext.seccompProfile.type', own);
          return ok(podType) ? undefined : at(c, 'securityContext.seccompProfile.type', null);
        }),
      );
    },
  },
  {
    id: 'capabilities-strict',
    level: 'restricted',
    severity: 'warning',
    scope: 'container',
    title: 'Capabilities not dropped (must drop ALL, may add only NET_BIND_SERVICE)',
    fix: 'set securityContext.capabilities.drop: ["ALL"]',
    evaluate: (spec) =>
      perContainer(spec, (sc, c) => {
        const out: Violation[] = [];
        if (!(sc?.capabilities?.drop ?? []).some((d) => capName(d) === 'ALL'))
          out.push(at(c, 'securityContext.capabilities.drop', sc?.capabilities?.drop ?? null));
        const added = (sc?.capabilities?.add ?? []).filter((a) => capName(a) !== 'NET_BIND_SERVICE');
        if (added.length) out.push(at(c, 'securityContext.capabilities.add', added));
        return out;
      }),
  },
  // ---- hardening beyond PSS ----
  {
    id: 'read-only-root-filesystem',
    level: 'hardening',
    severity: 'warning',
    scope: 'container',
    title: 'Writable root filesystem',
    fix: 'set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where the app writes)',
    evaluate: (spec) =>
      perContainer(spec, (sc, c) =>
        sc?.readOnlyRootFilesystem !== true
          ? at(c, 'securityContext.readOnlyRootFilesystem', sc?.readOnlyRootFilesystem ?? null)
          : undefined,
      ),
  },
];

export interface CheckResult {
  check: PssCheck;
  violations: Violation[];
  /** Evaluations that passed and failed (per container for container-scoped checks). */
  passed: number;
  failed: number;
}

/** Runs every check on one pod spec. */
export function evaluatePod(
  spec: PodSpec,
  annotations: Readonly<Record<string, string>> = {},
): CheckResult[] {
  const containers = allContainers(spec).map((c) => c.container.name);
  return PSS_CHECKS.map((check) => {
    const violations = check.evaluate(spec, annotations);
    if (check.scope === 'pod' || containers.length === 0) {
      return { check, violations, passed: violations.length ? 0 : 1, failed: violations.length ? 1 : 0 };
    }
    // A pod-level violation (no container) fails every container.
    const podWide = violations.some((v) => v.container === undefined);
    const bad = new Set(violations.map((v) => v.container));
    const failed = podWide ? containers.length : containers.filter((n) => bad.has(n)).length;
    return { check, violations, passed: containers.length - failed, failed };
  });
}

/** The strictest PSS level a pod meets. */
export function podSecurityLevel(results: readonly CheckResult[]): PssLevel {
  const failing = (level: CheckLevel): boolean =>
    results.some((r) => r.check.level === level && r.violations.length > 0);
  if (failing('baseline')) return 'privileged';
  if (failing('restricted')) return 'baseline';
  return 'restricted';
}

const LEVEL_ORDER: Record<PssLevel, number> = { privileged: 0, baseline: 1, restricted: 2 };

/** The least strict of several levels (what a namespace's pods all meet). */
export function weakestLevel(levels: Iterable<PssLevel>): PssLevel {
  let out: PssLevel = 'restricted';
  for (const l of levels) if (LEVEL_ORDER[l] < LEVEL_ORDER[out]) out = l;
  return out;
}

export const isPssLevel = (v: unknown): v is PssLevel =>
  v === 'privileged' || v === 'baseline' || v === 'restricted';

export interface NamespaceLabelFinding {
  /** `enforce-too-strict`: pods there would be rejected when recreated; `unlabelled`/`weaker-than-pods`: could enforce more. */
  kind: 'enforce-too-strict' | 'unlabelled' | 'weaker-than-pods' | 'invalid-label';
  mode: 'enforce' | 'audit' | 'warn';
  label?: string;
  /** What the pods meet. */
  podsMeet: PssLevel;
}

/**
 * Compares a namespace's `pod-security.kubernetes.io/{enforce,audit,warn}` labels with the level its
 * pods actually meet.
 */
export function compareNamespaceLabels(
  labels: Readonly<Record<string, string>>,
  podsMeet: PssLevel,
): NamespaceLabelFinding[] {
  const out: NamespaceLabelFinding[] = [];
  for (const mode of ['enforce', 'audit', 'warn'] as const) {
    const label = labels[`pod-security.kubernetes.io/${mode}`];
    if (label === undefined) {
      if (mode === 'enforce') out.push({ kind: 'unlabelled', mode, podsMeet });
      continue;
    }
    if (!isPssLevel(label)) {
      out.push({ kind: 'invalid-label', mode, label, podsMeet });
      continue;
    }
    if (mode !== 'enforce') continue;
    if (LEVEL_ORDER[label] > LEVEL_ORDER[podsMeet])
      out.push({ kind: 'enforce-too-strict', mode, label, podsMeet });
    else if (LEVEL_ORDER[label] < LEVEL_ORDER[podsMeet])
      out.push({ kind: 'weaker-than-pods', mode, label, podsMeet });
  }
  return out;
}
