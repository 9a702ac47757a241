import { randomUUID } from 'node:crypto';
import type { EmitOptions } from '../../shared/index.ts';
import {
  EVENT_SOURCE,
  SEVERITY_EXTENSION,
  TARGETS_EXTENSION,
  alertEventData,
  alertEventType,
} from './events.ts';
import type { NotificationContext } from './events.ts';
import type { NormalisedAlert } from './normalise.ts';
import { invokeAsync } from './openfaas.ts';
import type { GatewayConfig } from './openfaas.ts';
import type { RetryPolicy } from './retry.ts';

/** One alert to deliver, after dedupe and routing. */
export interface RoutedAlert {
  alert: NormalisedAlert;
  targets: string[];
}

export type Channel = 'sink' | 'openfaas';

export interface DeliveryRecord {
  alertname: string;
  fingerprint: string;
  status: NormalisedAlert['status'];
  channel: Channel;
  /** The invoked function (openfaas channel only). */
  target?: string;
  ok: boolean;
  attempts?: number;
  httpStatus?: number;
  error?: string;
}

export interface DeliveryDeps {
  /** ctx.emit: K_SINK with the kit's retries; throws after the last attempt. */
  emit: (type: string, data: unknown, options?: EmitOptions) => Promise<void>;
  /** Whether K_SINK is set (ctx.emit is a silent no-op otherwise). */
  sink: boolean;
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

/**
 * Every alert goes to K_SINK when it is set (routed or not, so a broker subscriber such as the status
 * page sees them all), and each routed alert is queued once per target on the OpenFaaS gateway when
 * OPENFAAS_URL is set. Failures are recorded, never thrown: the caller decides the HTTP status.
 */
export function deliverAll(items: readonly RoutedAlert[], deps: DeliveryDeps): Promise<DeliveryRecord[]> {
  const jobs: Job[] = [];
  for (const { alert, targets } of items) {
    const type = alertEventType(alert.status);
    const data = alertEventData(alert, targets, deps.context);
    const extensions: Record<string, string> = { [SEVERITY_EXTENSION]: alert.severity };
    if (targets.length > 0) extensions[TARGETS_EXTENSION] = targets.join(',');
    if (deps.sink) {
      jobs.push(async () => {
        try {
          await deps.emit(type, data, { subject: alert.alertname, extensions });
          return { ...base(alert, 'sink'), ok: true };
        } catch (error) {
          const record: DeliveryRecord = {
            ...base(alert, 'sink'),
            ok: false,
            error: (error as Error).message,
          };
          const attempts = (error as { attempts?: unknown }).attempts;
          if (typeof attempts === 'number') record.attempts = attempts;
          const last = (error as { lastStatus?: unknown }).lastStatus;
          if (typeof last === 'number') record.httpStatus = last;
          return record;
        }
      });
    }
    const gateway = deps.gateway;
    if (gateway === undefined) continue;
    const body = JSON.stringify(data);
    for (const target of targets) {
      jobs.push(async () => {
        // A binary-mode CloudEvent: the target's runtime decodes it like one from a Knative broker.
        const headers: Record<string, string> = {
          'ce-specversion': '1.0',
          'ce-id': randomUUID(),
          'ce-source': EVENT_SOURCE,
          'ce-type': type,
          'ce-subject': encodeURIComponent(alert.alertname),
          'ce-time': deps.now().toISOString(),
          [`ce-${SEVERITY_EXTENSION}`]: alert.severity,
          [`ce-${TARGETS_EXTENSION}`]: targets.join(','),
          traceparent: deps.traceparent,
        };
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
      });
    }
  }
  return pool(jobs, deps.concurrency);
}
