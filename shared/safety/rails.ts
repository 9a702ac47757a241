// The one path for mutations (ARCHITECTURE.md section 6): dry-run by default, exclusions,
// protected namespaces, a blast-radius cap, preconditions with re-decision on conflict, and an
// audit trail (Kubernetes Event, metric callback, report entry with `before`).
import { randomBytes } from 'node:crypto';
import type { Action, ActionVerb, Mode, ObjectRef } from '../bot/types.ts';
import type { K8s, KubeObject, PatchType, ResourceType } from '../k8s/types.ts';
import type { Logger } from '../log/types.ts';
import type { Exclusion, ExternalOptions, MutationOptions, SafetyRails } from './types.ts';
import { isAlreadyExists, isConflict, isForbidden, isK8sApiError, isNotFound } from '../k8s/errors.ts';
import { ConfigError } from '../errors/config-error.ts';
import { SafetyRailError } from '../errors/safety-rail-error.ts';
import { apiVersionOf, resources } from '../k8s/resources.ts';
import { kubeEvent } from '../k8s/event.ts';
import { exclusionOf, protectedNamespaces } from './exclusions.ts';
import {
  EMPTY_POLICY,
  MAINTENANCE_CONFIGMAP,
  maintenanceBlock,
  namespacePolicy,
  parsePolicy,
  type MaintenancePolicy,
} from './windows.ts';
import { firingAlertsMatching } from './alert-gate.ts';

export const DEFAULT_MAX_ACTIONS = 10;

export interface SafetyDeps {
  bot: string;
  k8s: K8s;
  mode: Mode;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  now: () => Date;
  /** The bot's declaration: false makes every write a SafetyRailError (default true). */
  mutates?: boolean;
}

export type Rails = SafetyRails;

