// How a run's result goes back: one report (JSON, a bot's own HTTP body, or a reply CloudEvent),
// or a batch of them with the worst status.
import type { ServerResponse } from 'node:http';
import type { Bot, HttpBody, Report } from '../bot/types.ts';
import { REPORT_EVENT_TYPE } from '../cloudevents/constants.ts';
import { loadCodec, loadEvents } from '../cloudevents/lazy.ts';
import { errorToResponse } from '../errors/to-response.ts';
import { accepts } from '../http/negotiate.ts';
import { sendJson, sendMessage, sendText } from '../http/respond.ts';
import type { Invocation } from './decode.ts';
import type { Execute, Headers } from './execute.ts';
import { traceFrom } from './trace.ts';

/** A report as JSON, the bot's own body when the caller accepts it, or a reply CloudEvent. */
export async function respondReport(
  res: ServerResponse,
  bot: Bot,
  result: { report: Report; http?: HttpBody },
  headers: Headers,
  wantsReply: boolean,
): Promise<void> {
  const { report, http } = result;
  if (http !== undefined && accepts(headers['accept'], http.contentType)) {
    sendText(res, 200, http.body, http.contentType);
    return;
  }
  if (wantsReply) {
    const traceparent = headers['traceparent'] ?? traceFrom(undefined).traceparent;
    sendMessage(
      res,
      200,
      (await loadCodec()).toBinary(
        (await loadEvents()).buildEvent(bot.name, REPORT_EVENT_TYPE, report, traceparent, {
          subject: report.runId,
        }),
      ),
    );
    return;
  }
  sendJson(res, 200, report);
}

/** A batch (or a fan-out at `/`): one result per event, run concurrently. */
export async function respondMany(
  res: ServerResponse,
  jobs: Array<{ bot: Bot; invocation: Invocation }>,
  headers: Headers,
  execute: Execute,
): Promise<void> {
  const settled = await Promise.allSettled(jobs.map((job) => execute(job.bot, job.invocation, headers)));
  let worst = 200;
  const results = settled.map((s) => {
    if (s.status === 'fulfilled') return s.value.report;
    const { status, body } = errorToResponse(s.reason);
    worst = Math.max(worst, status);
    return body;
  });
  if (worst === 200) {
    sendJson(res, 200, results);
    return;
  }
  const failed = settled.filter((s) => s.status === 'rejected').length;
  sendJson(res, worst, {
    error: { code: 'batch-failed', message: `${failed} of ${settled.length} events failed` },
    results,
  });
}
