import type { CloudEvent } from 'cloudevents';
import { SinkDeliveryError } from '../errors/sink-error.ts';
import { fetchWithRetry } from '../http/retry.ts';
import type { SinkConfig } from '../config/types.ts';
import type { Logger } from '../log/types.ts';
import { loadCodec } from './lazy.ts';

export interface SinkDeps {
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  log?: Logger;
}

export type SendEvent = (event: CloudEvent<unknown>, signal?: AbortSignal) => Promise<void>;

/**
 * A K_SINK transport that sees status codes (the SDK's httpTransport resolves on any status):
 * binary mode, the kit's retry (shared/http/retry.ts: jittered exponential backoff, Retry-After up
 * to 30 s, 408/429/5xx and network errors), and a SinkDeliveryError after the last attempt so callers
 * (and Alertmanager, through a 5xx) know nothing was delivered. The POST is safe to repeat, as the
 * CloudEvents HTTP binding expects of a sender: a receiver dedupes a repeat by its id.
 */
export function createSinkSender(config: SinkConfig, deps: SinkDeps = {}): SendEvent {
  return async (event, signal) => {
    const { headers, body } = (await loadCodec()).toBinary(event);
    let made = 1;
    let lastStatus: number | undefined;
    let response: Response;
    try {
      response = await fetchWithRetry(
        config.url,
        { method: 'POST', headers, body, safeToRepeat: true },
        config,
        {
          signal,
          fetch: deps.fetch,
          sleep: deps.sleep,
          random: deps.random,
          onRetry: ({ attempt, delayMs, outcome }) => {
            made = attempt + 1;
            lastStatus = outcome.ok ? outcome.value.status : undefined;
            deps.log?.warn('K_SINK delivery failed, retrying', {
              attempt,
              status: lastStatus,
              delayMs,
              type: event.type,
            });
          },
        },
      );
    } catch (error) {
      if (signal?.aborted) throw new SinkDeliveryError('delivery to K_SINK aborted', made, lastStatus, error);
      const why = error instanceof Error ? error.message : String(error);
      throw new SinkDeliveryError(
        `delivery of ${event.type} to K_SINK failed after ${made} attempt(s): network error: ${why}`,
        made,
        undefined,
        error,
      );
    }
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return;
    throw new SinkDeliveryError(
      `delivery of ${event.type} to K_SINK failed after ${made} attempt(s): HTTP ${response.status}`,
      made,
      response.status,
    );
  };
}
