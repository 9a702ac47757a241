import type { Logger } from '../../shared/log/index.ts';
import type { InvocationResult } from './invoker.ts';

/**
 * Delivers an async invocation's result to X-Callback-Url with the headers OpenFaaS's queue-worker
 * sets. Best effort, one attempt, 10 s: a failed callback is logged, never retried.
 */
export async function postCallback(
  callback: string,
  callId: string,
  name: string,
  result: InvocationResult,
  log: Logger,
): Promise<void> {
  await fetch(callback, {
    method: 'POST',
    headers: {
      'content-type': String(result.headers['content-type'] ?? 'application/json'),
      'x-call-id': callId,
      'x-function-name': name,
      'x-function-status': String(result.status),
      'x-duration-seconds': (result.run.durationMs / 1000).toFixed(3),
    },
    body: new Uint8Array(result.body),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) =>
    log.warn('callback failed', { callId, callback, error: (error as Error).message }),
  );
}
