// DNS answers through node:dns's Resolver (the servers of ECO_DNS_SERVERS, else the system's):
// the CNAME chain of a name, its A/AAAA addresses, its TXT strings. Every query has a timeout and
// one try, so an unreachable server costs seconds, never the invocation.
import { Resolver } from 'node:dns/promises';

export type Answer =
  | { status: 'ok'; addresses: string[]; chain: string[] }
  | { status: 'nxdomain'; chain: string[] }
  | { status: 'nodata'; chain: string[] }
  | { status: 'error'; code: string; chain: string[] };

export type TxtAnswer =
  { status: 'ok'; records: string[][] } | { status: 'none' } | { status: 'error'; code: string };

export interface DnsClient {
  lookup(name: string): Promise<Answer>;
  txt(name: string): Promise<TxtAnswer>;
  readonly servers: readonly string[];
}

/**
 * After this many failed queries without one answer (NXDOMAIN counts as an answer), the server is
 * taken as down and the remaining queries are skipped (`ESKIPPED`): a dead resolver must not hold
 * the run for names × timeout.
 */
export const GIVE_UP_AFTER = 8;

const MAX_CHAIN = 8;
const ABSENT = new Set(['ENOTFOUND', 'ENODATA']);

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? 'EUNKNOWN';
}

/** `host:port` or `[v6]:port` entries as node:dns setServers takes them. */
export function createDnsClient(
  servers: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): DnsClient {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (servers.length > 0) resolver.setServers([...servers]);
  let answered = 0;
  let failed = 0;
  const down = (): boolean => signal?.aborted === true || (answered === 0 && failed >= GIVE_UP_AFTER);
  const note = (code: string | undefined): void => {
    if (code === undefined || ABSENT.has(code)) answered++;
    else failed++;
  };

  async function chainOf(name: string): Promise<string[]> {
    const chain: string[] = [];
    let current = name;
    for (let i = 0; i < MAX_CHAIN; i++) {
      try {
        const [next] = await resolver.resolveCname(current);
        if (next === undefined || chain.includes(next)) break;
        chain.push(next);
        current = next;
      } catch {
        break;
      }
    }
    return chain;
  }

  return {
    servers: resolver.getServers(),
    async lookup(name) {
      if (down()) return { status: 'error', code: 'ESKIPPED', chain: [] };
      const [v4, v6, chain] = await Promise.all([
        resolver.resolve4(name).then(
          (a) => ({ ok: true as const, a }),
          (e: unknown) => ({ ok: false as const, code: codeOf(e) }),
        ),
        resolver.resolve6(name).then(
          (a) => ({ ok: true as const, a }),
          (e: unknown) => ({ ok: false as const, code: codeOf(e) }),
        ),
        chainOf(name),
      ]);
      for (const r of [v4, v6]) note(r.ok ? undefined : r.code);
      const addresses = [...(v4.ok ? v4.a : []), ...(v6.ok ? v6.a : [])];
      if (addresses.length > 0) return { status: 'ok', addresses, chain };
      const codes = [v4, v6].map((r) => (r.ok ? 'ENODATA' : r.code));
      if (codes.includes('ENOTFOUND')) return { status: 'nxdomain', chain };
      if (codes.every((c) => c === 'ENODATA')) return { status: 'nodata', chain };
      return { status: 'error', code: codes.find((c) => !ABSENT.has(c)) ?? 'EUNKNOWN', chain };
    },
    async txt(name) {
      if (down()) return { status: 'error', code: 'ESKIPPED' };
      try {
        const records = await resolver.resolveTxt(name);
        note(undefined);
        return { status: 'ok', records };
      } catch (error) {
        const code = codeOf(error);
        note(code);
        return ABSENT.has(code) ? { status: 'none' } : { status: 'error', code };
      }
    },
  };
}

/** Runs `fn` over items, at most `limit` at a time. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
