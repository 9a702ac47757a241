// Pod eviction against PodDisruptionBudgets (kubernetes pkg/registry/core/pod/storage/eviction.go):
// terminal and pending pods may always go; otherwise the one PDB selecting the pod must allow a
// disruption, else 429 with the DisruptionBudget cause. The emulator is its own disruption
// controller: it computes healthy/desired pods from the store instead of reading PDB status.
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { Store } from './store.ts';
import type { ResourceDef } from './resources.ts';
import { matchesLabels, selectorFromObject } from './selectors.ts';
import type { LabelSelectorObject } from './selectors.ts';
import { ApiError, internalError, statusBody } from './status-errors.ts';

/** Throws the apiserver's answer when evicting `pod` would violate its disruption budget. */
export function checkEviction(store: Store, pod: KubeObject, namespace: string): void {
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending') return;
  const pdbDef = store.registry.byPath('policy', 'v1', 'poddisruptionbudgets') as ResourceDef;
  const pdbs = [...store.scan(pdbDef, namespace)].filter((p) => {
    const sel = (p['spec'] as { selector?: LabelSelectorObject } | undefined)?.selector;
    return sel !== undefined && matchesLabels(selectorFromObject(sel), pod.metadata.labels);
  });
  if (pdbs.length > 1) {
    throw internalError(
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const pdb = pdbs[0];
  if (!pdb) return;
  const { desired, healthy } = disruptionBudget(store, pdb, namespace);
  if (healthy - desired > 0) return;
  throw new ApiError(
    statusBody(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
      causes: [
        {
          reason: 'DisruptionBudget',
          message: `The disruption budget ${pdb.metadata.name} needs ${desired} healthy pods and has ${healthy} currently`,
        },
      ],
    }),
  );
}

/** The disruption controller's arithmetic: desired healthy pods and currently healthy pods. */
export function disruptionBudget(
  store: Store,
  pdb: KubeObject,
  namespace: string,
): { desired: number; healthy: number } {
  const spec =
    (pdb['spec'] as {
      selector?: LabelSelectorObject;
      minAvailable?: number | string;
      maxUnavailable?: number | string;
    }) ?? {};
  const podDef = store.registry.byPath('', 'v1', 'pods') as ResourceDef;
  const sel = selectorFromObject(spec.selector);
  const pods = [...store.scan(podDef, namespace)].filter((p) => matchesLabels(sel, p.metadata.labels));
  const healthy = pods.filter((p) => {
    const st = p['status'] as
      { phase?: string; conditions?: Array<{ type: string; status: string }> } | undefined;
    if (p.metadata.deletionTimestamp || st?.phase !== 'Running') return false;
    const ready = st.conditions?.find((c) => c.type === 'Ready');
    return ready === undefined || ready.status === 'True';
  }).length;
  const expected = pods.length;
  const resolve = (v: number | string): number =>
    typeof v === 'number' ? v : Math.ceil((Number(v.replace('%', '')) / 100) * expected);
  let desired: number;
  if (spec.minAvailable !== undefined) desired = resolve(spec.minAvailable);
  else if (spec.maxUnavailable !== undefined) desired = Math.max(0, expected - resolve(spec.maxUnavailable));
  else desired = expected;
  return { desired, healthy };
}