export function createSafetyRails(deps: SafetyDeps): Rails {
  const { bot, k8s, log, now } = deps;
  const mutates = deps.mutates !== false;
  const writable = (what: string): void => {
    if (!mutates) throw new SafetyRailError(`${bot} is declared mutates: false and cannot ${what}`);
  };
  // deps.mode is the run's effective mode (ctx.mode); anything but 'apply' is dry-run.
  const mode: Mode = deps.mode === 'apply' ? 'apply' : 'dry-run';
  const dryRun = mode === 'dry-run';
  const maxActions = parseMaxActions(deps.env.ECO_MAX_ACTIONS);
  const protectedSet = protectedNamespaces(deps.env.ECO_PROTECTED_NAMESPACES);
  const recorded: Action[] = [];
  let used = 0;
  const namespaceCache = new Map<string, Promise<KubeObject | undefined | Error>>();
  let policy: Promise<MaintenancePolicy | string> | undefined;
  let alerts: Promise<string | undefined> | undefined;

  /** The cluster's windows and freezes, read once per run; a policy that cannot be read blocks (fail safe). */
  function clusterPolicy(): Promise<MaintenancePolicy | string> {
    policy ??= k8s
      .get(resources.configmaps, MAINTENANCE_CONFIGMAP, deps.env.ECO_FLEET_NAMESPACE?.trim() || 'eco-bots')
      .then(
        (cm) => {
          const text = (cm?.['data'] as Record<string, string> | undefined)?.['policy'];
          return text === undefined ? EMPTY_POLICY : parsePolicy(text);
        },
        (error: unknown) => `maintenance policy unreadable (${(error as Error).message})`,
      )
      .catch((error: unknown) => `maintenance policy invalid (${(error as Error).message})`);
    return policy;
  }

  /**
   * Why a disruptive action may not run now (a freeze, outside every window, a firing alert that
   * matches ECO_MAINTENANCE_ALERT_FILTER, as kured's --alert-filter-regexp), or undefined.
   */
  async function maintenanceGate(object: KubeObject): Promise<string | undefined> {
    const cluster = await clusterPolicy();
    if (typeof cluster === 'string') return `maintenance-blocked: ${cluster}`;
    const ns = await namespaceOf(object);
    let own: Partial<MaintenancePolicy> = {};
    if (ns !== undefined && !(ns instanceof Error)) {
      try {
        own = namespacePolicy(ns.metadata.annotations);
      } catch (error) {
        return `maintenance-blocked: ${(error as Error).message}`;
      }
    }
    const blocked = maintenanceBlock(cluster, own, now());
    if (blocked !== undefined) return blocked;
    alerts ??= firingAlertsMatching(deps.env).then(
      (names) => (names.length > 0 ? `blocked-by-alert: ${names.join(', ')} firing` : undefined),
      (error: unknown) => `maintenance-blocked: alert check failed (${(error as Error).message})`,
    );
    return alerts;
  }

  function record(action: Action): Action {
    recorded.push(action);
    return action;
  }

  async function namespaceOf(object: KubeObject): Promise<KubeObject | undefined | Error> {
    const ns = object.metadata.namespace;
    if (ns === undefined || object.kind === 'Namespace') return undefined;
    let pending = namespaceCache.get(ns);
    if (!pending) {
      pending = k8s
        .get(resources.namespaces, ns)
        .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      namespaceCache.set(ns, pending);
    }
    return pending;
  }

  async function exclusion(object: KubeObject): Promise<Exclusion> {
    const namespace = await namespaceOf(object);
    if (namespace instanceof Error) {
      // Fail safe: an unreadable namespace may carry an exclusion we cannot see.
      return {
        excluded: true,
        reason: `namespace ${object.metadata.namespace ?? ''} unreadable (${isForbidden(namespace) ? 'forbidden' : namespace.message}); treated as excluded`,
      };
    }
    return exclusionOf({ object, namespace, protectedNamespaces: protectedSet, now: now() });
  }

  async function event(
    object: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    options: { name?: string; count?: number } = {},
  ): Promise<boolean> {
    writable('post an Event');
    const at = now();
    const body = kubeEvent(object, {
      // A fixed name makes the create safe to retry after an ambiguous failure.
      name: options.name ?? `${object.metadata.name}.${randomBytes(8).toString('hex')}`,
      type,
      reason,
      message,
      bot,
      at,
      pinVersion: true,
    });
    try {
      await k8s.create(resources.events, body);
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) {
        if (options.name === undefined) return true;
        try {
          await k8s.patch(
            resources.events,
            options.name,
            body.metadata.namespace,
            { count: (options.count ?? 1) + 1, lastTimestamp: at.toISOString() },
            { patchType: 'merge' },
          );
          return true;
        } catch (refreshError) {
          log.warn('could not refresh event', { reason, error: (refreshError as Error).message });
          return false;
        }
      }
      log.warn('could not post event', {
        object: object.metadata.name,
        reason,
        error: (error as Error).message,
      });
      return false;
    }
  }

  /**
   * Shared flow of every mutation. `attempt` performs it against the given (possibly fresh) object.
   * Skipped actions carry no `before`: nothing changed, and past the cap there can be thousands.
   */
  async function mutate(
    verb: ActionVerb,
    type: ResourceType,
    object: KubeObject,
    reason: string,
    options: MutationOptions | undefined,
    attempt: (target: KubeObject) => Promise<unknown>,
  ): Promise<Action> {
    writable(verb);
    const base = (target: KubeObject) => ({ verb, object: refOf(type, target) });
    const view = (value: unknown): unknown => strip(value, type, verb);
    const excluded = await exclusion(object);
    if (excluded.excluded) {
      return record({
        ...base(object),
        status: 'skipped',
        reason: `excluded: ${excluded.reason ?? ''}`,
      });
    }
    if (isDisruptive(verb, object, options)) {
      const blocked = await maintenanceGate(object);
      if (blocked !== undefined) return record({ ...base(object), status: 'skipped', reason: blocked });
    }
    if (used >= maxActions) {
      return record({ ...base(object), status: 'skipped', reason: 'blast-radius' });
    }
    used++;
    let target = object;
    let why = reason;
    for (let round = 0; ; round++) {
      try {
        const after = await attempt(target);
        if (dryRun) {
          return record({
            ...base(target),
            status: 'planned',
            reason: why,
            before: view(target),
            ...(after !== undefined ? { after: view(after) } : {}),
          });
        }
        const action: Action = {
          ...base(target),
          status: 'applied',
          reason: why,
          before: view(target),
          ...(after !== undefined ? { after: view(after) } : {}),
        };
        const eventTarget = verb === 'create' && isKubeObject(after) ? after : target;
        await event(
          eventTarget,
          'Normal',
          options?.eventReason ?? `EcoBot${verb[0]?.toUpperCase() ?? ''}${verb.slice(1)}`,
          `${bot} ${verb}: ${why}`,
        );
        log.info('action applied', { verb, object: refOf(type, target), reason: why });
        return record(action);
      } catch (error) {
        if (verb === 'evict' && isK8sApiError(error) && error.status === 429) {
          used--;
          return record({
            ...base(target),
            status: 'skipped',
            reason: 'disruption-budget',
            error: error.serverMessage,
          });
        }
        if (verb === 'create' && isAlreadyExists(error)) {
          used--;
          return record({ ...base(target), status: 'skipped', reason: 'already-exists' });
        }
        if (isNotFound(error) && verb !== 'create') {
          used--;
          return record({
            ...base(target),
            status: 'skipped',
            reason: 'already-gone',
          });
        }
        if (isConflict(error) && verb !== 'create' && round === 0) {
          // Never a blind retry: read again, check exclusions again, let the bot decide again.
          let fresh: KubeObject | undefined;
          try {
            fresh = await k8s.get(type, target.metadata.name, target.metadata.namespace);
          } catch (readError) {
            used--;
            return record({
              ...base(target),
              status: 'skipped',
              reason: 'changed-since-read',
              error: `re-read failed: ${(readError as Error).message}`,
            });
          }
          if (!fresh) {
            used--;
            return record({ ...base(target), status: 'skipped', reason: 'already-gone' });
          }
          const again = await exclusion(fresh);
          const decision = again.excluded || !options?.redecide ? false : await options.redecide(fresh);
          if (decision === false) {
            used--;
            return record({
              ...base(fresh),
              status: 'skipped',
              reason: again.excluded
                ? `changed-since-read; excluded: ${again.reason ?? ''}`
                : 'changed-since-read',
            });
          }
          target = fresh;
          why = decision;
          continue;
        }
        if (isConflict(error) && verb !== 'create') {
          used--;
          return record({
            ...base(target),
            status: 'skipped',
            reason: 'changed-since-read',
          });
        }
        return record({
          ...base(target),
          status: 'failed',
          reason: why,
          before: view(target),
          error: (error as Error).message,
        });
      }
    }
  }

  const rails: Rails = {
    mode,
    exclusion,
    delete(type, object, reason, options) {
      return mutate('delete', type, object, reason, options, async (target) => {
        const preconditions: { uid?: string; resourceVersion?: string } = {};
        if (target.metadata.uid) preconditions.uid = target.metadata.uid;
        if (target.metadata.resourceVersion) preconditions.resourceVersion = target.metadata.resourceVersion;
        await k8s.delete(type, target.metadata.name, target.metadata.namespace, {
          propagationPolicy: 'Background',
          preconditions,
          dryRun,
          ...(options?.gracePeriodSeconds === undefined
            ? {}
            : { gracePeriodSeconds: options.gracePeriodSeconds }),
        });
        return undefined;
      });
    },
    patch(type, object, patch, patchType, reason, options) {
      return mutate('patch', type, object, reason, options, (target) =>
        k8s.patch(
          type,
          target.metadata.name,
          target.metadata.namespace,
          withPrecondition(patch, patchType, target),
          {
            patchType,
            dryRun,
            fieldManager: bot,
          },
        ),
      );
    },
    create(type, object, reason, options) {
      return mutate('create', type, object, reason, options, (target) =>
        k8s.create(type, target, { dryRun }),
      );
    },
    update(type, object, updated, reason, options) {
      return mutate('update', type, object, reason, options, (target) => {
        // The read resourceVersion is the precondition: a changed object answers 409.
        const metadata = { ...updated.metadata };
        if (target.metadata.resourceVersion) metadata.resourceVersion = target.metadata.resourceVersion;
        return k8s.replace(type, { ...updated, metadata }, { dryRun });
      });
    },
    scale(type, object, replicas, reason, options) {
      return mutate('scale', type, object, reason, options, (target) =>
        k8s.patch(
          type,
          target.metadata.name,
          target.metadata.namespace,
          withPrecondition({ spec: { replicas } }, 'merge', target),
          { patchType: 'merge', dryRun, fieldManager: bot },
        ),
      );
    },
    restart(type, object, reason, options) {
      const at = now().toISOString();
      return mutate('restart', type, object, reason, options, (target) =>
        k8s.patch(
          type,
          target.metadata.name,
          target.metadata.namespace,
          withPrecondition(
            {
              spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } },
            },
            'merge',
            target,
          ),
          { patchType: 'merge', dryRun, fieldManager: bot },
        ),
      );
    },
    cordon(node, reason, options) {
      return mutate('cordon', resources.nodes, node, reason, options, (target) =>
        k8s.patch(
          resources.nodes,
          target.metadata.name,
          undefined,
          withPrecondition({ spec: { unschedulable: true } }, 'merge', target),
          {
            patchType: 'merge',
            dryRun,
            fieldManager: bot,
          },
        ),
      );
    },
    uncordon(node, reason, options) {
      return mutate('uncordon', resources.nodes, node, reason, options, (target) =>
        k8s.patch(
          resources.nodes,
          target.metadata.name,
          undefined,
          withPrecondition({ spec: { unschedulable: null } }, 'merge', target),
          {
            patchType: 'merge',
            dryRun,
            fieldManager: bot,
          },
        ),
      );
    },
    evict(pod, reason, options) {
      return mutate('evict', resources.pods, pod, reason, options, async (target) => {
        const ns = target.metadata.namespace ?? '';
        const deleteOptions: Record<string, unknown> = {};
        if (target.metadata.uid) deleteOptions.preconditions = { uid: target.metadata.uid };
        if (dryRun) deleteOptions.dryRun = ['All'];
        await k8s.request(
          'POST',
          `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(target.metadata.name)}/eviction${dryRun ? '?dryRun=All' : ''}`,
          {
            apiVersion: 'policy/v1',
            kind: 'Eviction',
            metadata: { name: target.metadata.name, namespace: ns },
            deleteOptions,
          },
        );
        return undefined;
      });
    },
    async external(verb, target, reason, apply, options?: ExternalOptions) {
      writable(verb);
      if (options?.disruptive === true) {
        const blocked = await maintenanceGate({ metadata: { name: target.name } });
        if (blocked !== undefined)
          return record({ verb, object: target, status: 'skipped', reason: blocked });
      }
      if (used >= maxActions)
        return record({ verb, object: target, status: 'skipped', reason: 'blast-radius' });
      used++;
      const before = options?.before === undefined ? {} : { before: options.before };
      if (dryRun) return record({ verb, object: target, status: 'planned', reason, ...before });
      try {
        const after = await apply();
        log.info('action applied', { verb, object: target, reason });
        return record({
          verb,
          object: target,
          status: 'applied',
          reason,
          ...before,
          ...(after === undefined ? {} : { after }),
        });
      } catch (error) {
        return record({
          verb,
          object: target,
          status: 'failed',
          reason,
          ...before,
          error: (error as Error).message,
        });
      }
    },
    skip(verb, object, reason, type) {
      const ref = 'metadata' in object ? refOf(type ?? guessType(object), object) : object;
      return record({ verb, object: ref, status: 'skipped', reason });
    },
    note: (action) => record(action),
    actions: () => [...recorded],
    budget: () => ({ max: maxActions, used }),
    event,
  };
  return rails;
}

