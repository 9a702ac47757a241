// Runbook links for checks. A check id (`cleanup.job-finished`) maps to, in order:
// 1. a document of the team's documentation (a checkout at DOCS_PATH, or a forge repository) the
//    catalogue tags with the check id in its `topics`;
// 2. a file `runbooks/<check-id>.md` there (in any folder named runbooks);
// 3. the project's own page `docs/runbooks/<check-id>.md`, under ECO_DOCS_BASE_URL when set.
// The project ships a page for every check, so 3 always resolves to a page that exists.
// The synchronous resolver needs no I/O per finding: the runtime builds it once per run.
import path from 'node:path';
import type { DocIndex, DocumentInfo } from './types.ts';

export interface Runbook {
  checkId: string;
  /** The link a finding carries: a URL, or a path (relative to the project, or in the checkout). */
  href: string;
  /** `docs-repo`: the team's documentation checkout; `project`: eco-bots' own docs/runbooks page. */
  source: 'docs-repo' | 'project';
  title?: string;
  /** The checkout document's id and path (docs-repo only). */
  docId?: string;
  path?: string;
}

export interface RunbookOptions {
  /**
   * Where the project's docs folder is published (ECO_DOCS_BASE_URL), e.g.
   * `https://codeberg.org/team/eco-bots/src/branch/main/docs`; default `docs` (a path from the repository root).
   */
  baseUrl?: string | undefined;
  /**
   * Where the documentation repository's files are published (DOCS_WEB_URL), e.g.
   * `https://github.com/team/docs/blob/main`; a checkout document links there, else to its file in the checkout.
   */
  docsWebUrl?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}

const encodedPath = (value: string): string => value.split('/').map(encodeURIComponent).join('/');

/** A check id is dotted words: `monitoring.node-cpu`. Anything else never becomes a path. */
const CHECK_ID = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/i;

function setting(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const value = (explicit ?? env[name])?.trim();
  return value === undefined || value === '' ? undefined : value.replace(/\/+$/, '');
}

/** The project's own page for a check: `<base>/runbooks/<check-id>.md`. */
export function projectRunbook(checkId: string, options: RunbookOptions = {}): Runbook {
  const base = setting(options.baseUrl, options.env ?? process.env, 'ECO_DOCS_BASE_URL') ?? 'docs';
  const file = CHECK_ID.test(checkId) ? checkId : encodeURIComponent(checkId);
  return { checkId, href: `${base}/runbooks/${file}.md`, source: 'project' };
}

/** A checkout document for a check: catalogue topics first, then the `runbooks/<check-id>.md` convention. */
export function findRunbookDocument(checkId: string, index: DocIndex): DocumentInfo | undefined {
  if (!CHECK_ID.test(checkId)) return undefined;
  const wanted = checkId.toLowerCase();
  const present = index.documents.filter((doc) => doc.present);
  return (
    present.find((doc) => doc.source !== 'scan' && doc.topics.some((t) => t.toLowerCase() === wanted)) ??
    present.find((doc) => {
      const parsed = path.posix.parse(doc.path);
      return (
        path.posix.basename(parsed.dir).toLowerCase() === 'runbooks' && parsed.name.toLowerCase() === wanted
      );
    })
  );
}

/**
 * A resolver from check id to runbook, built once (per process or run) from an already loaded
 * checkout index, or without one (project pages only). Synchronous: stamping findings costs no I/O.
 */
export function createRunbookResolver(
  index?: DocIndex,
  options: RunbookOptions = {},
): (checkId: string) => Runbook {
  const env = options.env ?? process.env;
  const web = setting(options.docsWebUrl, env, 'DOCS_WEB_URL');
  const cache = new Map<string, Runbook>();
  return (checkId) => {
    const known = cache.get(checkId);
    if (known !== undefined) return known;
    const doc = index === undefined ? undefined : findRunbookDocument(checkId, index);
    const runbook: Runbook =
      doc === undefined
        ? projectRunbook(checkId, options)
        : {
            checkId,
            href:
              web !== undefined
                ? `${web}/${encodedPath(doc.path)}`
                : /^https?:\/\//.test(index?.root ?? '')
                  ? `${index?.root ?? ''}/${encodedPath(doc.path)}`
                  : path.posix.join(index?.root.split(path.sep).join('/') ?? '', doc.path),
            source: 'docs-repo',
            title: doc.title,
            docId: doc.id,
            path: doc.path,
          };
    if (cache.size < 1000) cache.set(checkId, runbook);
    return runbook;
  };
}

/** A DocScanner (checkout at DOCS_PATH) or a forge client (GitHubDocsClient, GiteaDocsClient). */
export interface DocSource {
  load(): Promise<DocIndex>;
}

/** A check id's link only, as runChecks' `runbook` option and a finding's `runbook` field take it. */
export function createRunbookLinker(
  index?: DocIndex,
  options: RunbookOptions = {},
): (checkId: string) => string {
  const resolve = createRunbookResolver(index, options);
  return (checkId) => resolve(checkId).href;
}

/**
 * The runbook of one check: the team's documentation (a DocScanner's checkout or a forge client's
 * repository) when given and it loads (a failure falls back, it never fails a finding), else the
 * project's page.
 */
export async function runbookFor(
  checkId: string,
  scanner?: DocSource,
  options: RunbookOptions = {},
): Promise<Runbook> {
  let index: DocIndex | undefined;
  if (scanner !== undefined) {
    try {
      index = await scanner.load();
    } catch {
      index = undefined;
    }
  }
  return createRunbookResolver(index, options)(checkId);
}
