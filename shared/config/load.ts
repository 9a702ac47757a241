import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/config-error.ts';
import { isLogLevel } from '../log/logger.ts';
import type { AuthConfig, RuntimeConfig, SinkConfig } from './types.ts';
import { parseMaxActions } from '../safety/rails.ts';
import { protectedNamespaces } from '../safety/exclusions.ts';
import { otlpConfig } from '../runtime/otlp.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The variables, their defaults and meaning: the README table is written from this list. */
export const ENV_DOCS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  { name: 'PORT', default: '8080', meaning: 'invocation, health and metrics port' },
  {
    name: 'METRICS_PORT',
    default: '(unset)',
    meaning: 'also serve /metrics on this port (the seed uses 8000)',
  },
  { name: 'ECO_MAX_BODY_BYTES', default: '1048576', meaning: 'request body limit; over it => 413' },
  {
    name: 'ECO_MAX_INFLIGHT',
    default: '32',
    meaning: 'concurrent invocations; over it => 429; 0 = unlimited',
  },
  {
    name: 'ECO_TIMEOUT_SECONDS',
    default: '60',
    meaning: 'per-invocation timeout; aborts ctx.signal, answers 504',
  },
  { name: 'ECO_DRAIN_SECONDS', default: '25', meaning: 'SIGTERM grace for in-flight work before exit 0' },
  { name: 'ECO_MODE', default: 'dry-run', meaning: 'dry-run | apply: whether mutations are applied' },
  {
    name: 'CE_USE_BIG_INT',
    default: '(unset)',
    meaning: 'the CloudEvents SDK switch for big-integer JSON; `true` is refused at start (not supported)',
  },
  {
    name: 'ECO_CODE_CACHE',
    default: '(unset)',
    meaning:
      '`off`: start.cjs compiles the bundle instead of loading the V8 code cache written in the image (to compare, or after changing NODE_OPTIONS without rebuilding)',
  },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'debug | info | warn | error' },
  {
    name: 'ECO_MAX_ACTIONS',
    default: '10',
    meaning:
      'blast-radius cap: mutations per run; past it actions are skipped (blast-radius); whole number >= 0',
  },
  {
    name: 'ECO_PROTECTED_NAMESPACES',
    default: 'kube-system,kube-public,kube-node-lease,eco-bots',
    meaning: 'namespaces no bot mutates (comma-separated; replaces the default list)',
  },
  {
    name: 'K_SINK',
    default: '(unset)',
    meaning: 'CloudEvents sink (Knative SinkBinding); reports and ctx.emit go there',
  },
  {
    name: 'ECO_SINK_ATTEMPTS',
    default: '5',
    meaning: 'delivery attempts to K_SINK (408, 429, 5xx but 501/505, network errors retried)',
  },
  {
    name: 'ECO_SINK_BACKOFF_MS',
    default: '200',
    meaning: 'first retry delay; doubles per attempt, full jitter',
  },
  {
    name: 'ECO_SINK_MAX_BACKOFF_MS',
    default: '5000',
    meaning: 'cap of one retry delay (a Retry-After over 30 s ends the retries)',
  },
  { name: 'ECO_SINK_TIMEOUT_MS', default: '5000', meaning: 'timeout of one delivery attempt' },
  {
    name: 'ECO_AUTH',
    default: '(inferred)',
    meaning: 'none | bearer | basic; inferred from the variables below',
  },
  { name: 'ECO_AUTH_TOKEN', default: '(unset)', meaning: 'bearer token (env)' },
  { name: 'ECO_AUTH_USER', default: '(unset)', meaning: 'basic auth user' },
  { name: 'ECO_AUTH_PASSWORD', default: '(unset)', meaning: 'basic auth password (env)' },
  {
    name: 'ECO_AUTH_SECRET_NAME',
    default: '(unset)',
    meaning: 'read the token/password from <ECO_SECRETS_DIR>/<name>',
  },
  { name: 'ECO_SECRETS_DIR', default: '/var/openfaas/secrets', meaning: 'where OpenFaaS mounts secrets' },
  {
    name: 'ECO_CRON_CATCHUP_MINUTES',
    default: '10',
    meaning: 'multi-bot tick: how far back a missed schedule still runs (once)',
  },
  { name: 'ECO_CRON_TIMEZONE', default: 'UTC', meaning: 'time zone of the bots’ cron expressions' },
  {
    name: 'ECO_DOCS_BASE_URL',
    default: 'docs',
    meaning: "where the project's docs are published: every finding's runbook is <base>/runbooks/<check>.md",
  },
  {
    name: 'ECO_FLEET_NAMESPACE',
    default: 'eco-bots',
    meaning: 'where the rails read the eco-maintenance ConfigMap (maintenance windows and freezes)',
  },
  {
    name: 'ECO_MAINTENANCE_ALERT_FILTER',
    default: '(unset)',
    meaning:
      'regular expression on alertname: a matching firing alert in PROMETHEUS_URL blocks disruptive actions (kured --alert-filter-regexp)',
  },
  {
    name: 'KUBECONFIG',
    default: '~/.kube/config',
    meaning: 'kubeconfig file(s) when not running in a cluster (the in-cluster ServiceAccount comes first)',
  },
  { name: 'ECO_K8S_TIMEOUT_MS', default: '10000', meaning: 'deadline of one API request attempt' },
  {
    name: 'ECO_K8S_RETRIES',
    default: '4',
    meaning: 'retries after the first attempt (429 with Retry-After, 5xx, resets, timeouts)',
  },
  { name: 'ECO_K8S_NAMESPACE', default: 'context namespace', meaning: 'the default namespace' },
  {
    name: 'ECO_PUSHGATEWAY_URL',
    default: '(unset)',
    meaning:
      'Pushgateway base URL: each run ends with a PUT of the bot’s series to /metrics/job/eco-bots/bot/<bot> (a failure is logged, never fails the run)',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    default: '(unset)',
    meaning:
      'OTLP/HTTP collector base URL: one span per invocation is POSTed (JSON) to <url>/v1/traces; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT overrides the full URL',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_HEADERS',
    default: '(unset)',
    meaning: 'headers of the export, key=value,key2=value2 (also OTEL_EXPORTER_OTLP_TRACES_HEADERS)',
  },
  {
    name: 'OTEL_SERVICE_NAME',
    default: '(the bot)',
    meaning: 'service.name of the exported spans',
  },
];

