import type { Action, ActionVerb, Mode, ObjectRef } from '../bot/types.ts';
import type { KubeObject, PatchType, ResourceType } from '../k8s/types.ts';

export interface Exclusion {
  excluded: boolean;
  /** Why: the annotation or rule that excluded it. */
  reason?: string;
}

/**
 * The one write path (ARCHITECTURE.md section 6). Every method returns the Action as it ended
 * (planned in dry-run, applied, skipped or failed) and records it in the run's one action list.
 * A bot declared `mutates: false` gets a SafetyRailError from every write.
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
  /** Replaces the object with `updated` (which keeps the read resourceVersion as its precondition). */
  update(
    type: ResourceType,
    object: KubeObject,
    updated: KubeObject,
    reason: string,
    options?: MutationOptions,
  ): Promise<Action>;
  /** Sets `spec.replicas` (Deployment, StatefulSet, ReplicaSet); `before` keeps the old count. */
  scale(
    type: ResourceType,
    object: KubeObject,
    replicas: number,
    reason: string,
    options?: MutationOptions,
  ): Promise<Action>;
  /** A rolling restart: the pod template's `kubectl.kubernetes.io/restartedAt` annotation, as kubectl does. */
  restart(type: ResourceType, object: KubeObject, reason: string, options?: MutationOptions): Promise<Action>;
  /** Marks a Node unschedulable (or schedulable again). */
  cordon(node: KubeObject, reason: string, options?: MutationOptions): Promise<Action>;
  uncordon(node: KubeObject, reason: string, options?: MutationOptions): Promise<Action>;
  /**
   * Evicts a pod through the Eviction API (PodDisruptionBudgets honoured): a 429 is `skipped` with
   * reason `disruption-budget`, never forced.
   */
  evict(pod: KubeObject, reason: string, options?: MutationOptions): Promise<Action>;
  /**
   * A write to a system other than the cluster (a registry manifest, an object in a store): the same
   * mode, cap and audit entry; `apply` is called only in apply mode, its result is the `after`.
   */
  external(
    verb: ActionVerb,
    target: ObjectRef,
    reason: string,
    apply: () => Promise<unknown>,
    options?: ExternalOptions,
  ): Promise<Action>;
  /** Records a decision not to act (already known excluded, not due, ...) without calling the API. */
  skip(verb: ActionVerb, object: KubeObject | ObjectRef, reason: string, type?: ResourceType): Action;
  /** Records a non-mutating action (e.g. a delivery) in the run's action list. Allowed for every bot. */
  note(action: Action): Action;
  /**
   * Posts a Kubernetes Event on the object (e.g. a notice before acting); false when it failed.
   * With a fixed `name`, an Event that already exists is refreshed (count + 1, lastTimestamp), so
   * racing runs post one notice and a pending one outlives the server's event TTL.
   */
  event(
    object: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    options?: { name?: string; count?: number },
  ): Promise<boolean>;
  /** Every action recorded so far in this run, in order. */
  actions(): Action[];
  /** The cap in force and how much of it is used. */
  budget(): { max: number; used: number };
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
  /**
   * delete only: the grace period to ask for. 0 removes a pod whose kubelet never confirms the stop
   * (what `kubectl delete --force --grace-period=0` does); a finalizer still holds it.
   */
  gracePeriodSeconds?: number;
  /**
   * Whether maintenance windows, freezes and blocking alerts apply (an image patch: true). Default:
   * evict, cordon, restart, scale and deleting a workload or a running pod are disruptive.
   */
  disruptive?: boolean;
}

export interface ExternalOptions {
  /** The state needed to undo (e.g. the manifest's digest and media type). */
  before?: unknown;
  /** Maintenance windows and freezes apply (default false). */
  disruptive?: boolean;
}
