// Small helpers every bot needs; one copy here instead of one per bot.
import type { ObjectRef, ReportError } from '../bot/types.ts';
import { isK8sApiError } from '../k8s/errors.ts';
import { apiVersionOf } from '../k8s/resources.ts';
import type { KubeObject, ResourceType } from '../k8s/types.ts';

/** The finding/action reference of an object (apiVersion and kind from the object, else its type). */
export function objectRef(object: KubeObject, type?: ResourceType): ObjectRef {
  const apiVersion = object.apiVersion ?? (type === undefined ? 'v1' : apiVersionOf(type));
  const kind = object.kind ?? type?.kind ?? 'Unknown';
  return {
    apiVersion,
    kind,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    name: object.metadata.name,
  };
}

/**
 * A failure to read something becomes a report error (the run goes on with what it could read),
 * never a crash: `k8s-<reason>` for API errors, `<system>-unavailable` for anything else.
 */
export function reportErrorFrom(error: unknown, what: string, system = 'k8s'): ReportError {
  if (isK8sApiError(error))
    return { code: `k8s-${error.reason.toLowerCase()}`, message: `${what}: ${error.serverMessage}` };
  const message = error instanceof Error ? error.message : String(error);
  return { code: `${system}-unavailable`, message: `${what}: ${message}` };
}

/** Drains an async iterable (a paged list) into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise that never rejects: reads run side by side and each failure is handled on its own. */
export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
