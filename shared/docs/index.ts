// The documentation helpers: DocScanner over a checkout, the forge client over an API, runbook
// links for checks. Not in the kit's barrel: a bot that does not read documentation never loads them.
export { DocScanner, DEFAULT_DOCS_PATH, defaultDocsPath } from './scanner.ts';
export type { DocScannerOptions } from './scanner.ts';
export { DocsError, isDocsError } from './errors.ts';
export type { DocsErrorCode } from './errors.ts';
export { CATALOGUE_FILE, METADATA_FILE, parseCatalogue, parseMetadata } from './index-files.ts';
export { readMarkdown } from './markdown.ts';
export * from './types.ts';
export * from './forge/index.ts';
export {
  createRunbookLinker,
  createRunbookResolver,
  findRunbookDocument,
  projectRunbook,
  runbookFor,
} from './runbook.ts';
export type { DocSource, Runbook, RunbookOptions } from './runbook.ts';
export { DOCS_SETTINGS, docsSources } from './settings.ts';
export type { DocsSettingValues, DocsSources } from './settings.ts';
