// Push of extracted (already masked) error entries to Loki's push API (`POST /loki/api/v1/push`,
// JSON body `{ streams: [{ stream: {labels}, values: [[ "<unix ns>", "<line>" ], ...] }] }`), one
// stream per container and log (current/previous), labelled namespace/pod/container/bot/source.
// Loki drops an entry whose stream, timestamp and line equal one it already holds, so repeating
// the push after a network error cannot duplicate lines: it is retried like an idempotent request.
import { fetchWithRetry } from '../../shared/index.ts';
import type { ReportError } from '../../shared/index.ts';

export interface LokiStream {
  labels: { namespace: string; pod: string; container: string; bot: string; source: 'current' | 'previous' };
  entries: { time?: string; text: string }[];
}

export interface LokiPushOptions {
  url: string;
  /** Sent as X-Scope-OrgID (Loki multi-tenancy), when set. */
  tenant?: string;
  now: Date;
  signal: AbortSignal;
  timeoutMs: number;
}

/** Unix nanoseconds as a string, from an RFC 3339 time (or `fallback` when it cannot be read). */
export function unixNanos(time: string | undefined, fallback: Date): string {
  const parsed = time === undefined ? NaN : Date.parse(time);
  const ms = Number.isNaN(parsed) ? fallback.getTime() : parsed;
  // Keep sub-millisecond digits of the log's own time when it has them (ordering within a stream).
  const fraction =
    /\.(\d+)/
      .exec(time ?? '')?.[1]
      ?.padEnd(9, '0')
      .slice(3, 9) ?? '000000';
  return `${Math.floor(ms)}${Number.isNaN(parsed) ? '000000' : fraction}`;
}

export function pushBody(streams: readonly LokiStream[], now: Date): string {
  return JSON.stringify({
    streams: streams
      .filter((s) => s.entries.length > 0)
      .map((s) => {
        // Entries of one push keep their order and distinct timestamps (a multi-line entry without
        // its own time gets `now` plus its index in nanoseconds).
        const values = s.entries.map((e, i): [string, string] => {
          const ns = BigInt(unixNanos(e.time, now)) + (e.time === undefined ? BigInt(i) : 0n);
          return [ns.toString(), e.text];
        });
        return { stream: { ...s.labels }, values };
      }),
  });
}

/** Pushes the streams; resolves with a report error when Loki refused or could not be reached. */
export async function pushToLoki(
  streams: readonly LokiStream[],
  options: LokiPushOptions,
): Promise<ReportError | undefined> {
  if (streams.every((s) => s.entries.length === 0)) return undefined;
  const endpoint = new URL('loki/api/v1/push', options.url.endsWith('/') ? options.url : `${options.url}/`);
  try {
    const response = await fetchWithRetry(
      endpoint,
      {
        method: 'POST',
        safeToRepeat: true,
        headers: {
          'content-type': 'application/json',
          ...(options.tenant === undefined ? {} : { 'x-scope-orgid': options.tenant }),
        },
        body: pushBody(streams, options.now),
      },
      { attempts: 3, backoffMs: 200, maxBackoffMs: 2000, timeoutMs: options.timeoutMs },
      { signal: options.signal },
    );
    const text = await response.text().catch(() => '');
    if (response.status >= 200 && response.status < 300) return undefined;
    return {
      code: `loki-http-${response.status}`,
      message: `Loki refused the push to ${endpoint.href}: HTTP ${response.status} ${text.trim().slice(0, 200)}`,
    };
  } catch (error) {
    if (options.signal.aborted) throw error;
    const e = error as { message?: string; cause?: { code?: string } };
    return {
      code: 'loki-unavailable',
      message: `Loki at ${endpoint.href} could not be reached: ${e.cause?.code ?? e.message ?? String(error)}`,
    };
  }
}