/** A whole-number variable within [min, max], else a ConfigError naming it. */
export function envInt(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\s*\d+\s*$/.test(raw)) throw new ConfigError(name, `"${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `${value} is outside ${min}..${max}`);
  return value;
}

/** A variable that must be one of `allowed`, else a ConfigError naming it. */
export function envOneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** The ECO_SINK_* retry policy, shared by K_SINK and any other delivery a bot makes. */
export function sinkTuning(env: Env): Omit<SinkConfig, 'url'> {
  return {
    attempts: envInt(env, 'ECO_SINK_ATTEMPTS', 5, 1, 20),
    backoffMs: envInt(env, 'ECO_SINK_BACKOFF_MS', 200, 0, 60_000),
    maxBackoffMs: envInt(env, 'ECO_SINK_MAX_BACKOFF_MS', 5000, 0, 300_000),
    timeoutMs: envInt(env, 'ECO_SINK_TIMEOUT_MS', 5000, 1, 300_000),
  };
}

function loadSink(env: Env): SinkConfig | undefined {
  // Checked even without K_SINK: a typo should fail at deploy time, not when a sink is added.
  const tuning = sinkTuning(env);
  const raw = env['K_SINK']?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('K_SINK', `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('K_SINK', `"${raw}" is not http(s)`);
  return { url: url.toString(), ...tuning };
}

