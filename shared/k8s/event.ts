import type { KubeObject } from './types.ts';

export interface KubeEventOptions {
  /** The Event's own name (fixed names make a create safe to retry). */
  name: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The bot posting it: `source.component` and the reporting fields. */
  bot: string;
  /** When it happened (first and last timestamp). */
  at: Date;
  /** Pin the Event to the object's resourceVersion (an audit of one change) or not (a standing notice). */
  pinVersion?: boolean;
}

/** A core/v1 Event about `object`, in the object's namespace, as the fleet posts them. */
export function kubeEvent(object: KubeObject, options: KubeEventOptions): KubeObject {
  const { metadata } = object;
  const at = options.at.toISOString();
  return {
    metadata: { name: options.name, namespace: metadata.namespace ?? 'default' },
    involvedObject: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: metadata.name,
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      ...(metadata.uid ? { uid: metadata.uid } : {}),
      ...(options.pinVersion === true && metadata.resourceVersion
        ? { resourceVersion: metadata.resourceVersion }
        : {}),
    },
    type: options.type,
    reason: options.reason,
    message: options.message.slice(0, 1024),
    source: { component: options.bot },
    reportingComponent: `eco-bots/${options.bot}`,
    reportingInstance: options.bot,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}
