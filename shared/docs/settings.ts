// The documentation helpers' environment as declared settings (shared/settings): a bot that reads
// documentation spreads DOCS_SETTINGS into its own `settings`, so the variables are checked at start
// and listed in the README's table, and builds its sources from `ctx.settings` with docsSources().
import { setting } from '../settings/spec.ts';
import type { SettingValues } from '../settings/spec.ts';
import { createDocsForge } from './forge/from-env.ts';
import type { DocsForge } from './forge/types.ts';
import type { RunbookOptions } from './runbook.ts';
import { DEFAULT_DOCS_PATH, DocScanner } from './scanner.ts';

export const DOCS_SETTINGS = {
  docsPath: setting.string({
    env: 'DOCS_PATH',
    default: DEFAULT_DOCS_PATH,
    pattern: /^\//,
    meaning:
      'checkout of the documentation repository (catalogue.yaml, metadata.json, markdown) DocScanner reads',
  }),
  docsBaseUrl: setting.url({
    env: 'ECO_DOCS_BASE_URL',
    meaning: "where the project's docs folder is published; runbook links become <url>/runbooks/<check>.md",
  }),
  docsWebUrl: setting.url({
    env: 'DOCS_WEB_URL',
    meaning: "where the documentation repository's files are published, for links to its runbooks",
  }),
  forge: setting.enum({
    env: 'DOCS_FORGE',
    values: ['github', 'gitea', 'forgejo', 'codeberg'],
    default: 'github',
    meaning: 'the forge API of DOCS_FORGE_REPO',
  }),
  forgeRepo: setting.string({
    env: 'DOCS_FORGE_REPO',
    pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
    meaning: 'owner/name of the documentation repository read over the forge API (unset: no forge client)',
  }),
  forgeUrl: setting.url({
    env: 'DOCS_FORGE_URL',
    meaning: 'forge API root (default api.github.com or Codeberg)',
  }),
  forgeRef: setting.string({
    env: 'DOCS_FORGE_REF',
    meaning: 'branch, tag or commit to read (default branch)',
  }),
  forgeTokenFile: setting.file({
    env: 'DOCS_FORGE_TOKEN_FILE',
    meaning: 'file holding the forge token (a mounted Secret); wins over DOCS_FORGE_TOKEN',
  }),
} as const;

export type DocsSettingValues = SettingValues<typeof DOCS_SETTINGS>;

export interface DocsSources {
  scanner: DocScanner;
  /** Undefined when DOCS_FORGE_REPO is unset. */
  forge: DocsForge | undefined;
  /** For runbookFor / createRunbookResolver. */
  runbook: RunbookOptions;
}

/**
 * The scanner, the forge client and the runbook options from declared settings. `env` is only for
 * DOCS_FORGE_TOKEN (a secret is not a declared setting: it would be listed and could be logged).
 */
export function docsSources(
  values: DocsSettingValues,
  env: Readonly<Record<string, string | undefined>> = {},
): DocsSources {
  const forgeEnv: Record<string, string | undefined> = {
    DOCS_FORGE: values.forge,
    DOCS_FORGE_REPO: values.forgeRepo,
    DOCS_FORGE_URL: values.forgeUrl,
    DOCS_FORGE_REF: values.forgeRef,
    DOCS_FORGE_TOKEN_FILE: values.forgeTokenFile,
    DOCS_FORGE_TOKEN: env['DOCS_FORGE_TOKEN'],
  };
  return {
    scanner: new DocScanner(values.docsPath),
    forge: createDocsForge(forgeEnv),
    runbook: { baseUrl: values.docsBaseUrl, docsWebUrl: values.docsWebUrl, env: {} },
  };
}
