// The parts of a pod spec the security checks read, and how to find the pod template of each
// workload kind. Typed loosely on purpose: the objects come from the cluster as JSON.

export interface Capabilities {
  add?: string[];
  drop?: string[];
}

export interface SeccompProfile {
  type?: string;
  localhostProfile?: string;
}

export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  procMount?: string;
  capabilities?: Capabilities;
  seccompProfile?: SeccompProfile;
  appArmorProfile?: { type?: string; localhostProfile?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string; level?: string };
  windowsOptions?: { hostProcess?: boolean };
}

export interface PodSecurityContext extends Omit<
  SecurityContext,
  'privileged' | 'allowPrivilegeEscalation' | 'capabilities' | 'readOnlyRootFilesystem' | 'procMount'
> {
  sysctls?: { name?: string; value?: string }[];
  fsGroup?: number;
}

export interface Container {
  name: string;
  image?: string;
  securityContext?: SecurityContext;
  ports?: { containerPort?: number; hostPort?: number; protocol?: string }[];
  env?: { name?: string; value?: string; valueFrom?: unknown }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface Volume {
  name: string;
  [source: string]: unknown;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Volume[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: PodSecurityContext;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
}

/** A container with the list it came from, for field paths like `spec.initContainers[0]`. */
export interface PlacedContainer {
  container: Container;
  /** `containers[0]`, `initContainers[1]`, ... */
  path: string;
}

export function allContainers(spec: PodSpec): PlacedContainer[] {
  const out: PlacedContainer[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (spec[list] ?? []).forEach((container, i) => out.push({ container, path: `${list}[${i}]` }));
  }
  return out;
}

interface WorkloadLike {
  kind?: string;
  metadata?: { annotations?: Record<string, string> };
  spec?: {
    template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpec };
    jobTemplate?: {
      spec?: { template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpec } };
    };
  } & PodSpec;
}

/**
 * The pod spec (and its annotations) of a Pod, a Deployment/StatefulSet/DaemonSet/ReplicaSet/Job
 * template or a CronJob's job template; undefined for anything else. `prefix` is the field path of
 * the pod spec in the object, for evidence.
 */
export function podTemplateOf(
  obj: WorkloadLike,
): { spec: PodSpec; annotations: Record<string, string>; prefix: string } | undefined {
  switch (obj.kind) {
    case 'Pod':
      return obj.spec
        ? { spec: obj.spec, annotations: obj.metadata?.annotations ?? {}, prefix: 'spec' }
        : undefined;
    case 'CronJob': {
      const t = obj.spec?.jobTemplate?.spec?.template;
      return t?.spec
        ? {
            spec: t.spec,
            annotations: t.metadata?.annotations ?? {},
            prefix: 'spec.jobTemplate.spec.template.spec',
          }
        : undefined;
    }
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
    case 'ReplicationController': {
      const t = obj.spec?.template;
      return t?.spec
        ? { spec: t.spec, annotations: t.metadata?.annotations ?? {}, prefix: 'spec.template.spec' }
        : undefined;
    }
    default:
      return undefined;
  }
}