const ALWAYS_DISRUPTIVE: ReadonlySet<ActionVerb> = new Set(['evict', 'cordon', 'restart', 'scale']);
const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Node',
  'Namespace',
  'PersistentVolumeClaim',
  'PersistentVolume',
]);

/**
 * Whether an action disturbs running workloads, so maintenance windows and freezes apply: evict,
 * cordon, restart and scale always; deleting a workload, a running pod or a ReplicaSet with pods; a
 * patch or update only when the bot says so (an image change). Cleaning up what already stopped (a
 * finished Job, a failed pod, an empty ReplicaSet) is not disruptive.
 */
export function isDisruptive(verb: ActionVerb, object: KubeObject, options?: MutationOptions): boolean {
  if (options?.disruptive !== undefined) return options.disruptive;
  if (ALWAYS_DISRUPTIVE.has(verb)) return true;
  if (verb !== 'delete') return false;
  const kind = object.kind ?? '';
  if (WORKLOAD_KINDS.has(kind)) return true;
  if (kind === 'Pod') {
    const phase = (object['status'] as { phase?: string } | undefined)?.phase;
    return phase === 'Running' || phase === 'Pending';
  }
  if (kind === 'ReplicaSet') {
    const replicas = (object['spec'] as { replicas?: number } | undefined)?.replicas;
    return (replicas ?? 0) > 0;
  }
  return false;
}

