import type { IncomingHttpHeaders } from 'node:http';
import type { Report } from '../../shared/bot/index.ts';
import { errorBody, GatewayError, isGatewayError } from './errors.ts';
import { forward, UpstreamTimeout } from './forward.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { ProcessPool } from './process-pool.ts';
import { asReport } from './report-store.ts';
import type { ReportStore, RunRecord } from './report-store.ts';

export interface Invocation {
  method: string;
  /** Path and query forwarded to the bot (the bot serves at `/`). */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface InvocationResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  report?: Report;
  run: RunRecord;
}

export interface InvokerDeps {
  pool: ProcessPool;
  store: ReportStore;
  metrics: GatewayMetrics;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** The trigger as the runtime will classify it, for metrics when no report comes back. */
export function guessTrigger(headers: Record<string, string>): string {
  if (headers['x-connector'] === 'cron-connector') return 'cron';
  if (headers['ce-id'] !== undefined || (headers['content-type'] ?? '').startsWith('application/cloudevents'))
    return 'cloudevent';
  return 'http';
}

const JSON_HEADERS: IncomingHttpHeaders = { 'content-type': 'application/json' };

/**
 * One invocation of one bot through its process. Whatever the process does (crash, hang, garbage),
 * the caller gets an HTTP answer: 504 after the timeout (the hung process is killed), 502 when the
 * process dies or cannot start, and the next call starts a fresh process.
 */
export async function invokeBot(
  deps: InvokerDeps,
  bot: string,
  invocation: Invocation,
): Promise<InvocationResult> {
  const started = Date.now();
  const at = new Date(started).toISOString();
  let status: number;
  let headers: IncomingHttpHeaders = JSON_HEADERS;
  let body: Buffer;
  let outcome: RunRecord['outcome'] = 'ok';
  let error: string | undefined;
  try {
    const lease = await deps.pool.acquire(bot);
    try {
      const response = await forward({
        port: lease.port,
        method: invocation.method,
        path: invocation.path,
        headers: invocation.headers,
        body: invocation.body,
        timeoutMs: deps.timeoutMs,
        maxResponseBytes: deps.maxResponseBytes,
      });
      status = response.status;
      headers = response.headers;
      body = response.body;
      // A 4xx other than 408/429 is the caller's fault (bad JSON, invalid options): the bot is fine.
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        outcome = 'rejected';
        error = errorMessage(body) ?? `HTTP ${status}`;
      } else if (status >= 400) {
        outcome = 'error';
        error = errorMessage(body) ?? `HTTP ${status}`;
      }
    } catch (cause) {
      if (cause instanceof UpstreamTimeout) {
        lease.kill();
        throw new GatewayError(
          504,
          'timeout',
          `${bot} did not answer within ${deps.timeoutMs} ms; its process was stopped`,
        );
      }
      // The process died under the call (or closed the socket): give the caller its tail.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const tail = deps.pool
        .tail(bot)
        .filter((line) => line.trim() !== '')
        .slice(-3);
      throw new GatewayError(
        502,
        'bot-crashed',
        `${bot} failed during the call: ${(cause as Error).message}` +
          (tail.length > 0 ? ` | ${tail.join(' | ')}` : ''),
      );
    } finally {
      lease.release();
    }
  } catch (cause) {
    const failure = isGatewayError(cause)
      ? cause
      : new GatewayError(500, 'gateway-error', (cause as Error).message);
    status = failure.status;
    body = Buffer.from(errorBody(failure.code, failure.message));
    headers = JSON_HEADERS;
    outcome = failure.code === 'timeout' ? 'timeout' : failure.status === 503 ? 'error' : 'crash';
    error = failure.message;
  }

  const report = status < 300 ? parseReport(headers, body) : undefined;
  if (report !== undefined && report.errors.length > 0) {
    outcome = 'error';
    error = report.errors.map((entry) => entry.message).join('; ');
  }
  const run: RunRecord = {
    bot,
    at,
    trigger: report?.trigger ?? guessTrigger(invocation.headers),
    outcome,
    status,
    durationMs: Date.now() - started,
  };
  if (report !== undefined) run.runId = report.runId;
  if (report?.scoped === true) run.scoped = true;
  if (error !== undefined) run.error = error;
  deps.store.recordRun(run);
  deps.metrics.recordRun(run);
  if (report !== undefined) {
    deps.store.putReport(report);
    deps.metrics.report(report);
  }
  const result: InvocationResult = { status, headers, body, run };
  if (report !== undefined) result.report = report;
  return result;
}

function parseReport(headers: IncomingHttpHeaders, body: Buffer): Report | undefined {
  const type = String(headers['content-type'] ?? '');
  if (!type.includes('json') || body.length === 0) return undefined;
  try {
    return asReport(JSON.parse(body.toString('utf8')));
  } catch {
    return undefined;
  }
}

function errorMessage(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown } };
    return typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
  } catch {
    return undefined;
  }
}
