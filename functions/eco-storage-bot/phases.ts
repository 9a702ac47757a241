// PV and PVC phase checks (Popeye 1000-1004): an Available PV (1000, info), a Pending PV (1001), a
// Failed PV (1002, "lost"), a Pending claim (1003), a Lost claim (1004). A claim waiting for its first
// consumer (volumeBindingMode WaitForFirstConsumer, no pod yet) is how such classes work, not a problem.
import type { KubeObject, ObjectRef, Severity } from '../../shared/index.ts';

export type PhaseCheck =
  | 'storage.pv-available'
  | 'storage.pv-pending'
  | 'storage.pv-failed'
  | 'storage.pvc-pending'
  | 'storage.pvc-lost';

export interface PhaseProblem {
  check: PhaseCheck;
  severity: Severity;
  object: ObjectRef;
  message: string;
  evidence: Record<string, unknown>;
  fix: string;
}

export interface PhaseInput {
  pvcs: readonly KubeObject[];
  pvs: readonly KubeObject[];
  storageClasses: readonly KubeObject[];
  pods: readonly KubeObject[];
  now: Date;
  /** A claim pending longer than this is reported even when its class exists (default 15 min). */
  pendingGraceMinutes: number;
}

function get(obj: unknown, ...path: string[]): unknown {
  let at = obj;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

function minutesSince(iso: unknown, now: Date): number {
  const at = typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) ? 0 : Math.floor((now.getTime() - at) / 60_000);
}

const human = (minutes: number): string =>
  minutes >= 2880
    ? `${Math.floor(minutes / 1440)} days`
    : minutes >= 120
      ? `${Math.floor(minutes / 60)} hours`
      : `${minutes} minutes`;

export function phaseProblems(input: PhaseInput): PhaseProblem[] {
  const problems: PhaseProblem[] = [];
  const classes = new Map(input.storageClasses.map((c) => [c.metadata.name, c]));
  const defaultClass = input.storageClasses.find((c) => c.metadata.annotations?.[DEFAULT_CLASS] === 'true');
  const consumers = new Set<string>();
  for (const pod of input.pods) {
    const volumes = get(pod, 'spec', 'volumes');
    if (!Array.isArray(volumes)) continue;
    for (const v of volumes) {
      const claim = get(v, 'persistentVolumeClaim', 'claimName');
      if (typeof claim === 'string') consumers.add(`${pod.metadata.namespace}/${claim}`);
    }
  }

  for (const pvc of input.pvcs) {
    const phase = get(pvc, 'status', 'phase');
    const ns = pvc.metadata.namespace ?? '';
    const object: ObjectRef = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: ns,
      name: pvc.metadata.name,
    };
    const age = minutesSince(pvc.metadata.creationTimestamp, input.now);
    if (phase === 'Lost') {
      problems.push({
        check: 'storage.pvc-lost',
        severity: 'critical',
        object,
        message: `PVC ${ns}/${pvc.metadata.name} is Lost: its PersistentVolume ${String(get(pvc, 'spec', 'volumeName') ?? '')} no longer exists.`,
        evidence: { phase, volumeName: get(pvc, 'spec', 'volumeName') ?? null },
        fix: 'Restore the volume from a backup or snapshot, or delete the claim and let the workload provision a new one.',
      });
      continue;
    }
    if (phase !== 'Pending') continue;
    const className =
      (get(pvc, 'spec', 'storageClassName') as string | undefined) ?? defaultClass?.metadata.name;
    const storageClass = className === undefined ? undefined : classes.get(className);
    const waitsForConsumer =
      storageClass !== undefined &&
      get(storageClass, 'volumeBindingMode') === 'WaitForFirstConsumer' &&
      !consumers.has(`${ns}/${pvc.metadata.name}`);
    const missingClass = className !== undefined && className !== '' && storageClass === undefined;
    if (!missingClass && (waitsForConsumer || age < input.pendingGraceMinutes)) continue;
    problems.push({
      check: 'storage.pvc-pending',
      severity: 'warning',
      object,
      message: missingClass
        ? `PVC ${ns}/${pvc.metadata.name} has been Pending for ${human(age)}: StorageClass ${className} does not exist.`
        : `PVC ${ns}/${pvc.metadata.name} has been Pending for ${human(age)}: no volume could be provisioned or bound.`,
      evidence: {
        phase,
        pendingMinutes: age,
        storageClass: className ?? null,
        storageClassExists: storageClass !== undefined,
        requested: get(pvc, 'spec', 'resources', 'requests', 'storage') ?? null,
      },
      fix: missingClass
        ? `Create StorageClass ${className} or change the claim to an existing class (${[...classes.keys()].join(', ') || 'none defined'}); storageClassName cannot be edited, so recreate the PVC.`
        : `kubectl -n ${ns} describe pvc ${pvc.metadata.name} shows the provisioner's events; check the CSI driver and the backend's capacity.`,
    });
  }

  for (const pv of input.pvs) {
    const phase = get(pv, 'status', 'phase');
    const object: ObjectRef = { apiVersion: 'v1', kind: 'PersistentVolume', name: pv.metadata.name };
    const base = {
      phase,
      storageClass: get(pv, 'spec', 'storageClassName') ?? null,
      capacity: get(pv, 'spec', 'capacity', 'storage') ?? null,
    };
    if (phase === 'Available') {
      problems.push({
        check: 'storage.pv-available',
        severity: 'info',
        object,
        message: `PV ${pv.metadata.name} is Available: provisioned but claimed by nothing.`,
        evidence: base,
        fix: 'Bind it to a claim, or delete it if it is not needed.',
      });
    } else if (phase === 'Pending') {
      problems.push({
        check: 'storage.pv-pending',
        severity: 'warning',
        object,
        message: `PV ${pv.metadata.name} is Pending: it is not yet available for binding.`,
        evidence: base,
        fix: `kubectl describe pv ${pv.metadata.name}; check the volume plugin or CSI driver.`,
      });
    } else if (phase === 'Failed') {
      problems.push({
        check: 'storage.pv-failed',
        severity: 'critical',
        object,
        message: `PV ${pv.metadata.name} is Failed: its automatic reclamation did not work (${String(get(pv, 'status', 'message') ?? 'no message')}).`,
        evidence: { ...base, message: get(pv, 'status', 'message') ?? null },
        fix: 'Clean the volume up by hand in the storage backend, then delete the PV.',
      });
    }
  }
  return problems;
}