function guessType(object: KubeObject): ResourceType {
  const [group, version] = (object.apiVersion ?? 'v1').includes('/')
    ? (object.apiVersion ?? '').split('/')
    : ['', object.apiVersion ?? 'v1'];
  const kind = object.kind ?? 'Unknown';
  return {
    group: group ?? '',
    version: version ?? 'v1',
    plural: `${kind.toLowerCase()}s`,
    kind,
    namespaced: object.metadata.namespace !== undefined,
  };
}

/** Adds the read resourceVersion to a patch so the server refuses it (409) if the object changed. */
export function withPrecondition(patch: unknown, patchType: PatchType, object: KubeObject): unknown {
  const resourceVersion = object.metadata.resourceVersion;
  if (!resourceVersion) return patch;
  if (patchType === 'json') {
    const ops = Array.isArray(patch) ? patch : [];
    return [{ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion }, ...ops];
  }
  if (patch !== null && typeof patch === 'object' && !Array.isArray(patch)) {
    const record = patch as Record<string, unknown>;
    const metadata = (record.metadata ?? {}) as Record<string, unknown>;
    return { ...record, metadata: { ...metadata, resourceVersion } };
  }
  return patch;
}

function refOf(type: ResourceType, object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? apiVersionOf(type),
    kind: object.kind ?? type.kind,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    name: object.metadata.name,
    ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
  };
}

