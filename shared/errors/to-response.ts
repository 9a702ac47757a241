import { BotError, isBotError, type ErrorBody } from './bot-error.ts';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/**
 * The one place an error becomes an HTTP response. Known errors render themselves; anything else
 * is a bot failure (500) whose message is passed on, so the caller sees why the run failed.
 */
export function errorToResponse(error: unknown): ErrorResponse {
  if (isBotError(error)) {
    return { status: error.status, headers: { ...error.headers }, body: error.toJSON() };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 500,
    headers: {},
    body: { error: { code: 'bot-failed', message: message || 'bot failed' } },
  };
}

/** Wraps a foreign error as a BotError, leaving our own errors as they are. */
export function toBotError(error: unknown): BotError {
  if (isBotError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BotError('bot-failed', 500, message || 'bot failed', { cause: error });
}
