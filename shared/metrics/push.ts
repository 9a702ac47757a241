// Pushgateway push at the end of each run: a function that scales to zero between scrapes would
// otherwise lose what it counted. The process's registry text is PUT to
// `<ECO_PUSHGATEWAY_URL>/metrics/job/eco-bots/bot/<bot>`: PUT replaces the whole group, so a bot's
// last run replaces its previous one, and Prometheus scrapes the Pushgateway with
// `honor_labels: true` so the series keep `job="eco-bots"` and `bot`. A failed push is logged and
// counted, never a failed run. Retries go through the kit's one retry loop (PUT is idempotent).
import type { Logger } from '../log/types.ts';
import { fetchWithRetry, type RetryPolicy } from '../http/retry.ts';

export const PUSH_JOB = 'eco-bots';

/**
 * A grouping-key path segment: `/<name>/<value>`, or `/<name>@base64/<value>` (base64url) when the
 * value is empty or holds a `/`, as the Pushgateway's API defines.
 */
function segment(name: string, value: string): string {
  if (value === '' || value.includes('/'))
    return `/${name}@base64/${Buffer.from(value).toString('base64url') || '='}`;
  return `/${name}/${encodeURIComponent(value)}`;
}

/** `/metrics/job/<job>/bot/<bot>` under the Pushgateway's base URL (a path prefix is kept). */
export function pushUrl(base: string, bot: string, job = PUSH_JOB): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/metrics${segment('job', job)}${segment('bot', bot)}`;
  return url.toString();
}

const BOT_LABEL = /(?:^|[{,])\s*(bot|bot_name)="((?:[^"\\]|\\.)*)"/g;

/**
 * The part of a text exposition that belongs to `bot`. A process serving one bot pushes all of it;
 * a group keeps only the samples labelled `bot` / `bot_name` = that bot (process-wide series cannot
 * be told apart there and would be pushed once per bot otherwise). Families left without a sample
 * are dropped with their HELP/TYPE lines.
 */
export function seriesOf(text: string, bot: string, wholeProcess: boolean): string {
  if (wholeProcess) return text;
  const out: string[] = [];
  let header: string[] = [];
  let family: string | undefined;
  let kept = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) {
      const name = line.split(' ')[2];
      if (name !== family) {
        header = [];
        family = name;
        kept = false;
      }
      header.push(line);
      continue;
    }
    if (line.trim() === '') continue;
    const labels = line.slice(0, line.indexOf('}') + 1);
    const owners = [...labels.matchAll(BOT_LABEL)].map((m) => m[2]);
    if (owners.length === 0 || owners.some((o) => o !== bot)) continue;
    if (!kept) {
      out.push(...header);
      kept = true;
    }
    out.push(line);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

export interface PushOptions {
  /** The Pushgateway's base URL (ECO_PUSHGATEWAY_URL). */
  url: string;
  policy?: RetryPolicy;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export class PushError extends Error {
  override name = 'PushError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const DEFAULT_POLICY: RetryPolicy = { attempts: 3, backoffMs: 200, maxBackoffMs: 2000, timeoutMs: 5000 };

/** PUTs `text` as the group of `bot`; rejects with a PushError naming the status or network error. */
export async function pushMetrics(text: string, bot: string, options: PushOptions): Promise<void> {
  const target = pushUrl(options.url, bot);
  let response: Response;
  try {
    response = await fetchWithRetry(
      target,
      { method: 'PUT', headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, body: text },
      options.policy ?? DEFAULT_POLICY,
      { signal: options.signal, fetch: options.fetch },
    );
  } catch (error) {
    const e = error as { message?: string; cause?: { code?: string } };
    throw new PushError(`Pushgateway ${target} unreachable: ${e.cause?.code ?? e.message ?? String(error)}`);
  }
  const body = await response.text().catch(() => '');
  if (!response.ok)
    throw new PushError(
      `Pushgateway ${target} answered ${response.status}: ${body.trim().slice(0, 300)}`,
      response.status,
    );
}

export interface Pusher {
  /** Pushes the bot's series after a run; never rejects (a failure is logged and counted). */
  (bot: string): Promise<void>;
}

/**
 * The runtime's end-of-run hook: renders the registry and pushes the bot's part. Pushes of one bot
 * are serialised, so a slow push never lets an older registry overwrite a newer one.
 */
export function createPusher(options: {
  url: string;
  render: () => Promise<string>;
  wholeProcess: boolean;
  log: Logger;
  onError?: (bot: string) => void;
  fetch?: typeof fetch;
}): Pusher {
  const last = new Map<string, Promise<void>>();
  return (bot) => {
    const previous = last.get(bot) ?? Promise.resolve();
    const next = previous.then(async () => {
      try {
        const text = seriesOf(await options.render(), bot, options.wholeProcess);
        await pushMetrics(text, bot, {
          url: options.url,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
      } catch (error) {
        options.onError?.(bot);
        options.log.warn('metrics push failed', { bot, error: (error as Error).message });
      }
    });
    last.set(bot, next);
    void next.finally(() => {
      if (last.get(bot) === next) last.delete(bot);
    });
    return next;
  };
}
