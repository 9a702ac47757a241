import type { CloudEvent } from 'cloudevents';
import type { Bot } from '../../shared/bot/index.ts';
import {
  REPORT_EVENT_TYPE,
  decodeCloudEvents,
  eventData,
  eventExtensions,
  toBinary,
} from '../../shared/cloudevents/index.ts';
import type { Logger } from '../../shared/log/index.ts';
import { asReport } from './report-store.ts';
import type { ReportStore, StoredEvent } from './report-store.ts';

/** Extensions eco-alert-bot sets on alert events: the one target bot of a per-target event (what a
 *  Knative Trigger filters on exactly), and comma-separated targets of a per-alert event. */
export const TARGET_EXTENSION = 'ecotarget';
export const TARGETS_EXTENSION = 'ecotargets';
/** The status page's data comes from the gateway's report store; it is not re-invoked per report. */
const STATUS_BOT = 'eco-status-bot';
const DEDUPE_WINDOW = 1000;

export interface EventRouterDeps {
  bots: readonly Bot[];
  store: ReportStore;
  /** Delivers a binary-mode CloudEvent to a bot; resolves with the HTTP status it answered. */
  deliver(bot: string, headers: Record<string, string>, body: string): Promise<number>;
  onEvent?(type: string): void;
  log: Logger;
}

/**
 * A Knative Broker with one Trigger per consumed type, in memory: every event a bot emits to K_SINK
 * lands here and is delivered to the bots that declared the type in `triggers.events`. Alert events
 * carry their targets (ecotargets) and go to exactly those bots, as the alert bot's routing decided.
 * An event is never delivered back to the bot that emitted it, and duplicates (same source and id,
 * as a retrying sender produces) are delivered once.
 */
export class EventRouter {
  readonly #seen = new Set<string>();
  readonly #pending = new Set<Promise<void>>();
  readonly #byName: Map<string, Bot>;

  constructor(private readonly deps: EventRouterDeps) {
    this.#byName = new Map(deps.bots.map((bot) => [bot.name, bot]));
  }

  /** Decodes and queues; throws the kit's ValidationError (400) for a body that is not a CloudEvent. */
  accept(headers: Readonly<Record<string, string | string[] | undefined>>, body: string): number {
    const { events } = decodeCloudEvents(headers, body);
    for (const event of events) this.#route(event);
    return events.length;
  }

  /** Resolves when every delivery queued so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Which bots an event goes to. */
  targets(event: CloudEvent<unknown>): string[] {
    const emitter = /^\/eco-bots\/([a-z0-9-]+)$/.exec(event.source)?.[1];
    const extensions = eventExtensions(event);
    const listed = extensions[TARGET_EXTENSION] ?? extensions[TARGETS_EXTENSION];
    const candidates =
      listed !== undefined
        ? listed
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== '')
        : this.deps.bots.filter((bot) => bot.triggers.events?.includes(event.type)).map((bot) => bot.name);
    return [...new Set(candidates)].filter(
      (name) => name !== emitter && !(event.type === REPORT_EVENT_TYPE && name === STATUS_BOT),
    );
  }

  #route(event: CloudEvent<unknown>): void {
    const key = `${event.source}\u0000${event.id}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    if (this.#seen.size > DEDUPE_WINDOW) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.deps.onEvent?.(event.type);
    if (event.type === REPORT_EVENT_TYPE) {
      try {
        const report = asReport(eventData(event));
        if (report !== undefined) this.deps.store.putReport(report);
      } catch (error) {
        this.deps.log.warn('report event without a readable report', {
          source: event.source,
          error: (error as Error).message,
        });
      }
    }
    const record: StoredEvent = {
      at: new Date().toISOString(),
      id: event.id,
      type: event.type,
      source: event.source,
      deliveries: [],
    };
    if (event.subject !== undefined) record.subject = event.subject;
    this.deps.store.recordEvent(record);
    const { headers, body } = toBinary(event);
    for (const bot of this.targets(event)) {
      if (!this.#byName.has(bot)) {
        // Routed to a bot this checkout does not have (yet): visible in /_/events, not an error.
        record.deliveries.push({ bot, status: 0 });
        continue;
      }
      const delivery = { bot, status: 0 };
      record.deliveries.push(delivery);
      const pending = this.deps
        .deliver(bot, headers, body)
        .then((status) => {
          delivery.status = status;
        })
        .catch((error: unknown) => {
          this.deps.log.warn('event delivery failed', {
            bot,
            type: event.type,
            error: (error as Error).message,
          });
        })
        .finally(() => this.#pending.delete(pending));
      this.#pending.add(pending);
    }
  }
}
