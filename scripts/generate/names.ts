import { createHash } from 'node:crypto';

const MAX_DNS_LABEL = 63;

/**
 * A DNS-1123 label from parts: lower-case, non-alphanumerics to `-`, at most 63 characters. A name
 * that would be longer keeps its start and gets a short hash of the full name, so it stays unique.
 */
export function dnsLabel(...parts: string[]): string {
  const full = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (full.length <= MAX_DNS_LABEL) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_DNS_LABEL - 9).replace(/-+$/, '')}-${hash}`;
}

/** The part of a fleet CloudEvent type after the fleet prefix, for short resource names. */
export function eventSlug(type: string): string {
  return type.replace(/^org\.bsw-arch\.eco\./, '');
}