function loadPushgateway(env: Env): string | undefined {
  const raw = env['ECO_PUSHGATEWAY_URL']?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('ECO_PUSHGATEWAY_URL', `"${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('ECO_PUSHGATEWAY_URL', `"${raw}" is not http(s)`);
  return url.toString();
}

function readSecret(env: Env, name: string): string {
  const dir = env['ECO_SECRETS_DIR']?.trim() || '/var/openfaas/secrets';
  if (!/^[-._a-zA-Z0-9]+$/.test(name))
    throw new ConfigError('ECO_AUTH_SECRET_NAME', `"${name}" is not a secret name`);
  try {
    const value = readFileSync(join(dir, name), 'utf8').trim();
    if (value === '') throw new Error('empty');
    return value;
  } catch (error) {
    const why = error instanceof Error && error.message === 'empty' ? 'is empty' : 'cannot be read';
    throw new ConfigError('ECO_AUTH_SECRET_NAME', `secret file ${join(dir, name)} ${why}`);
  }
}

function loadAuth(env: Env): AuthConfig {
  const set = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const secretName = set('ECO_AUTH_SECRET_NAME');
  const user = set('ECO_AUTH_USER');
  const inferred = set('ECO_AUTH_TOKEN')
    ? 'bearer'
    : user !== undefined
      ? 'basic'
      : secretName !== undefined
        ? 'bearer'
        : 'none';
  const kind = envOneOf(env, 'ECO_AUTH', ['none', 'bearer', 'basic'] as const, inferred);
  if (kind === 'none') return { kind };
  if (kind === 'bearer') {
    const token =
      set('ECO_AUTH_TOKEN') ?? (secretName === undefined ? undefined : readSecret(env, secretName));
    if (token === undefined)
      throw new ConfigError('ECO_AUTH_TOKEN', 'ECO_AUTH=bearer needs ECO_AUTH_TOKEN or ECO_AUTH_SECRET_NAME');
    return { kind, token };
  }
  if (user === undefined) throw new ConfigError('ECO_AUTH_USER', 'ECO_AUTH=basic needs ECO_AUTH_USER');
  if (user.includes(':')) throw new ConfigError('ECO_AUTH_USER', 'must not contain ":"');
  const password =
    set('ECO_AUTH_PASSWORD') ?? (secretName === undefined ? undefined : readSecret(env, secretName));
  if (password === undefined) {
    throw new ConfigError(
      'ECO_AUTH_PASSWORD',
      'ECO_AUTH=basic needs ECO_AUTH_PASSWORD or ECO_AUTH_SECRET_NAME',
    );
  }
  return { kind, user, password };
}

function loadTimezone(env: Env): string {
  const tz = env['ECO_CRON_TIMEZONE']?.trim() || 'UTC';
  // Checking a zone loads ICU data (~10 ms): not worth it on every cold start for the default.
  if (tz === 'UTC') return tz;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new ConfigError('ECO_CRON_TIMEZONE', `"${tz}" is not a time zone`);
  }
  return tz;
}

/** Reads and checks every variable; the first bad one throws a ConfigError naming it. */
export function loadConfig(env: Env): Readonly<RuntimeConfig> {
  const logLevel = env['LOG_LEVEL']?.trim().toLowerCase() || 'info';
  if (!isLogLevel(logLevel))
    throw new ConfigError('LOG_LEVEL', `"${logLevel}" is not one of debug, info, warn, error`);
  const metricsRaw = env['METRICS_PORT']?.trim();
  // The rails read these per run; checked here so a typo fails the start, not the first mutation.
  parseMaxActions(env['ECO_MAX_ACTIONS']);
  const alertFilter = env['ECO_MAINTENANCE_ALERT_FILTER']?.trim();
  if (alertFilter !== undefined && alertFilter !== '') {
    try {
      new RegExp(alertFilter);
    } catch {
      throw new ConfigError('ECO_MAINTENANCE_ALERT_FILTER', `"${alertFilter}" is not a regular expression`);
    }
  }
  protectedNamespaces(env['ECO_PROTECTED_NAMESPACES']);
  // The CloudEvents SDK's big-integer parsing needs json-bigint, which the bundles leave out.
  if ((env['CE_USE_BIG_INT'] ?? '').trim().toLowerCase() === 'true')
    throw new ConfigError(
      'CE_USE_BIG_INT',
      '"true" is not supported: eco-bots parses CloudEvents with plain JSON; unset it',
    );
  const pushgatewayUrl = loadPushgateway(env);
  const otlp = otlpConfig(env);
  return Object.freeze({
    port: envInt(env, 'PORT', 8080, 0, 65535),
    metricsPort:
      metricsRaw === undefined || metricsRaw === '' ? undefined : envInt(env, 'METRICS_PORT', 0, 0, 65535),
    maxBodyBytes: envInt(env, 'ECO_MAX_BODY_BYTES', 1024 * 1024, 1, 1024 * 1024 * 1024),
    maxInflight: envInt(env, 'ECO_MAX_INFLIGHT', 32, 0),
    timeoutMs: envInt(env, 'ECO_TIMEOUT_SECONDS', 60, 1, 24 * 3600) * 1000,
    drainMs: envInt(env, 'ECO_DRAIN_SECONDS', 25, 0, 3600) * 1000,
    mode: envOneOf(env, 'ECO_MODE', ['dry-run', 'apply'] as const, 'dry-run'),
    logLevel,
    sink: loadSink(env),
    auth: loadAuth(env),
    cron: {
      catchUpMs: envInt(env, 'ECO_CRON_CATCHUP_MINUTES', 10, 0, 24 * 60) * 60_000,
      timezone: loadTimezone(env),
    },
    ...(pushgatewayUrl === undefined ? {} : { pushgatewayUrl }),
    ...(otlp === undefined ? {} : { otlp }),
  });
}
