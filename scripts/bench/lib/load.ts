import { createRequire } from 'node:module';

// autocannon is CommonJS without bundled types: describe the little we use.
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface Throughput {
  rps: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** Requests per second over loopback for `seconds`, keep-alive, `connections` in parallel. */
export async function throughput(
  url: string,
  headers: Record<string, string>,
  body: string,
  seconds: number,
  connections = 10,
): Promise<Throughput> {
  const r = await autocannon({ url, method: 'POST', headers, body, connections, duration: seconds });
  return {
    rps: r.requests.average,
    total: r.requests.total,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}
