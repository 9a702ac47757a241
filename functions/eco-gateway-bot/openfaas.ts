// The OpenFaaS side: the gateway's health (`GET /healthz`) and its deployed functions
// (`GET /system/functions`, basic auth), against the functions the fleet's stack.yml declares.
import { readFile } from 'node:fs/promises';
import { parseYaml } from '../../shared/yaml/index.ts';

/** The fields of the gateway's FunctionStatus this bot judges. */
export interface DeployedFunction {
  name: string;
  image: string;
  namespace?: string;
  replicas?: number;
  availableReplicas?: number;
}

export interface DeclaredFunction {
  name: string;
  image: string;
}

export type GatewayRead =
  { ok: true; functions: DeployedFunction[] } | { ok: false; code: string; message: string };

export interface GatewayOptions {
  url: string;
  authorization?: string;
  namespace?: string;
  timeoutMs: number;
  signal: AbortSignal;
}

async function get(path: string, o: GatewayOptions): Promise<Response> {
  return fetch(`${o.url.replace(/\/+$/, '')}${path}`, {
    headers: { accept: 'application/json', ...(o.authorization ? { authorization: o.authorization } : {}) },
    signal: AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]),
  });
}

function failure(error: unknown, what: string): { ok: false; code: string; message: string } {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const why =
    e.name === 'TimeoutError'
      ? 'timed out'
      : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(error));
  return { ok: false, code: 'openfaas-unavailable', message: `${what}: ${why}` };
}

/** Health first (a gateway that is down answers nothing useful), then the function list. */
export async function readGateway(o: GatewayOptions): Promise<GatewayRead> {
  try {
    const health = await get('/healthz', o);
    await health.body?.cancel();
    if (!health.ok)
      return {
        ok: false,
        code: `openfaas-http-${health.status}`,
        message: `GET ${o.url}/healthz answered ${health.status}`,
      };
  } catch (error) {
    return failure(error, `GET ${o.url}/healthz`);
  }
  const path = `/system/functions${o.namespace ? `?namespace=${encodeURIComponent(o.namespace)}` : ''}`;
  let res: Response;
  try {
    res = await get(path, o);
  } catch (error) {
    return failure(error, `GET ${o.url}${path}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    return {
      ok: false,
      code: `openfaas-http-${res.status}`,
      message: `GET ${o.url}${path} answered ${res.status}`,
    };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch (error) {
    return {
      ok: false,
      code: 'openfaas-bad-response',
      message: `GET ${o.url}${path}: not JSON (${(error as Error).message})`,
    };
  }
  if (
    !Array.isArray(body) ||
    !body.every(
      (f) => typeof f === 'object' && f !== null && typeof (f as DeployedFunction).name === 'string',
    )
  )
    return {
      ok: false,
      code: 'openfaas-bad-response',
      message: `GET ${o.url}${path}: not a list of functions`,
    };
  return { ok: true, functions: body as DeployedFunction[] };
}

/** faas-cli's environment substitution: `${VAR}` and `${VAR:-default}` from the given variables. */
export function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_m, name: string, fallback?: string) => {
      const v = vars.get(name);
      return v !== undefined && v !== '' ? v : (fallback ?? '');
    },
  );
}

/** The functions a stack.yml declares (name and image), after substitution. */
export async function readStack(
  path: string,
  vars: ReadonlyMap<string, string>,
): Promise<DeclaredFunction[]> {
  const doc = parseYaml(substitute(await readFile(path, 'utf8'), vars)) as {
    functions?: Record<string, { image?: string }>;
  } | null;
  const functions = doc?.functions;
  if (typeof functions !== 'object' || functions === null) throw new Error(`${path} has no functions: map`);
  return Object.entries(functions).map(([name, f]) => ({ name, image: f?.image ?? '' }));
}

/** The same image however it is written: docker.io/library/ implied, :latest when untagged. */
export function normalizeImage(image: string): string {
  let i = image.trim();
  i = i
    .replace(/^docker\.io\//, '')
    .replace(/^index\.docker\.io\//, '')
    .replace(/^library\//, '');
  const lastSegment = i.slice(i.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && !i.includes('@')) i = `${i}:latest`;
  return i;
}
