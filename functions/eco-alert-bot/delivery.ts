import { randomUUID } from 'node:crypto';
import type { EmitOptions, RetryPolicy } from '../../shared/index.ts';
import {
  EVENT_SOURCE,
  SEVERITY_EXTENSION,
  TARGET_EXTENSION,
  TARGETS_EXTENSION,
  alertEventData,
  alertEventType,
} from './events.ts';
import type { NotificationContext } from './events.ts';
import type { NormalisedAlert } from './normalise.ts';
import { invokeAsync } from './openfaas.ts';
import type { GatewayConfig } from './openfaas.ts';

/** One alert to deliver, after dedupe and routing. */
export interface RoutedAlert {
  alert: NormalisedAlert;
  targets: string[];
}

export type Channel = 'sink' | 'openfaas';
export type SinkMode = 'per-target' | 'per-alert';

export interface DeliveryRecord {
  alertname: string;
  fingerprint: string;
  status: NormalisedAlert['status'];
  channel: Channel;
  /** The bot the delivery was for (openfaas, and sink in per-target mode). */
  target?: string;
  ok: boolean;
  /** Not attempted: the same channel (or gateway target) already failed in this notification. */
  skipped?: boolean;
  attempts?: number;
  httpStatus?: number;
  error?: string;
}

export interface DeliveryDeps {
  /** ctx.emit: K_SINK with the kit's retries; throws after the last attempt. */
  emit: (type: string, data: unknown, options?: EmitOptions) => Promise<void>;
  /** Whether K_SINK is set (ctx.emit is a silent no-op otherwise). */
  sink: boolean;
  /** One event per alert and target (default), or one per alert. */
  sinkMode: SinkMode;
  gateway: GatewayConfig | undefined;
  policy: RetryPolicy;
  signal: AbortSignal;
  traceparent: string;
  now: () => Date;
  concurrency: number;
  context: NotificationContext;
}

type Job = () => Promise<DeliveryRecord>;

