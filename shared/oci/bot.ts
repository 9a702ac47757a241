// What the bots that read a registry share: a client from their settings (URL + optional
// credentials file), the `<bot>.unconfigured` finding when no registry is set, and a failure as a
// report error naming the system and the HTTP status.
import type { Finding, ReportError } from '../bot/types.ts';
import { unconfiguredFinding } from '../report/finding.ts';
import { loadRegistryCredentials } from './auth.ts';
import { createRegistryClient, type RegistryClient } from './client.ts';
import { isRegistryError } from './errors.ts';

export const REGISTRY_URL_ENV = 'ECO_REGISTRY_URL';
export const REGISTRY_CREDENTIALS_ENV = 'ECO_REGISTRY_CREDENTIALS_FILE';

export interface ConfiguredRegistry {
  client: RegistryClient;
  /** host[:port] as image references name the registry. */
  host: string;
}

/** A client for the configured registry; credentials are read from the file on every call (rotated secrets). */
export async function registryFromSettings(
  url: string,
  credentialsFile: string | undefined,
  signal?: AbortSignal,
): Promise<ConfiguredRegistry> {
  const host = new URL(url).host;
  const credentials = credentialsFile ? await loadRegistryCredentials(credentialsFile, host) : undefined;
  return {
    host,
    client: createRegistryClient({
      url,
      ...(credentials ? { credentials } : {}),
      ...(signal ? { signal } : {}),
    }),
  };
}

/** The info finding of a bot whose registry is not configured. */
export function registryUnconfigured(bot: string, consequence: string): Finding {
  return unconfiguredFinding({
    bot,
    setting: REGISTRY_URL_ENV,
    message: `${REGISTRY_URL_ENV} is not set: ${consequence}`,
    fix: `set ${REGISTRY_URL_ENV} to the registry's base URL (e.g. https://registry.example.com), and ${REGISTRY_CREDENTIALS_ENV} to a Docker config or user:password file if it needs credentials`,
  });
}

/** A registry failure as a report error: `registry-http-<status>` or `registry-unavailable`. */
export function registryReportError(error: unknown, what: string): ReportError {
  const message = `${what}: ${error instanceof Error ? error.message : String(error)}`;
  if (isRegistryError(error) && error.status !== undefined)
    return { code: `registry-http-${error.status}`, message };
  return { code: 'registry-unavailable', message };
}