/** The state needed to undo, without server bookkeeping that would bloat reports. */
/**
 * An object as the report's action shows it: without managedFields, and for a Secret without its
 * values (the key names stay), so a Secret written through the rails never puts a secret value in
 * a report, a log line or an event.
 */
function strip(value: unknown, type?: ResourceType, verb?: ActionVerb): unknown {
  if (!isKubeObject(value)) return value;
  const { managedFields: _managed, ...metadata } = value.metadata as KubeObject['metadata'] & {
    managedFields?: unknown;
  };
  if (verb === 'restart') {
    // A restart changes one template annotation: show that, not the whole workload (whose env may
    // hold literal values a report must not repeat).
    const template = (value['spec'] as { template?: { metadata?: { annotations?: unknown } } } | undefined)
      ?.template;
    return {
      apiVersion: value.apiVersion,
      kind: value.kind,
      metadata,
      spec: { template: { metadata: { annotations: template?.metadata?.annotations ?? {} } } },
    };
  }
  const out: Record<string, unknown> = { ...value, metadata };
  const isSecret = value.kind === 'Secret' || (type?.group === '' && type.plural === 'secrets');
  if (isSecret) {
    for (const field of ['data', 'stringData']) {
      const values = out[field];
      if (values !== null && typeof values === 'object')
        out[field] = Object.fromEntries(Object.keys(values).map((k) => [k, '(redacted)']));
    }
  }
  return out;
}

function isKubeObject(value: unknown): value is KubeObject {
  return (
    value !== null &&
    typeof value === 'object' &&
    'metadata' in value &&
    typeof (value as KubeObject).metadata === 'object'
  );
}

/** ECO_MAX_ACTIONS: a whole number >= 0; anything else is a ConfigError (checked at start too). */
export function parseMaxActions(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_MAX_ACTIONS;
  const n = Number(value);
  if (/^\s*\d+\s*$/.test(value) && Number.isSafeInteger(n)) return n;
  throw new ConfigError('ECO_MAX_ACTIONS', `"${value}" is not a whole number >= 0`);
}
