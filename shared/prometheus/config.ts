// Where a bot's Prometheus is and how to authenticate, from the environment. Secrets are files
// (a mounted Secret or an OpenFaaS secret), read at each request so a rotated token is used.

import { ConfigError } from '../errors/config-error.ts';
import { envInt } from '../config/load.ts';
import { PROMETHEUS_DEFAULTS } from './client.ts';
import type { PrometheusAuth, PrometheusClientOptions } from './client.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The variables, for the docs and for bots' declared settings. */
export const PROMETHEUS_ENV_DOCS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  {
    name: 'PROMETHEUS_URL',
    default: '(unset)',
    meaning:
      'Prometheus (or Thanos/Mimir query) base URL; unset = no history, bots fall back to metrics.k8s.io',
  },
  { name: 'PROMETHEUS_BEARER_TOKEN_FILE', default: '(unset)', meaning: 'file holding a bearer token' },
  { name: 'PROMETHEUS_BASIC_AUTH_USER', default: '(unset)', meaning: 'basic auth user' },
  {
    name: 'PROMETHEUS_BASIC_AUTH_PASSWORD_FILE',
    default: '(unset)',
    meaning: 'file holding the basic auth password (with PROMETHEUS_BASIC_AUTH_USER)',
  },
  {
    name: 'PROMETHEUS_TIMEOUT_MS',
    default: '30000',
    meaning: 'timeout of one request (each retry gets its own)',
  },
  {
    name: 'PROMETHEUS_RETRIES',
    default: '2',
    meaning: 'retries of a request answered 5xx/429 or failing on the network',
  },
  {
    name: 'PROMETHEUS_ORG_ID',
    default: '(unset)',
    meaning: 'sent as X-Scope-OrgID (multi-tenant Mimir, Cortex, Thanos receive)',
  },
];

/** The client options from the environment; undefined when PROMETHEUS_URL is not set. */
export function prometheusOptionsFromEnv(env: Env): PrometheusClientOptions | undefined {
  const url = env['PROMETHEUS_URL']?.trim();
  const timeoutMs = envInt(env, 'PROMETHEUS_TIMEOUT_MS', PROMETHEUS_DEFAULTS.timeoutMs, 100, 600_000);
  const retries = envInt(env, 'PROMETHEUS_RETRIES', PROMETHEUS_DEFAULTS.retries, 0, 10);
  const auth = authFromEnv(env);
  if (url === undefined || url === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('PROMETHEUS_URL', `"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError('PROMETHEUS_URL', `"${url}" is not http(s)`);
  }
  const orgId = env['PROMETHEUS_ORG_ID']?.trim();
  return {
    url,
    auth,
    timeoutMs,
    retries,
    ...(orgId ? { headers: { 'X-Scope-OrgID': orgId } } : {}),
  };
}

function authFromEnv(env: Env): PrometheusAuth {
  const tokenFile = env['PROMETHEUS_BEARER_TOKEN_FILE']?.trim();
  const user = env['PROMETHEUS_BASIC_AUTH_USER']?.trim();
  const passwordFile = env['PROMETHEUS_BASIC_AUTH_PASSWORD_FILE']?.trim();
  if (tokenFile && (user || passwordFile)) {
    throw new ConfigError(
      'PROMETHEUS_BEARER_TOKEN_FILE',
      'set either a bearer token file or basic auth (PROMETHEUS_BASIC_AUTH_*), not both',
    );
  }
  if (tokenFile) return { kind: 'bearer', tokenFile };
  if (user && passwordFile) return { kind: 'basic', user, passwordFile };
  if (user)
    throw new ConfigError('PROMETHEUS_BASIC_AUTH_PASSWORD_FILE', 'required with PROMETHEUS_BASIC_AUTH_USER');
  if (passwordFile)
    throw new ConfigError('PROMETHEUS_BASIC_AUTH_USER', 'required with PROMETHEUS_BASIC_AUTH_PASSWORD_FILE');
  return { kind: 'none' };
}
