// Kubernetes label-selector semantics (apimachinery metav1.LabelSelector) for the network bots:
// which pods a NetworkPolicy or Service selects, which namespaces a policy peer names.
import type { KubeObject } from '../k8s/types.ts';

export interface SelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: SelectorRequirement[];
}

/**
 * Whether labels satisfy a LabelSelector. `{}` selects everything (as in a NetworkPolicy's
 * `podSelector: {}`); an unknown operator selects nothing, as the apiserver would reject it.
 */
export function matchesSelector(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  if (selector === undefined) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
      case 'In':
        if (!has || !(r.values ?? []).includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && (r.values ?? []).includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's `spec.selector` (a plain map): an empty or missing map selects no pods. */
export function matchesServiceSelector(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Pods that count for traffic: not finished, not being deleted. */
export function isLivePod(pod: KubeObject): boolean {
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata.deletionTimestamp === undefined;
}

/** Groups objects by namespace (one pass; the checks look up per namespace). */
export function byNamespace(objects: readonly KubeObject[]): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const ns = o.metadata.namespace ?? '';
    let list = out.get(ns);
    if (list === undefined) out.set(ns, (list = []));
    list.push(o);
  }
  return out;
}
