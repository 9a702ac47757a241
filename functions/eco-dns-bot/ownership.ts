// external-dns's TXT registry (docs/registry/txt.md): beside each record it manages, a TXT record
// `heritage=external-dns,external-dns/owner=<owner-id>,external-dns/resource=<kind>/<ns>/<name>`,
// at the record's name (old format) or at `<type>-<name>` (new format, e.g. `a-shop.example.com`).
// Only records carrying our owner id are ours to judge; another owner's are never touched.

export interface Ownership {
  owner: string;
  resource?: string;
}

/** The TXT names external-dns may have written for a record name. */
export function registryNames(name: string, prefix = ''): string[] {
  return [`${prefix}${name}`, `${prefix}a-${name}`, `${prefix}aaaa-${name}`, `${prefix}cname-${name}`];
}

/** The ownership a TXT record states, or undefined when it is not external-dns's. */
export function parseOwnership(chunks: readonly string[]): Ownership | undefined {
  // One string per record as external-dns writes it; servers that split at commas give chunks.
  for (const text of [chunks.join(''), chunks.join(',')]) {
    const pairs = new Map(
      text
        .replace(/^"|"$/g, '')
        .split(',')
        .map((p) => p.split('=') as [string, string | undefined])
        .filter((p): p is [string, string] => p[1] !== undefined),
    );
    if (pairs.get('heritage') !== 'external-dns') continue;
    const owner = pairs.get('external-dns/owner');
    if (owner === undefined) continue;
    const resource = pairs.get('external-dns/resource');
    return resource === undefined ? { owner } : { owner, resource };
  }
  return undefined;
}
