import type { Mode } from '../bot/types.ts';
import type { LogLevel } from '../log/types.ts';
import type { OtlpConfig } from '../runtime/otlp.ts';

export type AuthConfig =
  { kind: 'none' } | { kind: 'bearer'; token: string } | { kind: 'basic'; user: string; password: string };

export interface SinkConfig {
  url: string;
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

/** The runtime's settings, resolved once from the environment at start, frozen. */
export interface RuntimeConfig {
  port: number;
  metricsPort: number | undefined;
  maxBodyBytes: number;
  /** 0 = unlimited. */
  maxInflight: number;
  timeoutMs: number;
  drainMs: number;
  mode: Mode;
  logLevel: LogLevel;
  sink: SinkConfig | undefined;
  auth: AuthConfig;
  cron: { catchUpMs: number; timezone: string };
  /** OTEL_EXPORTER_OTLP_*: export one span per invocation there (OTLP/HTTP, JSON). */
  otlp?: OtlpConfig;
  /** ECO_PUSHGATEWAY_URL: push each bot's series there at the end of its run. */
  pushgatewayUrl?: string;
}
