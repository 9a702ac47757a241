// The optional warning before a deletion (ECO_CLEANUP_NOTICE), kept stateless: the notice is a
// Warning Event on the object, and its firstTimestamp is the clock. A run that finds no notice
// posts one; a later run deletes once the notice is older than the notice period.
//
// Posting and refreshing go through ctx.safety.event with the notice's fixed name: a create that
// finds the Event already there refreshes it instead.
//
// Real API servers expire Events (--event-ttl, 1 h by default) counted from their last write, so
// every run that sees a pending notice bumps its count and lastTimestamp: with the bot's 30-minute
// schedule the notice lives as long as it is needed, and firstTimestamp keeps the start.
import { createHash } from 'node:crypto';
import { fieldSelector, resources } from '../../shared/index.ts';
import type { K8sReader, KubeObject } from '../../shared/index.ts';

export const NOTICE_REASON = 'EcoCleanupNotice';

export interface Notice {
  name: string;
  namespace: string;
  firstAt: number;
  count: number;
}

interface EventObject extends KubeObject {
  involvedObject?: { uid?: string };
  firstTimestamp?: string;
  eventTime?: string;
  count?: number;
  source?: { component?: string };
}

/** Every notice this bot posted, by the uid of the object it is about (one paged list). */
export async function loadNotices(k8s: K8sReader, bot: string): Promise<Map<string, Notice>> {
  const notices = new Map<string, Notice>();
  for await (const event of k8s.list<EventObject>(resources.events, {
    fieldSelector: fieldSelector({ reason: NOTICE_REASON }),
  })) {
    const uid = event.involvedObject?.uid;
    if (!uid || event.source?.component !== bot) continue;
    const firstAt = Date.parse(
      event.firstTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp ?? '',
    );
    if (Number.isNaN(firstAt)) continue;
    const known = notices.get(uid);
    // Several notices for one object (a lost race): the oldest counts.
    if (!known || firstAt < known.firstAt) {
      notices.set(uid, {
        name: event.metadata.name,
        namespace: event.metadata.namespace ?? 'default',
        firstAt,
        count: event.count ?? 1,
      });
    }
  }
  return notices;
}

/** The notice's name is derived from the object's uid, so two racing runs cannot post two notices. */
export function noticeName(object: KubeObject): string {
  const digest = createHash('sha256')
    .update(object.metadata.uid ?? `${object.metadata.namespace ?? ''}/${object.metadata.name}`)
    .digest('hex')
    .slice(0, 12);
  return `${object.metadata.name.slice(0, 200)}.eco-cleanup-notice-${digest}`;
}
