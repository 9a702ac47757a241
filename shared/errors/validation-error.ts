import { BotError, type BotErrorOptions } from './bot-error.ts';
import type { ErrorCode } from './codes.ts';

export interface Issue {
  /** JSON pointer of the offending field, '' for the whole value. */
  path: string;
  message: string;
}

/** Bad input from a caller: 400 (or 415 for an unsupported media type). */
export class ValidationError extends BotError {
  override name = 'ValidationError';
  readonly issues: readonly Issue[];

  constructor(
    message: string,
    options: BotErrorOptions & { code?: ErrorCode; status?: number; issues?: Issue[] } = {},
  ) {
    super(options.code ?? 'invalid-options', options.status ?? 400, message, options);
    this.issues = Object.freeze([...(options.issues ?? [])]);
  }
}

export function isValidationError(value: unknown): value is ValidationError {
  return (
    value instanceof ValidationError ||
    (value instanceof Error && value.name === 'ValidationError' && 'issues' in value)
  );
}
