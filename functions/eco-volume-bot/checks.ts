// eco-volume-bot's checks, as pure functions over one read of the cluster.
// - volume.unused-pvc (k8s-cleaner unused PVC, kube-janitor PVC rule): a Bound PVC that no Pod mounts,
//   no workload's pod template references and no StatefulSet's volumeClaimTemplates would claim.
// - volume.released-pv (k8s-cleaner unbound PV): a Released PV, still holding (and billing) its data.
// - volume.reclaim-delete-unprotected: a Bound PV with reclaimPolicy Delete whose claim has no ready
//   VolumeSnapshot and is not opted in to snapshots: deleting the PVC deletes the only copy.
import { parseQuantity, type KubeObject, type ObjectRef, type Severity } from '../../shared/index.ts';

export const SNAPSHOT_ANNOTATION = 'eco.bsw-arch.org/snapshot';
const GIB = 1024 ** 3;

export interface VolumeProblem {
  check: 'volume.unused-pvc' | 'volume.released-pv' | 'volume.reclaim-delete-unprotected';
  severity: Severity;
  object: ObjectRef;
  message: string;
  evidence: Record<string, unknown>;
  fix: string;
  monthlyCost: number;
  /** For the unused-PVC deletion: old enough to delete after the grace period. */
  pastGrace?: boolean;
}

export interface VolumeInput {
  pvcs: readonly KubeObject[];
  pvs: readonly KubeObject[];
  pods: readonly KubeObject[];
  /** Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, ReplicaSets. */
  workloads: readonly KubeObject[];
  snapshots: readonly KubeObject[];
  now: Date;
  /** Monthly cost of a volume of `bytes` in a StorageClass, from the price book. */
  priceOf: (bytes: number, storageClass: string | undefined) => number;
  /** Days a PVC must be unused (by age) before deletion is proposed (kube-janitor example: 4). */
  graceDays: number;
}

type Json = Record<string, unknown>;

function get(obj: unknown, ...path: string[]): unknown {
  let at = obj;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Json)[key];
  }
  return at;
}

const ref = (obj: KubeObject, apiVersion = 'v1'): ObjectRef => ({
  apiVersion: obj.apiVersion ?? apiVersion,
  kind: obj.kind ?? 'PersistentVolumeClaim',
  ...(obj.metadata.namespace === undefined ? {} : { namespace: obj.metadata.namespace }),
  name: obj.metadata.name,
});

function claimNames(podSpec: unknown): string[] {
  const volumes = get(podSpec, 'volumes');
  if (!Array.isArray(volumes)) return [];
  return volumes
    .map((v) => get(v, 'persistentVolumeClaim', 'claimName'))
    .filter((n): n is string => typeof n === 'string');
}

/** The pod spec of a workload (CronJobs nest it one level deeper). */
function templateSpec(workload: KubeObject): unknown {
  return workload.kind === 'CronJob'
    ? get(workload, 'spec', 'jobTemplate', 'spec', 'template', 'spec')
    : get(workload, 'spec', 'template', 'spec');
}

/** StatefulSet PVC names are `<template>-<statefulset>-<ordinal>`. */
function claimedByStatefulSet(pvc: KubeObject, workloads: readonly KubeObject[]): string | undefined {
  for (const sts of workloads) {
    if (sts.kind !== 'StatefulSet' || sts.metadata.namespace !== pvc.metadata.namespace) continue;
    const templates = get(sts, 'spec', 'volumeClaimTemplates');
    if (!Array.isArray(templates)) continue;
    for (const template of templates) {
      const name = get(template, 'metadata', 'name');
      if (typeof name !== 'string') continue;
      const prefix = `${name}-${sts.metadata.name}-`;
      if (pvc.metadata.name.startsWith(prefix) && /^\d+$/.test(pvc.metadata.name.slice(prefix.length))) {
        return `StatefulSet ${sts.metadata.name}`;
      }
    }
  }
  return undefined;
}

