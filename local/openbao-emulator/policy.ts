// ACL policies as OpenBao evaluates them: path patterns (exact, a trailing `*` glob, `+` for one
// segment) with capabilities; the most specific matching pattern wins and `deny` beats everything.
// Written as objects, or as the HCL subset every policy file uses:
//   path "secret/data/app/*" { capabilities = ["read", "list"] }

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny';
const CAPABILITIES: readonly Capability[] = [
  'create',
  'read',
  'update',
  'patch',
  'delete',
  'list',
  'sudo',
  'deny',
];

export interface Policy {
  name: string;
  /** Path pattern -> capabilities. */
  paths: Record<string, readonly Capability[]>;
}

/** What every token gets besides its own policies: looking itself up, renewing and revoking itself. */
export const DEFAULT_POLICY: Policy = {
  name: 'default',
  paths: {
    'auth/token/lookup-self': ['read'],
    'auth/token/renew-self': ['update'],
    'auth/token/revoke-self': ['update'],
    'sys/capabilities-self': ['update'],
  },
};

/** Parses `path "..." { capabilities = [...] }` blocks; anything else is an error naming the line. */
export function parsePolicyHcl(name: string, text: string): Policy {
  const paths: Record<string, Capability[]> = {};
  const stripped = text.replace(/#[^\n]*/g, '').replace(/\/\/[^\n]*/g, '');
  const block = /path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g;
  let rest = stripped;
  for (const m of stripped.matchAll(block)) {
    const caps = [...(m[2] as string).matchAll(/"([^"]+)"/g)].map((c) => c[1] as string);
    for (const c of caps) {
      if (!CAPABILITIES.includes(c as Capability))
        throw new Error(`policy ${name}: unknown capability "${c}"`);
    }
    paths[m[1] as string] = caps as Capability[];
    rest = rest.replace(m[0], '');
  }
  if (rest.trim() !== '') throw new Error(`policy ${name}: cannot parse "${rest.trim().slice(0, 60)}"`);
  return { name, paths };
}

function patternMatches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const parts = body.split('/');
  const target = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    const t = target[i];
    if (t === undefined) return false;
    const last = i === parts.length - 1;
    if (p === '+') continue;
    if (last && glob) return t.startsWith(p);
    if (p !== t) return false;
  }
  return glob ? target.length >= parts.length : target.length === parts.length;
}

/** Specificity: longer literal prefix first, then fewer `+`, then non-glob over glob. */
function specificity(pattern: string): [number, number, number] {
  const glob = pattern.endsWith('*');
  const firstWild = pattern.search(/[+*]/);
  const prefix = firstWild === -1 ? pattern.length : firstWild;
  return [prefix, -(pattern.match(/\+/g)?.length ?? 0), glob ? 0 : 1];
}

/** The capabilities the policies grant on a path ('root' grants everything). */
export function capabilitiesOn(policies: readonly Policy[], path: string): Set<Capability> {
  const matches: { pattern: string; caps: readonly Capability[] }[] = [];
  for (const p of policies) {
    for (const [pattern, caps] of Object.entries(p.paths))
      if (patternMatches(pattern, path)) matches.push({ pattern, caps });
  }
  if (matches.some((m) => m.caps.includes('deny'))) return new Set(['deny']);
  if (matches.length === 0) return new Set();
  const cmp = (a: [number, number, number], b: [number, number, number]): number =>
    a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const best = matches.reduce((a, b) => (cmp(specificity(b.pattern), specificity(a.pattern)) > 0 ? b : a));
  // Several policies with the same winning pattern merge their capabilities.
  const merged = new Set<Capability>();
  for (const m of matches) if (m.pattern === best.pattern) for (const c of m.caps) merged.add(c);
  return merged;
}
