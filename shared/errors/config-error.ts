import { BotError } from './bot-error.ts';

/** A bad environment variable. The message names the variable; the process stops with one line. */
export class ConfigError extends BotError {
  override name = 'ConfigError';
  readonly variable: string;

  constructor(variable: string, message: string) {
    super('config-invalid', 500, `${variable}: ${message}`);
    this.variable = variable;
  }
}

export function isConfigError(value: unknown): value is ConfigError {
  return (
    value instanceof ConfigError ||
    (value instanceof Error && value.name === 'ConfigError' && 'variable' in value)
  );
}
