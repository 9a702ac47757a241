import type { ReportError } from '../bot/types.ts';
import { isObjectStoreError } from './errors.ts';

/**
 * A store failure as a report error: `s3-http-403`, `s3-unavailable` (no HTTP answer),
 * `directory-unavailable`, `<system>-checksum-mismatch`; the message says what was being done.
 */
export function storeReportError(error: unknown, what: string): ReportError {
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  if (!isObjectStoreError(error)) return { code: 'object-store-unavailable', message };
  if (error.name === 'ChecksumMismatchError') return { code: `${error.system}-checksum-mismatch`, message };
  if (error.status !== undefined) return { code: `${error.system}-http-${error.status}`, message };
  return { code: `${error.system}-unavailable`, message };
}
