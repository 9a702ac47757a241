// The Prometheus settings every bot that reads history declares (spread into its `settings`), and
// the client built from their values. Unset PROMETHEUS_URL means "not configured".

import { setting } from '../settings/spec.ts';
import { createPrometheusClient, PROMETHEUS_DEFAULTS } from './client.ts';
import type { PrometheusAuth, PrometheusClient } from './client.ts';

export const PROMETHEUS_SETTINGS = {
  prometheusUrl: setting.url({
    env: 'PROMETHEUS_URL',
    meaning:
      'Prometheus (or Thanos/Mimir query) base URL; unset: no history (metrics.k8s.io single sample where possible)',
  }),
  prometheusBearerTokenFile: setting.file({
    env: 'PROMETHEUS_BEARER_TOKEN_FILE',
    meaning: 'file holding a bearer token for Prometheus (read at each request)',
  }),
  prometheusBasicAuthUser: setting.string({
    env: 'PROMETHEUS_BASIC_AUTH_USER',
    meaning: 'basic auth user for Prometheus',
  }),
  prometheusBasicAuthPasswordFile: setting.file({
    env: 'PROMETHEUS_BASIC_AUTH_PASSWORD_FILE',
    meaning: 'file holding the basic auth password for Prometheus',
  }),
  prometheusTimeoutMs: setting.number({
    env: 'PROMETHEUS_TIMEOUT_MS',
    default: PROMETHEUS_DEFAULTS.timeoutMs,
    min: 100,
    max: 600_000,
    integer: true,
    meaning: 'timeout of one Prometheus request (each retry gets its own)',
  }),
  prometheusRetries: setting.number({
    env: 'PROMETHEUS_RETRIES',
    default: PROMETHEUS_DEFAULTS.retries,
    min: 0,
    max: 10,
    integer: true,
    meaning: 'retries of a Prometheus request answered 5xx/429 or failing on the network',
  }),
  prometheusOrgId: setting.string({
    env: 'PROMETHEUS_ORG_ID',
    meaning: 'X-Scope-OrgID sent to Prometheus (multi-tenant Mimir, Cortex, Thanos)',
  }),
};

export interface PrometheusSettingValues {
  readonly prometheusUrl: string | undefined;
  readonly prometheusBearerTokenFile: string | undefined;
  readonly prometheusBasicAuthUser: string | undefined;
  readonly prometheusBasicAuthPasswordFile: string | undefined;
  readonly prometheusTimeoutMs: number;
  readonly prometheusRetries: number;
  readonly prometheusOrgId: string | undefined;
}

/** The client, or undefined when PROMETHEUS_URL is not set. */
export function prometheusClientFrom(values: PrometheusSettingValues): PrometheusClient | undefined {
  if (!values.prometheusUrl) return undefined;
  let auth: PrometheusAuth = { kind: 'none' };
  if (values.prometheusBearerTokenFile)
    auth = { kind: 'bearer', tokenFile: values.prometheusBearerTokenFile };
  else if (values.prometheusBasicAuthUser && values.prometheusBasicAuthPasswordFile) {
    auth = {
      kind: 'basic',
      user: values.prometheusBasicAuthUser,
      passwordFile: values.prometheusBasicAuthPasswordFile,
    };
  }
  return createPrometheusClient({
    url: values.prometheusUrl,
    auth,
    timeoutMs: values.prometheusTimeoutMs,
    retries: values.prometheusRetries,
    ...(values.prometheusOrgId ? { headers: { 'X-Scope-OrgID': values.prometheusOrgId } } : {}),
  });
}
