// The contract's own endpoints beside invocations: /_/health, /_/ready (OpenFaaS) and /metrics.
import type { ServerResponse } from 'node:http';
import type { KitMetrics } from '../metrics/registry.ts';
import { HttpError } from '../errors/http-error.ts';
import { sendError, sendJson, sendText } from '../http/respond.ts';

const PATHS = new Set(['/_/health', '/_/ready', '/metrics']);

export const isContractPath = (path: string): boolean => PATHS.has(path);

export function serveContractEndpoint(
  res: ServerResponse,
  path: string,
  method: string,
  state: { draining: boolean; inflight: number; maxInflight: number; metrics: KitMetrics },
): void {
  if (method !== 'GET' && method !== 'HEAD') {
    sendError(
      res,
      new HttpError('method-not-allowed', 405, `${method} not allowed on ${path}`, {
        headers: { allow: 'GET, HEAD' },
      }),
    );
    return;
  }
  if (path === '/_/health') {
    sendJson(res, 200, { status: 'ok' });
  } else if (path === '/_/ready') {
    if (state.draining) sendJson(res, 503, { status: 'draining' });
    else if (state.maxInflight > 0 && state.inflight >= state.maxInflight)
      sendJson(res, 429, { status: 'saturated', inflight: state.inflight });
    else sendJson(res, 200, { status: 'ready', inflight: state.inflight });
  } else {
    state.metrics.render().then(
      (text) => sendText(res, 200, text, state.metrics.contentType),
      (error: unknown) => sendError(res, error),
    );
  }
}
