import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, fetchWithRetry } from '../../shared/index.ts';
import type { RetryPolicy } from '../../shared/index.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface GatewayConfig {
  /** Base URL without a trailing slash. */
  url: string;
  /** `Basic ...` header value, when the gateway needs basic auth. */
  authorization?: string;
  /** Appended as `<bot>.<namespace>` when functions live outside the gateway's default namespace. */
  namespace?: string;
  /**
   * Bot -> `<function>/<path>` where the bot is a path of another function (the OpenFaaS CE profile
   * serves each category's bots from one function), from OPENFAAS_FUNCTION_MAP.
   */
  functionMap?: ReadonlyMap<string, string>;
}

/** How one gateway delivery ended, after the kit's retries. */
export interface InvokeResult {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

const MAP_ENTRY = /^(eco-[a-z0-9-]+)=([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\/[a-z0-9][-a-z0-9]*)?$/;

/** `eco-cleanup-bot=eco-maintenance/eco-cleanup-bot,...`: comma-separated bot=function[/path] pairs. */
export function parseFunctionMap(raw: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    if (!MAP_ENTRY.test(entry)) {
      throw new ConfigError('OPENFAAS_FUNCTION_MAP', `"${entry}" is not <bot>=<function>[/<path>]`);
    }
    const [bot, target] = entry.split('=') as [string, string];
    map.set(bot, target);
  }
  return map;
}

async function readSecretFile(dir: string, name: string): Promise<string | undefined> {
  try {
    const value = (await readFile(join(dir, name), 'utf8')).trim();
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

/**
 * The gateway settings, or undefined when OPENFAAS_URL is unset. Credentials: OPENFAAS_USER and
 * OPENFAAS_PASSWORD, else the files `basic-auth-user` / `basic-auth-password` that OpenFaaS mounts
 * under ECO_SECRETS_DIR (default /var/openfaas/secrets); none means no Authorization header.
 */
export async function loadGatewayConfig(env: Env): Promise<GatewayConfig | undefined> {
  const raw = env['OPENFAAS_URL']?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('OPENFAAS_URL', `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('OPENFAAS_URL', `"${raw}" is not http(s)`);
  const dir = env['ECO_SECRETS_DIR']?.trim() || '/var/openfaas/secrets';
  const user = env['OPENFAAS_USER'] || (await readSecretFile(dir, 'basic-auth-user'));
  const password = env['OPENFAAS_PASSWORD'] || (await readSecretFile(dir, 'basic-auth-password'));
  if ((user === undefined) !== (password === undefined)) {
    throw new ConfigError(
      user === undefined ? 'OPENFAAS_USER' : 'OPENFAAS_PASSWORD',
      'OpenFaaS basic auth needs both a user and a password (env or basic-auth-user/basic-auth-password secret files)',
    );
  }
  const config: GatewayConfig = { url: url.toString().replace(/\/+$/, '') };
  if (user !== undefined && password !== undefined) {
    config.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  const namespace = env['OPENFAAS_FUNCTION_NAMESPACE']?.trim();
  if (namespace !== undefined && namespace !== '') {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
      throw new ConfigError('OPENFAAS_FUNCTION_NAMESPACE', `"${namespace}" is not a namespace name`);
    }
    config.namespace = namespace;
  }
  const map = env['OPENFAAS_FUNCTION_MAP']?.trim();
  if (map !== undefined && map !== '') config.functionMap = parseFunctionMap(map);
  return config;
}

export function asyncFunctionUrl(config: GatewayConfig, bot: string): string {
  const mapped = config.functionMap?.get(bot);
  const [fn, ...rest] = (mapped ?? bot).split('/') as [string, ...string[]];
  const name = config.namespace === undefined ? fn : `${fn}.${config.namespace}`;
  const path = rest.map((segment) => `/${encodeURIComponent(segment)}`).join('');
  return `${config.url}/async-function/${encodeURIComponent(name)}${path}`;
}

/**
 * Queues one asynchronous invocation (the gateway answers 202 once it is queued). The headers make the
 * request a binary-mode CloudEvent, so the target bot decodes it exactly like one from K_SINK. Retried
 * with the kit's fetchWithRetry (408, 429, 5xx but 501/505, network errors, per-attempt timeout): the
 * POST is safe to repeat because the target dedupes a repeat by its ce-id, as for K_SINK.
 */
export async function invokeAsync(
  config: GatewayConfig,
  bot: string,
  body: string,
  headers: Record<string, string>,
  policy: RetryPolicy,
  signal: AbortSignal,
): Promise<InvokeResult> {
  const url = asyncFunctionUrl(config, bot);
  const all: Record<string, string> = { 'content-type': 'application/json', ...headers };
  if (config.authorization !== undefined) all['authorization'] = config.authorization;
  let attempts = 1;
  try {
    const response = await fetchWithRetry(
      url,
      { method: 'POST', headers: all, body, safeToRepeat: true },
      policy,
      { signal, onRetry: ({ attempt }) => void (attempts = attempt + 1) },
    );
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { ok: true, attempts, status: response.status };
    return {
      ok: false,
      attempts,
      status: response.status,
      error: `gateway answered ${response.status} for ${bot}`,
    };
  } catch (error) {
    if (signal.aborted) return { ok: false, attempts, error: 'aborted' };
    const why =
      (error as Error).name === 'TimeoutError'
        ? 'timed out'
        : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
    return { ok: false, attempts, error: `gateway unreachable for ${bot}: ${why}` };
  }
}
