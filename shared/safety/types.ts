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
  delete(type: ResourceType, object: KubeObject, reason: string, options?: MutationOptions): Promise<Action>;
  patch(
    type: ResourceType,
    object: KubeObject,
    patch: unknown,
    patchType: PatchType,
    reason: string,
    options?: MutationOptions,
  ): Promise<Action>;
  create(type: ResourceType, object: KubeObject, reason: string, options?: MutationOptions): Promise<Action>;
  /** Every action taken so far in this run, in order. */
  actions(): Action[];
  /** Posts a Kubernetes Event on the object (e.g. a notice before acting); false when it failed. */
  event?(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<boolean>;
}

/** Per-call options of a mutation. */
export interface MutationOptions {
  /**
   * Called with the freshly read object when the one read earlier changed (409 on the
   * precondition). Return a reason to act on the fresh object, or false to skip. Without it a
   * changed object is skipped with reason `changed-since-read`.
   */
  redecide?: (fresh: KubeObject) => string | false | Promise<string | false>;
  /** Event reason on the object (CamelCase), e.g. `TimeToLiveExpired`. */
  eventReason?: string;
}
