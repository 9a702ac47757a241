import { BotError, type BotErrorOptions } from './bot-error.ts';
import type { ErrorCode } from './codes.ts';

/** A request-level refusal that is not about the input's content: 401, 404, 405, 413, 429, 503, 504. */
export class HttpError extends BotError {
  override name = 'HttpError';

  constructor(code: ErrorCode, status: number, message: string, options: BotErrorOptions = {}) {
    super(code, status, message, options);
  }
}

export function isHttpError(value: unknown): value is HttpError {
  return (
    value instanceof HttpError || (value instanceof Error && value.name === 'HttpError' && 'status' in value)
  );
}
