import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/index.ts';
import { isConfigError, type ConfigError } from '../../../shared/errors/index.ts';

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      metricsPort: undefined,
      maxBodyBytes: 1048576,
      maxInflight: 32,
      timeoutMs: 60_000,
      drainMs: 25_000,
      mode: 'dry-run',
      logLevel: 'info',
      sink: undefined,
      auth: { kind: 'none' },
      cron: { catchUpMs: 600_000, timezone: 'UTC' },
    });
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '18080',
      METRICS_PORT: '8000',
      ECO_MAX_BODY_BYTES: '2048',
      ECO_MAX_INFLIGHT: '0',
      ECO_TIMEOUT_SECONDS: '5',
      ECO_DRAIN_SECONDS: '3',
      ECO_MODE: 'apply',
      LOG_LEVEL: 'DEBUG',
      K_SINK: 'http://broker-ingress.knative-eventing.svc/bots/default',
      ECO_SINK_ATTEMPTS: '2',
      ECO_CRON_CATCHUP_MINUTES: '0',
      ECO_CRON_TIMEZONE: 'Europe/London',
    });
    expect(c).toMatchObject({
      port: 18080,
      metricsPort: 8000,
      maxBodyBytes: 2048,
      maxInflight: 0,
      timeoutMs: 5000,
      drainMs: 3000,
      mode: 'apply',
      logLevel: 'debug',
    });
    expect(c.sink).toMatchObject({
      url: 'http://broker-ingress.knative-eventing.svc/bots/default',
      attempts: 2,
      backoffMs: 200,
    });
    expect(c.cron).toEqual({ catchUpMs: 0, timezone: 'Europe/London' });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['METRICS_PORT', '-1'],
    ['ECO_MAX_BODY_BYTES', '0'],
    ['ECO_MAX_BODY_BYTES', '1.5'],
    ['ECO_MAX_INFLIGHT', 'many'],
    ['ECO_TIMEOUT_SECONDS', '0'],
    ['ECO_MODE', 'force'],
    ['LOG_LEVEL', 'trace'],
    ['K_SINK', 'ftp://x'],
    ['K_SINK', '::'],
    ['ECO_SINK_ATTEMPTS', '0'],
    ['ECO_AUTH', 'oauth'],
    ['ECO_CRON_TIMEZONE', 'Mars/Olympus'],
    ['CE_USE_BIG_INT', 'true'],
  ])('%s=%s is refused, naming the variable', (name, value) => {
    const error = failure({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message.startsWith(`${name}: `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('auth: inferred from the variables, or explicit', () => {
    expect(loadConfig({ ECO_AUTH_TOKEN: 't' }).auth).toEqual({ kind: 'bearer', token: 't' });
    expect(loadConfig({ ECO_AUTH_USER: 'u', ECO_AUTH_PASSWORD: 'p' }).auth).toEqual({
      kind: 'basic',
      user: 'u',
      password: 'p',
    });
    expect(loadConfig({ ECO_AUTH: 'none', ECO_AUTH_TOKEN: 't' }).auth).toEqual({ kind: 'none' });
    expect(failure({ ECO_AUTH: 'bearer' }).variable).toBe('ECO_AUTH_TOKEN');
    expect(failure({ ECO_AUTH: 'basic', ECO_AUTH_USER: 'u' }).variable).toBe('ECO_AUTH_PASSWORD');
    expect(failure({ ECO_AUTH: 'basic' }).variable).toBe('ECO_AUTH_USER');
  });

  it('auth: secrets from files (OpenFaaS), a missing or empty file is a config error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eco-cfg-'));
    writeFileSync(join(dir, 'tok'), '  abc  \n');
    writeFileSync(join(dir, 'empty'), '\n');
    expect(loadConfig({ ECO_AUTH_SECRET_NAME: 'tok', ECO_SECRETS_DIR: dir }).auth).toEqual({
      kind: 'bearer',
      token: 'abc',
    });
    expect(
      loadConfig({ ECO_AUTH_USER: 'am', ECO_AUTH_SECRET_NAME: 'tok', ECO_SECRETS_DIR: dir }).auth,
    ).toEqual({ kind: 'basic', user: 'am', password: 'abc' });
    expect(failure({ ECO_AUTH_SECRET_NAME: 'missing', ECO_SECRETS_DIR: dir }).message).toContain(
      'cannot be read',
    );
    expect(failure({ ECO_AUTH_SECRET_NAME: 'empty', ECO_SECRETS_DIR: dir }).message).toContain('is empty');
    expect(failure({ ECO_AUTH_SECRET_NAME: '../etc/passwd', ECO_SECRETS_DIR: dir }).variable).toBe(
      'ECO_AUTH_SECRET_NAME',
    );
  });
});