/** Runs jobs with at most `limit` in flight, keeping results in job order. */
async function pool(jobs: readonly Job[], limit: number): Promise<DeliveryRecord[]> {
  const results: DeliveryRecord[] = new Array<DeliveryRecord>(jobs.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (job !== undefined) results[index] = await job();
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return results;
}

function base(
  alert: NormalisedAlert,
  channel: Channel,
): Pick<DeliveryRecord, 'alertname' | 'fingerprint' | 'status' | 'channel'> {
  return { alertname: alert.alertname, fingerprint: alert.fingerprint, status: alert.status, channel };
}

async function emitOne(
  deps: DeliveryDeps,
  alert: NormalisedAlert,
  type: string,
  data: unknown,
  extensions: Record<string, string>,
  target: string | undefined,
): Promise<DeliveryRecord> {
  const where = target === undefined ? {} : { target };
  try {
    // A CloudEvent subject must not be empty: an alert without alertname goes without one.
    const options: EmitOptions =
      alert.alertname === '' ? { extensions } : { subject: alert.alertname, extensions };
    await deps.emit(type, data, options);
    return { ...base(alert, 'sink'), ...where, ok: true };
  } catch (error) {
    const record: DeliveryRecord = {
      ...base(alert, 'sink'),
      ...where,
      ok: false,
      error: (error as Error).message,
    };
    const attempts = (error as { attempts?: unknown }).attempts;
    if (typeof attempts === 'number') record.attempts = attempts;
    const last = (error as { lastStatus?: unknown }).lastStatus;
    if (typeof last === 'number') record.httpStatus = last;
    return record;
  }
}

/**
 * K_SINK (when set) gets every alert, routed or not, so a broker subscriber such as the status page sees
 * them all. In `per-target` mode (the default) a routed alert becomes one event per target carrying
 * `ecotarget` = that bot (and `ecotargets` = that bot): a Knative Trigger selects its bot with an exact
 * attribute filter, which every broker class supports. In `per-alert` mode it is one event per alert with
 * `ecotargets` = all targets, comma-separated (for brokers with CESQL filters, or subscribers that want
 * each alert once). Each routed alert is also queued once per target on the OpenFaaS gateway when
 * OPENFAAS_URL is set. Failures are recorded, never thrown: the caller decides the HTTP status.
 */
export function deliverAll(items: readonly RoutedAlert[], deps: DeliveryDeps): Promise<DeliveryRecord[]> {
  // Nowhere to deliver (the report says so): do not build events nobody sends.
  if (!deps.sink && deps.gateway === undefined) return Promise.resolve([]);
  const jobs: Job[] = [];
  // Once a channel has failed after its retries, the answer is a 502 and Alertmanager resends the whole
  // group anyway: later deliveries over the same channel are skipped so the 502 comes back quickly
  // instead of after every alert's retries (which could outlast Alertmanager's timeout).
  const tripped = new Map<string, string>();
  const guarded =
    (key: string, skeleton: Omit<DeliveryRecord, 'ok'>, deliver: Job): Job =>
    async () => {
      const earlier = tripped.get(key);
      if (earlier !== undefined) {
        return { ...skeleton, ok: false, skipped: true, attempts: 0, error: `not attempted: ${earlier}` };
      }
      const record = await deliver();
      if (!record.ok && !tripped.has(key)) tripped.set(key, record.error ?? 'delivery failed');
      return record;
    };
  for (const { alert, targets } of items) {
    const type = alertEventType(alert.status);
    const data = alertEventData(alert, targets, deps.context);
    const severity = { [SEVERITY_EXTENSION]: alert.severity };
    if (deps.sink) {
      if (deps.sinkMode === 'per-alert' || targets.length === 0) {
        const extensions: Record<string, string> =
          targets.length > 0 ? { ...severity, [TARGETS_EXTENSION]: targets.join(',') } : severity;
        jobs.push(
          guarded('sink', base(alert, 'sink'), () => emitOne(deps, alert, type, data, extensions, undefined)),
        );
      } else {
        for (const target of targets) {
          const extensions = { ...severity, [TARGET_EXTENSION]: target, [TARGETS_EXTENSION]: target };
          jobs.push(
            guarded('sink', { ...base(alert, 'sink'), target }, () =>
              emitOne(deps, alert, type, data, extensions, target),
            ),
          );
        }
      }
    }
    const gateway = deps.gateway;
    if (gateway === undefined) continue;
    const body = JSON.stringify(data);
    for (const target of targets) {
      const skeleton = { ...base(alert, 'openfaas'), target };
      jobs.push(
        guarded(`openfaas/${target}`, skeleton, async () => {
          // A binary-mode CloudEvent: the target's runtime decodes it like one from a Knative broker.
          const headers: Record<string, string> = {
            'ce-specversion': '1.0',
            'ce-id': randomUUID(),
            'ce-source': EVENT_SOURCE,
            'ce-type': type,
            'ce-time': deps.now().toISOString(),
            [`ce-${SEVERITY_EXTENSION}`]: alert.severity,
            // Addressed to one bot, like a per-target sink event; data.targets lists all of them.
            [`ce-${TARGET_EXTENSION}`]: target,
            [`ce-${TARGETS_EXTENSION}`]: target,
            traceparent: deps.traceparent,
          };
          if (alert.alertname !== '') headers['ce-subject'] = encodeURIComponent(alert.alertname);
          const result = await invokeAsync(gateway, target, body, headers, deps.policy, deps.signal);
          const record: DeliveryRecord = {
            ...base(alert, 'openfaas'),
            target,
            ok: result.ok,
            attempts: result.attempts,
          };
          if (result.status !== undefined) record.httpStatus = result.status;
          if (result.error !== undefined && !result.ok) record.error = result.error;
          return record;
        }),
      );
    }
  }
  return pool(jobs, deps.concurrency);
}
