// PodDisruptionBudgets that block every voluntary eviction although all their pods are healthy:
// a drain (kured, kubectl drain, this bot) can never finish on a node running one of their pods.
import { finding, objectRef, resources, type Finding, type KubeObject } from '../../shared/index.ts';

interface PdbStatus {
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
}

export function pdbBlocksDrain(pdb: KubeObject, bot: string): Finding | undefined {
  const status = (pdb['status'] as PdbStatus | undefined) ?? {};
  const expected = status.expectedPods ?? 0;
  const healthy = status.currentHealthy ?? 0;
  // A budget at zero because pods are unhealthy is doing its job; at zero with every pod healthy it is
  // set so tight (minAvailable = replicas, maxUnavailable 0) that no drain can ever pass.
  if (status.disruptionsAllowed !== 0 || expected === 0 || healthy < expected) return undefined;
  const spec = (pdb['spec'] as { minAvailable?: number | string; maxUnavailable?: number | string }) ?? {};
  const ns = pdb.metadata.namespace ?? '';
  return finding({
    bot,
    check: 'maintenance.pdb-blocks-drain',
    severity: 'warning',
    object: objectRef(pdb, resources.poddisruptionbudgets),
    message: `PodDisruptionBudget ${ns}/${pdb.metadata.name} allows no disruption although all ${expected} pods are healthy, so no node running them can be drained`,
    evidence: {
      disruptionsAllowed: 0,
      currentHealthy: healthy,
      desiredHealthy: status.desiredHealthy ?? null,
      expectedPods: expected,
      ...(spec.minAvailable !== undefined ? { minAvailable: spec.minAvailable } : {}),
      ...(spec.maxUnavailable !== undefined ? { maxUnavailable: spec.maxUnavailable } : {}),
    },
    fix: `lower minAvailable below the replica count (or set maxUnavailable: 1), or scale the workload up: kubectl -n ${ns} edit pdb ${pdb.metadata.name}`,
  });
}
