export { readBody } from './body.ts';
export { accepts, flatHeaders } from './negotiate.ts';
export { sendError, sendJson, sendMessage, sendText } from './respond.ts';
export { parseRetryAfter } from './retry-after.ts';
export {
  DEFAULT_MAX_RETRY_AFTER_MS,
  backoffDelay,
  fetchWithRetry,
  httpVerdict,
  isIdempotentMethod,
  isRetryableStatus,
  retry,
  sleep,
} from './retry.ts';
export type {
  AttemptOutcome,
  ResponseLike,
  RetryInfo,
  RetryOptions,
  RetryPolicy,
  RetryingFetchInit,
  Verdict,
} from './retry.ts';
