import type { Action, Mode } from '../bot/types.ts';
import type { KubeObject, PatchType, ResourceType } from '../k8s/types.ts';

export interface Exclusion {
  excluded: boolean;
  /** Why: the annotation or rule that excluded it. */
  reason?: string;
}

/**
 * The one path for mutations (ARCHITECTURE.md section 6). Every method returns the Action as it
 * ended (planned in dry-run, applied, skipped or failed) and records it for the report.
 */
export interface SafetyRails {
  readonly mode: Mode;
  /** Exclusion annotations on the object or its namespace, and protected namespaces. */
  exclusion(object: KubeObject): Promise<Exclusion>;
  delete(type: ResourceType, object: KubeObject, reason: string): Promise<Action>;
  patch(
    type: ResourceType,
    object: KubeObject,
    patch: unknown,
    patchType: PatchType,
    reason: string,
  ): Promise<Action>;
  create(type: ResourceType, object: KubeObject, reason: string): Promise<Action>;
  /** Every action taken so far in this run, in order. */
  actions(): Action[];
}
