// A forge client from the environment: DOCS_FORGE (github | gitea | forgejo | codeberg),
// DOCS_FORGE_REPO (owner/name), DOCS_FORGE_URL (API root), DOCS_FORGE_REF, and the token from
// DOCS_FORGE_TOKEN_FILE or DOCS_FORGE_TOKEN. Unset DOCS_FORGE_REPO: no client (undefined).
import { ConfigError } from '../../errors/config-error.ts';
import type { ForgeClientOptions } from './client.ts';
import { GitHubDocsClient } from './github.ts';
import { GiteaDocsClient } from './gitea.ts';
import type { DocsForge } from './types.ts';

const KINDS = ['github', 'gitea', 'forgejo', 'codeberg'] as const;

export function createDocsForge(
  env: Readonly<Record<string, string | undefined>> = process.env,
  overrides: Partial<ForgeClientOptions> = {},
): DocsForge | undefined {
  const repo = env['DOCS_FORGE_REPO']?.trim();
  if (!repo) return undefined;
  const kind = (env['DOCS_FORGE']?.trim().toLowerCase() || 'github') as (typeof KINDS)[number];
  if (!KINDS.includes(kind))
    throw new ConfigError('DOCS_FORGE', `must be one of ${KINDS.join(', ')}, got "${kind}"`);
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo))
    throw new ConfigError('DOCS_FORGE_REPO', `must be owner/name, got "${repo}"`);
  const baseUrl = env['DOCS_FORGE_URL']?.trim() || undefined;
  if (baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(baseUrl))
    throw new ConfigError('DOCS_FORGE_URL', `must be an http(s) URL, got "${baseUrl}"`);
  let options: ForgeClientOptions;
  try {
    options = { repo, ref: env['DOCS_FORGE_REF']?.trim() || undefined, baseUrl, env, ...overrides };
    return kind === 'github' ? new GitHubDocsClient(options) : new GiteaDocsClient(options);
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('DOCS_FORGE_TOKEN_FILE: '))
      throw new ConfigError('DOCS_FORGE_TOKEN_FILE', message.slice(23));
    throw error;
  }
}
