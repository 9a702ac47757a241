/**
 * Stable error codes, grouped by area. The HTTP status is a separate field: never read a code as a
 * status (Node system errors use string codes too).
 */
export type ErrorCode =
  // request decoding
  | 'bad-json'
  | 'invalid-options'
  | 'invalid-cloudevent'
  | 'unsupported-media-type'
  | 'body-too-large'
  | 'method-not-allowed'
  | 'not-found'
  // caller and capacity
  | 'unauthorized'
  | 'too-many-requests'
  | 'draining'
  // running
  | 'bot-failed'
  | 'timeout'
  | 'batch-failed'
  // configuration and delivery
  | 'config-invalid'
  | 'sink-delivery-failed'
  // a bot broke the kit's rules (a write from a read-only bot)
  | 'safety-rail'
  | 'internal';
