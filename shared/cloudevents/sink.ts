import type { CloudEvent } from 'cloudevents';
import { SinkDeliveryError } from '../errors/sink-error.ts';
import type { SinkConfig } from '../config/types.ts';
import type { Logger } from '../log/types.ts';
import { loadCodec } from './lazy.ts';

export interface SinkDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: Logger;
}

export type SendEvent = (event: CloudEvent<unknown>, signal?: AbortSignal) => Promise<void>;

/** Retried like the CloudEvents HTTP binding says a sender should: 408, 429 and 5xx (plus network errors). */
const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

const RETRY_AFTER_CAP_MS = 30_000;

/** Retry-After as seconds or an HTTP date; undefined when absent or unusable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value.trim()) * 1000, RETRY_AFTER_CAP_MS);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), RETRY_AFTER_CAP_MS);
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A K_SINK transport that sees status codes (the SDK's httpTransport resolves on any status):
 * binary mode, jittered exponential backoff, Retry-After honoured, and a SinkDeliveryError after
 * the last attempt so callers (and Alertmanager, through a 5xx) know nothing was delivered.
 */
export function createSinkSender(config: SinkConfig, deps: SinkDeps = {}): SendEvent {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;

  return async (event, signal) => {
    const { headers, body } = (await loadCodec()).toBinary(event);
    let lastStatus: number | undefined;
    let lastError: unknown;
    let made = 0;
    for (let attempt = 1; attempt <= config.attempts; attempt += 1) {
      let wait: number | undefined;
      made = attempt;
      try {
        const timeout = AbortSignal.timeout(config.timeoutMs);
        const response = await doFetch(config.url, {
          method: 'POST',
          headers,
          body,
          signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
        });
        // Drain the body so the connection can be reused.
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        lastStatus = response.status;
        lastError = undefined;
        if (!retryable(response.status)) break;
        wait = retryAfterMs(response.headers.get('retry-after'));
      } catch (error) {
        if (signal?.aborted)
          throw new SinkDeliveryError('delivery to K_SINK aborted', attempt, lastStatus, error);
        lastStatus = undefined;
        lastError = error;
      }
      if (attempt < config.attempts) {
        const backoff = Math.min(config.maxBackoffMs, config.backoffMs * 2 ** (attempt - 1));
        const delay = wait ?? Math.round(random() * backoff);
        deps.log?.warn('K_SINK delivery failed, retrying', {
          attempt,
          status: lastStatus,
          delayMs: delay,
          type: event.type,
        });
        await sleep(delay);
      }
    }
    const why =
      lastStatus === undefined
        ? `network error: ${lastError instanceof Error ? lastError.message : String(lastError)}`
        : `HTTP ${lastStatus}`;
    throw new SinkDeliveryError(
      `delivery of ${event.type} to K_SINK failed after ${made} attempt(s): ${why}`,
      made,
      lastStatus,
      lastError,
    );
  };
}
