import { randomFillSync } from 'node:crypto';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

// Ids come from a pool filled in one call: a crypto call per id costs more than a whole small run.
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

export interface Trace {
  traceId: string;
  /** Our own span's traceparent: the caller's trace id, a fresh span id. */
  traceparent: string;
}

/**
 * W3C trace context: keep the caller's trace id when `traceparent` is valid (version 00, ids not
 * all zero), else start a new trace. Either way this run gets a new span id.
 */
export function traceFrom(header: string | undefined): Trace {
  const match = header === undefined || header.length !== 55 ? null : TRACEPARENT.exec(header.toLowerCase());
  const valid =
    match !== null && match[1] !== 'ff' && !/^0+$/.test(match[2] ?? '') && !/^0+$/.test(match[3] ?? '');
  const traceId = valid && match[2] !== undefined ? match[2] : randomHex(16);
  const flags = valid && match[4] !== undefined ? match[4] : '01';
  return { traceId, traceparent: `00-${traceId}-${randomHex(8)}-${flags}` };
}
