// The API server's own health endpoints and version, as kube-apiserver serves them: `/readyz?verbose`
// and `/livez?verbose` list one `[+]name ok` / `[-]name failed: reason` line per check and end with
// `<endpoint> check passed|failed`; a failing endpoint answers 500 with the same text.
import { isK8sApiError, type K8sReader } from '../../shared/index.ts';

export interface HealthCheck {
  name: string;
  ok: boolean;
  reason?: string;
}

export interface EndpointHealth {
  endpoint: 'readyz' | 'livez';
  /** Whether the endpoint answered at all (a network error or a non-health answer is `reachable: false`). */
  reachable: boolean;
  ok: boolean;
  status?: number;
  checks: HealthCheck[];
  error?: string;
}

/** Parses the verbose body; lines that are not check lines are ignored. */
export function parseVerbose(text: string): { checks: HealthCheck[]; passed: boolean | undefined } {
  const checks: HealthCheck[] = [];
  let passed: boolean | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const m = /^\[([+-])\](\S+)(?:\s+(.*))?$/.exec(line);
    if (m) {
      const ok = m[1] === '+';
      const rest = (m[3] ?? '').trim();
      const reason = ok ? undefined : rest.replace(/^failed:?\s*/, '') || 'failed';
      checks.push({ name: m[2] as string, ok, ...(reason === undefined ? {} : { reason }) });
      continue;
    }
    const end = /(readyz|livez|healthz) check (passed|failed)$/.exec(line);
    if (end) passed = end[2] === 'passed';
  }
  return { checks, passed };
}

export async function endpointHealth(k8s: K8sReader, endpoint: 'readyz' | 'livez'): Promise<EndpointHealth> {
  try {
    const body = await k8s.read<unknown>(`/${endpoint}?verbose`);
    const { checks, passed } = parseVerbose(typeof body === 'string' ? body : JSON.stringify(body));
    return {
      endpoint,
      reachable: true,
      status: 200,
      ok: passed !== false && checks.every((c) => c.ok),
      checks,
    };
  } catch (error) {
    // A failing endpoint answers 500 with the verbose text: the failed checks are named in it.
    if (isK8sApiError(error) && error.bodyText !== undefined) {
      const { checks } = parseVerbose(error.bodyText);
      if (checks.length > 0) return { endpoint, reachable: true, status: error.status, ok: false, checks };
    }
    return {
      endpoint,
      reachable: false,
      ok: false,
      checks: [],
      ...(isK8sApiError(error) ? { status: error.status } : {}),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

export interface Version {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

/** `v1.35.0`, `v1.32.9-eks-1234`, `v1.30.2+k3s1` => its numbers; undefined when not a version. */
export function parseVersion(text: string | undefined): Version | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text ?? '');
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text: text as string };
}

/** The server version from `/version` (major/minor may carry a `+`, gitVersion is authoritative). */
export async function serverVersion(k8s: K8sReader): Promise<Version | undefined> {
  const info = await k8s.read<{ gitVersion?: string; major?: string; minor?: string }>('/version');
  return (
    parseVersion(info.gitVersion) ??
    parseVersion(`${info.major ?? ''}.${(info.minor ?? '').replace(/\D+$/, '')}`)
  );
}
