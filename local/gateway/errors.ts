/** A failure the gateway reports to its caller as JSON `{ error: { code, message } }` with `status`. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
