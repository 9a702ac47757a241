import { BotError } from './bot-error.ts';

/**
 * A bot asked the safety rails for something its declaration does not allow (a write from a bot
 * declared `mutates: false`). A bug in the bot, never the caller's fault: a 500.
 */
export class SafetyRailError extends BotError {
  override name = 'SafetyRailError';

  constructor(message: string) {
    super('safety-rail', 500, message);
  }
}

export function isSafetyRailError(value: unknown): value is SafetyRailError {
  return value instanceof SafetyRailError || (value instanceof Error && value.name === 'SafetyRailError');
}