export function sizeGiB(quantity: unknown): number {
  const bytes = parseQuantity(
    typeof quantity === 'string' || typeof quantity === 'number' ? quantity : undefined,
  );
  return bytes === undefined ? 0 : bytes / GIB;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function ageDays(obj: KubeObject, now: Date): number {
  const created = Date.parse(obj.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? 0 : (now.getTime() - created) / 86_400_000;
}

export function volumeProblems(input: VolumeInput): VolumeProblem[] {
  const problems: VolumeProblem[] = [];
  const mounted = new Map<string, string>();
  for (const pod of input.pods) {
    const phase = get(pod, 'status', 'phase');
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    for (const claim of claimNames(pod.spec))
      mounted.set(`${pod.metadata.namespace}/${claim}`, `Pod ${pod.metadata.name}`);
  }
  const referenced = new Map<string, string>();
  for (const workload of input.workloads) {
    for (const claim of claimNames(templateSpec(workload))) {
      referenced.set(`${workload.metadata.namespace}/${claim}`, `${workload.kind} ${workload.metadata.name}`);
    }
  }
  const price = (gib: number, storageClass: unknown): number =>
    round2(input.priceOf(gib * GIB, typeof storageClass === 'string' ? storageClass : undefined));

  for (const pvc of input.pvcs) {
    if (get(pvc, 'status', 'phase') !== 'Bound') continue;
    const key = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
    if (mounted.has(key) || referenced.has(key) || claimedByStatefulSet(pvc, input.workloads)) continue;
    const gib = sizeGiB(
      get(pvc, 'status', 'capacity', 'storage') ?? get(pvc, 'spec', 'resources', 'requests', 'storage'),
    );
    const age = ageDays(pvc, input.now);
    problems.push({
      check: 'volume.unused-pvc',
      severity: 'warning',
      object: ref(pvc),
      message: `PVC ${key} (${round2(gib)} GiB) is bound but no pod mounts it and no workload or StatefulSet template uses it.`,
      evidence: {
        phase: 'Bound',
        sizeGiB: round2(gib),
        ageDays: Math.floor(age),
        mountedBy: [],
        referencedBy: [],
      },
      fix: `Back it up or snapshot it if the data matters, then delete it: kubectl -n ${pvc.metadata.namespace} delete pvc ${pvc.metadata.name}`,
      monthlyCost: price(gib, get(pvc, 'spec', 'storageClassName')),
      pastGrace: age >= input.graceDays,
    });
  }

  const snapshotted = new Set(
    input.snapshots
      .filter((s) => get(s, 'status', 'readyToUse') === true)
      .map((s) => `${s.metadata.namespace}/${String(get(s, 'spec', 'source', 'persistentVolumeClaimName'))}`),
  );
  const pvcByKey = new Map(input.pvcs.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  for (const pv of input.pvs) {
    const phase = get(pv, 'status', 'phase');
    const policy = get(pv, 'spec', 'persistentVolumeReclaimPolicy');
    const gib = sizeGiB(get(pv, 'spec', 'capacity', 'storage'));
    const claim = `${String(get(pv, 'spec', 'claimRef', 'namespace'))}/${String(get(pv, 'spec', 'claimRef', 'name'))}`;
    if (phase === 'Released') {
      problems.push({
        check: 'volume.released-pv',
        severity: 'warning',
        object: ref({ ...pv, kind: 'PersistentVolume' }),
        message: `PV ${pv.metadata.name} (${round2(gib)} GiB) is Released: its claim ${claim} is gone but the volume (reclaimPolicy ${String(policy)}) still holds data and costs money.`,
        evidence: { phase, reclaimPolicy: policy, formerClaim: claim, sizeGiB: round2(gib) },
        fix: `Copy what is needed, then delete it (kubectl delete pv ${pv.metadata.name}) and the disk in the storage backend; or clear spec.claimRef to make it Available for reuse.`,
        monthlyCost: price(gib, get(pv, 'spec', 'storageClassName')),
      });
      continue;
    }
    if (phase === 'Bound' && policy === 'Delete') {
      const pvc = pvcByKey.get(claim);
      if (pvc === undefined) continue;
      const optedIn = pvc.metadata.annotations?.[SNAPSHOT_ANNOTATION] === 'true';
      if (optedIn || snapshotted.has(claim)) continue;
      problems.push({
        check: 'volume.reclaim-delete-unprotected',
        severity: 'info',
        object: ref({ ...pv, kind: 'PersistentVolume' }),
        message: `PV ${pv.metadata.name} has reclaimPolicy Delete and its claim ${claim} has no ready VolumeSnapshot: deleting the PVC deletes the only copy of its data.`,
        evidence: { reclaimPolicy: policy, claim, sizeGiB: round2(gib), readySnapshots: 0 },
        fix: `Opt the PVC in to snapshots (annotate ${SNAPSHOT_ANNOTATION}=true for eco-snapshot-bot) or set persistentVolumeReclaimPolicy to Retain on the PV.`,
        monthlyCost: price(gib, get(pv, 'spec', 'storageClassName')),
      });
    }
  }
  return problems;
}
