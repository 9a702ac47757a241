// Where the forge token comes from: an explicit value, a file (a mounted Secret), or the
// environment. The token itself is never logged or put in a message; only where it came from is.
import { readFileSync } from 'node:fs';

export interface TokenSettings {
  /** The token itself (tests, callers with their own secret store). */
  token?: string | undefined;
  /** A file holding the token (a mounted Kubernetes Secret, an OpenFaaS secret). */
  tokenFile?: string | undefined;
}

export interface ResolvedToken {
  token: string | undefined;
  /** Says which setting to fix, e.g. `DOCS_FORGE_TOKEN_FILE (/var/openfaas/secrets/docs-token)`. */
  source: string;
}

/**
 * Explicit token, else the token file, else `DOCS_FORGE_TOKEN_FILE`, else `DOCS_FORGE_TOKEN`.
 * A token file that cannot be read is an error naming the file (not a silent anonymous client).
 */
export function resolveToken(
  settings: TokenSettings,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResolvedToken {
  if (settings.token !== undefined && settings.token !== '')
    return { token: settings.token, source: 'the token option' };
  const fromFile = (file: string, label: string): ResolvedToken => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(
        `${label}: cannot read the token file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    const token = text.trim();
    if (token === '') throw new Error(`${label}: the token file ${file} is empty`);
    return { token, source: `${label} (${file})` };
  };
  if (settings.tokenFile !== undefined && settings.tokenFile !== '')
    return fromFile(settings.tokenFile, 'tokenFile');
  const envFile = env['DOCS_FORGE_TOKEN_FILE']?.trim();
  if (envFile) return fromFile(envFile, 'DOCS_FORGE_TOKEN_FILE');
  const envToken = env['DOCS_FORGE_TOKEN']?.trim();
  if (envToken) return { token: envToken, source: 'DOCS_FORGE_TOKEN' };
  return { token: undefined, source: 'no token (set DOCS_FORGE_TOKEN_FILE or DOCS_FORGE_TOKEN)' };
}
