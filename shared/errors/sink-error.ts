import { BotError } from './bot-error.ts';

/** Delivery to K_SINK failed after the last attempt. A 502: the sink, not the caller, is at fault. */
export class SinkDeliveryError extends BotError {
  override name = 'SinkDeliveryError';
  readonly attempts: number;
  /** The last HTTP status seen, undefined when the last attempt failed on the network. */
  readonly lastStatus: number | undefined;

  constructor(message: string, attempts: number, lastStatus: number | undefined, cause?: unknown) {
    super('sink-delivery-failed', 502, message, { cause });
    this.attempts = attempts;
    this.lastStatus = lastStatus;
  }
}

export function isSinkDeliveryError(value: unknown): value is SinkDeliveryError {
  return (
    value instanceof SinkDeliveryError ||
    (value instanceof Error && value.name === 'SinkDeliveryError' && 'attempts' in value)
  );
}
