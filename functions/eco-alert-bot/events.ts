import type { NormalisedAlert } from './normalise.ts';

export const BOT_NAME = 'eco-alert-bot';
export const ALERT_FIRING_TYPE = 'org.bsw-arch.eco.alert.firing.v1';
export const ALERT_RESOLVED_TYPE = 'org.bsw-arch.eco.alert.resolved.v1';
export const EVENT_SOURCE = `/eco-bots/${BOT_NAME}`;
/** CloudEvent extension carrying the target bots, comma-separated (the local gateway routes on it). */
export const TARGETS_EXTENSION = 'ecotargets';
/** CloudEvent extension naming the one bot a per-target event is for (Knative Trigger exact filter). */
export const TARGET_EXTENSION = 'ecotarget';
/** CloudEvent extension carrying the normalised severity (info|warning|critical). */
export const SEVERITY_EXTENSION = 'ecoseverity';

export function alertEventType(status: NormalisedAlert['status']): string {
  return status === 'firing' ? ALERT_FIRING_TYPE : ALERT_RESOLVED_TYPE;
}

/** Where the alert came from; carried in every alert event so a target can link back. */
export interface NotificationContext {
  receiver?: string;
  groupKey?: string;
  externalURL?: string;
}

/** The data of an alert event and the body of an OpenFaaS invocation. */
export interface AlertEventData extends NormalisedAlert, NotificationContext {
  targets: string[];
}

export function alertEventData(
  alert: NormalisedAlert,
  targets: readonly string[],
  context: NotificationContext,
): AlertEventData {
  const data: AlertEventData = { ...alert, targets: [...targets] };
  if (context.receiver !== undefined) data.receiver = context.receiver;
  if (context.groupKey !== undefined) data.groupKey = context.groupKey;
  if (context.externalURL !== undefined) data.externalURL = context.externalURL;
  return data;
}
