// The one path for mutations (ARCHITECTURE.md section 6): dry-run by default, exclusions,
// protected namespaces, a blast-radius cap, preconditions with re-decision on conflict, and an
// audit trail (Kubernetes Event, metric callback, report entry with `before`).
import { randomBytes } from 'node:crypto';
import type { Action, ActionVerb, Mode, ObjectRef } from '../bot/types.ts';
import type { K8s, KubeObject, PatchType, ResourceType } from '../k8s/types.ts';
import type { Logger } from '../log/types.ts';
import type { Exclusion, MutationOptions, SafetyRails } from './types.ts';
import { isAlreadyExists, isConflict, isForbidden, isNotFound } from '../k8s/errors.ts';
import { apiVersionOf, resources } from '../k8s/resources.ts';
import { kubeEvent } from '../k8s/event.ts';
import { exclusionOf, protectedNamespaces } from './exclusions.ts';

export const DEFAULT_MAX_ACTIONS = 10;

export interface SafetyDeps {
  bot: string;
  k8s: K8s;
  mode: Mode;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  now: () => Date;
  /** Called once per recorded action with its final status (the runtime counts eco_bot_actions_total). */
  onAction?: (action: Action) => void;
}

export interface Rails extends SafetyRails {
  /** The cap in force and how much of it is used. */
  budget(): { max: number; used: number };
  /** Posts a Kubernetes Event on the object (used for notices before acting). Never throws. */
  event(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<boolean>;
}

/**
 * The mode rule: apply needs the process's ECO_MODE=apply, and an invocation can lower it to
 * dry-run, never raise it. The runtime computes ctx.mode this way and hands it to the rails.
 */
export function effectiveMode(envMode: string | undefined, requested?: Mode | undefined): Mode {
  return envMode === 'apply' && requested !== 'dry-run' ? 'apply' : 'dry-run';
}

export function createSafetyRails(deps: SafetyDeps): Rails {
  const { bot, k8s, log, now } = deps;
  // deps.mode is the run's effective mode (ctx.mode); anything but 'apply' is dry-run.
  const mode: Mode = deps.mode === 'apply' ? 'apply' : 'dry-run';
  const dryRun = mode === 'dry-run';
  const maxActions = parseMax(deps.env.ECO_MAX_ACTIONS, log);
  const protectedSet = protectedNamespaces(deps.env.ECO_PROTECTED_NAMESPACES);
  const recorded: Action[] = [];
  let used = 0;
  const namespaceCache = new Map<string, Promise<KubeObject | undefined | Error>>();

  function record(action: Action): Action {
    recorded.push(action);
    try {
      deps.onAction?.(action);
    } catch (error) {
      log.warn('onAction callback failed', { error: (error as Error).message });
    }
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
  ): Promise<boolean> {
    const body = kubeEvent(object, {
      // A fixed name makes the create safe to retry after an ambiguous failure.
      name: `${object.metadata.name}.${randomBytes(8).toString('hex')}`,
      type,
      reason,
      message,
      bot,
      at: now(),
      pinVersion: true,
    });
    try {
      await k8s.create(resources.events, body);
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return true;
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
    const base = (target: KubeObject) => ({ verb, object: refOf(type, target) });
    const excluded = await exclusion(object);
    if (excluded.excluded) {
      return record({
        ...base(object),
        status: 'skipped',
        reason: `excluded: ${excluded.reason ?? ''}`,
      });
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
            before: strip(target),
            ...(after !== undefined ? { after: strip(after) } : {}),
          });
        }
        const action: Action = {
          ...base(target),
          status: 'applied',
          reason: why,
          before: strip(target),
          ...(after !== undefined ? { after: strip(after) } : {}),
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
          before: strip(target),
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
    actions: () => [...recorded],
    budget: () => ({ max: maxActions, used }),
    event,
  };
  return rails;
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
function strip(value: unknown): unknown {
  if (!isKubeObject(value)) return value;
  const { managedFields: _managed, ...metadata } = value.metadata as KubeObject['metadata'] & {
    managedFields?: unknown;
  };
  return { ...value, metadata };
}

function isKubeObject(value: unknown): value is KubeObject {
  return (
    value !== null &&
    typeof value === 'object' &&
    'metadata' in value &&
    typeof (value as KubeObject).metadata === 'object'
  );
}

function parseMax(value: string | undefined, log: Logger): number {
  if (value === undefined || value.trim() === '') return DEFAULT_MAX_ACTIONS;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 0) return n;
  log.warn('ECO_MAX_ACTIONS is not a non-negative integer; using the default', {
    value,
    default: DEFAULT_MAX_ACTIONS,
  });
  return DEFAULT_MAX_ACTIONS;
}
