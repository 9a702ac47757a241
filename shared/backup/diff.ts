// Where two JSON values differ, as JSON pointers: the restore bot's dry-run diff and its
// existing-object check, and the round-trip proof that a restored object equals its original.

/** Paths (RFC 6901 pointers) where `a` and `b` differ, at most `limit` of them, in a stable order. */
export function diffPaths(a: unknown, b: unknown, limit = 50): string[] {
  const out: string[] = [];
  walk(a, b, '', out, limit);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (Object.is(a, b)) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push(path === '' ? '/' : path);
      return;
    }
    a.forEach((item, i) => walk(item, b[i], `${path}/${i}`, out, limit));
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys)
      walk(a[key], b[key], `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, out, limit);
    return;
  }
  out.push(path === '' ? '/' : path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
