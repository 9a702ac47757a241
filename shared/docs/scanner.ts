// DocScanner: the brief's Python DocScanner over a checkout of the documentation repository, in
// TypeScript. It reads docs/catalogue.yaml and docs/metadata.json AND scans every markdown file under
// docs/, so a document the catalogue does not list is still found. A broken index file is reported
// (DocsProblem, or a DocsError from the calls that need it) and the markdown scan still works.
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DocsError, isDocsError } from './errors.ts';
import { CATALOGUE_FILE, METADATA_FILE, parseCatalogue, parseMetadata, stringList } from './index-files.ts';
import { findDocumentIn, mergeDocument } from './documents.ts';
import type { FileFacts } from './documents.ts';
import { countLines, readMarkdown } from './markdown.ts';
import { isInside, resolveInside } from './safe-path.ts';
import { DEFAULT_DOMAINS } from './types.ts';
import type {
  Catalogue,
  DocIndex,
  DocStatistics,
  DocsProblem,
  DocumentInfo,
  DomainInfo,
  Metadata,
} from './types.ts';

/** The brief's default checkout location (its Deployment clones the repository there). */
export const DEFAULT_DOCS_PATH = '/opt/documentation';

/** `DOCS_PATH`, else the brief's `/opt/documentation`. */
export function defaultDocsPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const value = env['DOCS_PATH']?.trim();
  return value === undefined || value === '' ? DEFAULT_DOCS_PATH : value;
}

export interface DocScannerOptions {
  /** The folder of the checkout that holds the index files and is scanned (default `docs`). */
  docsDir?: string;
  /** Upper bound on markdown files read in one scan (default 10 000); the rest is reported. */
  maxFiles?: number;
}

interface Loaded {
  index: DocIndex;
  catalogueError: DocsError | undefined;
  metadataError: DocsError | undefined;
}

const lower = (value: string): string => value.toLowerCase();

export class DocScanner {
  readonly repoPath: string;
  private readonly docsDir: string;
  private readonly maxFiles: number;
  private loading: Promise<Loaded> | undefined;

  constructor(repoPath: string = defaultDocsPath(), options: DocScannerOptions = {}) {
    this.repoPath = path.resolve(repoPath);
    this.docsDir = options.docsDir ?? 'docs';
    this.maxFiles = options.maxFiles ?? 10_000;
  }

  /** The checkout, read once and kept; `refresh()` forgets it. Rejects only when the checkout is missing. */
  async load(): Promise<DocIndex> {
    return (await this.loaded()).index;
  }

  /** Forget what was read; the next call reads the checkout again. */
  refresh(): void {
    this.loading = undefined;
  }

  /** catalogue.yaml; rejects with a DocsError naming the file (and line and column) when it is missing or malformed. */
  async loadCatalogue(): Promise<Catalogue> {
    const loaded = await this.loaded();
    if (loaded.catalogueError !== undefined || loaded.index.catalogue === undefined)
      throw loaded.catalogueError ?? new DocsError('file-missing', 'not loaded', { file: CATALOGUE_FILE });
    return loaded.index.catalogue;
  }

  /** metadata.json; rejects with a DocsError naming the file when it is missing or malformed. */
  async loadMetadata(): Promise<Metadata> {
    const loaded = await this.loaded();
    if (loaded.metadataError !== undefined || loaded.index.metadata === undefined)
      throw loaded.metadataError ?? new DocsError('file-missing', 'not loaded', { file: METADATA_FILE });
    return loaded.index.metadata;
  }

  /** Every document: catalogue entries (in catalogue order), then markdown files the catalogue does not list. */
  async getDocuments(): Promise<DocumentInfo[]> {
    return (await this.load()).documents;
  }

  /** Documents of a domain (`ECO`, any case): catalogue `domains`, a `domains/<D>/` folder, front matter, or a `<D>-` file name. */
  async getDocumentsByDomain(domain: string): Promise<DocumentInfo[]> {
    const wanted = domain.trim().toUpperCase();
    return (await this.getDocuments()).filter((doc) => doc.domains.includes(wanted));
  }

  /** Documents of a category (catalogue, front matter, else the parent folder's name), any case. */
  async getDocumentsByCategory(category: string): Promise<DocumentInfo[]> {
    const wanted = lower(category.trim());
    return (await this.getDocuments()).filter((doc) => lower(doc.category) === wanted);
  }

  /** Documents of a priority (critical, high, medium, low, or unknown for the unranked). */
  async getDocumentsByPriority(priority: string): Promise<DocumentInfo[]> {
    const wanted = lower(priority.trim());
    return (await this.getDocuments()).filter((doc) => doc.priority === wanted);
  }

  /** Documents the catalogue (bot_relevance) or a file's front matter (bots) recommends for a bot. */
  async getDocumentsForBot(bot: string): Promise<DocumentInfo[]> {
    const wanted = lower(bot.trim());
    return (await this.getDocuments()).filter((doc) => doc.botRelevance.some((b) => lower(b) === wanted));
  }

  /** The catalogue's `scanning_recommendations.initial_scan.order`, resolved to documents; needs the catalogue. */
  async getInitialScanDocuments(): Promise<DocumentInfo[]> {
    const catalogue = await this.loadCatalogue();
    const order = stringList(catalogue.scanning_recommendations?.initial_scan?.order);
    const documents = await this.getDocuments();
    return order
      .map((id) => findDocumentIn(documents, id))
      .filter((doc): doc is DocumentInfo => doc !== undefined);
  }

  /** The markdown files of the checkout (present files only, catalogue details merged in). */
  async scanAllDocuments(): Promise<DocumentInfo[]> {
    return (await this.getDocuments()).filter((doc) => doc.present && /\.md$/i.test(doc.path));
  }

  /** A document by catalogue id, else file stem, else path, compared case-insensitively. */
  async findDocument(id: string): Promise<DocumentInfo | undefined> {
    return findDocumentIn(await this.getDocuments(), id);
  }

  /**
   * The text of a document by id (see findDocument); undefined when no document has that id.
   * Rejects with a DocsError when the file is listed but missing, or its path leads outside the checkout.
   */
  async readDocument(id: string): Promise<string | undefined> {
    const doc = await this.findDocument(id);
    if (doc === undefined) return undefined;
    const absolute = await resolveInside(this.repoPath, await this.rootReal(), doc.path);
    try {
      return await readFile(absolute, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DocsError(
        code === 'ENOENT' ? 'file-missing' : 'file-unreadable',
        code === 'ENOENT'
          ? `document "${doc.id}" is listed but the file is not in the checkout`
          : `cannot read document "${doc.id}": ${(error as Error).message}`,
        { file: doc.path, cause: error },
      );
    }
  }

  /** metadata.json's statistics (when it loads) and the checkout's own counts. */
  async getStatistics(): Promise<DocStatistics> {
    const index = await this.load();
    const scanned: DocStatistics['scanned'] = {
      documents: index.documents.length,
      catalogued: index.documents.filter((d) => d.source !== 'scan').length,
      uncatalogued: index.documents.filter((d) => d.source === 'scan').length,
      missing: index.documents.filter((d) => !d.present).length,
      totalBytes: 0,
      totalLines: 0,
      byCategory: {},
      byDomain: {},
      byPriority: {},
    };
    for (const doc of index.documents) {
      scanned.totalBytes += doc.sizeBytes ?? 0;
      scanned.totalLines += doc.sizeLines ?? 0;
      scanned.byCategory[doc.category] = (scanned.byCategory[doc.category] ?? 0) + 1;
      scanned.byPriority[doc.priority] = (scanned.byPriority[doc.priority] ?? 0) + 1;
      for (const domain of doc.domains) scanned.byDomain[domain] = (scanned.byDomain[domain] ?? 0) + 1;
    }
    const declared = index.metadata?.statistics;
    return { ...(declared !== undefined ? { declared } : {}), scanned };
  }

  /** metadata.json's entry for a domain (any case) with the checkout's document count; needs metadata.json. */
  async getDomainInfo(domain: string): Promise<DomainInfo | undefined> {
    const metadata = await this.loadMetadata();
    const wanted = domain.trim().toUpperCase();
    const entry = (metadata.domains ?? []).find((d) => d.id === wanted);
    if (entry === undefined) return undefined;
    const documentCount = (await this.getDocuments()).filter((d) => d.domains.includes(wanted)).length;
    return {
      id: entry.id,
      ...(typeof entry.name === 'string' ? { name: entry.name } : {}),
      ...(typeof entry.purpose === 'string' ? { purpose: entry.purpose } : {}),
      ...(typeof entry.bots_count === 'number' ? { botsCount: entry.bots_count } : {}),
      keyBots: entry.key_bots ?? [],
      documentCount,
    };
  }

  private rootRealPromise: Promise<string> | undefined;
  private rootReal(): Promise<string> {
    this.rootRealPromise ??= realpath(this.repoPath).catch((error: unknown) => {
      this.rootRealPromise = undefined;
      throw new DocsError(
        'checkout-missing',
        `documentation checkout not found (${(error as NodeJS.ErrnoException).code ?? 'error'}); set DOCS_PATH`,
        { file: this.repoPath, cause: error },
      );
    });
    return this.rootRealPromise;
  }

  private loaded(): Promise<Loaded> {
    this.loading ??= this.read().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async read(): Promise<Loaded> {
    const rootReal = await this.rootReal();
    const problems: DocsProblem[] = [];
    const note = (error: DocsError): void => {
      problems.push({
        code: error.code,
        ...(error.file ? { file: error.file } : {}),
        message: error.message,
      });
    };
    const catalogueFile = `${this.docsDir}/catalogue.yaml`;
    const metadataFile = `${this.docsDir}/metadata.json`;

    let catalogue: Catalogue | undefined;
    let catalogueError: DocsError | undefined;
    try {
      const parsed = parseCatalogue(await this.readIndexFile(rootReal, catalogueFile), catalogueFile);
      catalogue = parsed.value;
      problems.push(...parsed.problems);
    } catch (error) {
      if (!isDocsError(error)) throw error;
      catalogueError = error;
      note(error);
    }

    let metadata: Metadata | undefined;
    let metadataError: DocsError | undefined;
    try {
      const parsed = parseMetadata(await this.readIndexFile(rootReal, metadataFile), metadataFile);
      metadata = parsed.value;
      problems.push(...parsed.problems);
    } catch (error) {
      if (!isDocsError(error)) throw error;
      metadataError = error;
      note(error);
    }

    const knownDomains = new Set([...DEFAULT_DOMAINS, ...(metadata?.domains ?? []).map((d) => d.id)]);
    const files = (await this.walk(rootReal, problems)).sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
    const byPath = new Map(files.map((file) => [file.path, file]));
    const documents: DocumentInfo[] = [];
    const used = new Set<string>();

    for (const entry of catalogue?.documents ?? []) {
      const entryPath = path.posix.normalize(entry.path.replace(/\\/g, '/')).replace(/^\.\//, '');
      try {
        await resolveInside(this.repoPath, rootReal, entryPath);
      } catch (error) {
        if (!isDocsError(error)) throw error;
        note(
          new DocsError(error.code, `catalogue entry "${entry.id}": ${error.message}`, {
            file: catalogueFile,
          }),
        );
        continue;
      }
      const file = byPath.get(entryPath) ?? (await this.statOther(rootReal, entryPath));
      if (file !== undefined) used.add(file.path);
      documents.push(mergeDocument(entry, entryPath, file, knownDomains));
    }
    for (const file of files)
      if (!used.has(file.path)) documents.push(mergeDocument(undefined, file.path, file, knownDomains));

    for (const id of stringList(catalogue?.scanning_recommendations?.initial_scan?.order)) {
      if (findDocumentIn(documents, id) === undefined)
        problems.push({
          code: 'unknown-id',
          file: catalogueFile,
          message: `${catalogueFile}: scanning_recommendations.initial_scan.order names "${id}", which no document has`,
        });
    }
    return {
      index: { root: this.repoPath, documents, catalogue, metadata, problems },
      catalogueError,
      metadataError,
    };
  }

  private async readIndexFile(rootReal: string, relative: string): Promise<string> {
    const absolute = await resolveInside(this.repoPath, rootReal, relative);
    try {
      return await readFile(absolute, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DocsError(
        code === 'ENOENT' ? 'file-missing' : 'file-unreadable',
        code === 'ENOENT' ? 'file not found in the documentation checkout' : (error as Error).message,
        { file: relative, cause: error },
      );
    }
  }

  /** A catalogue entry that is not a scanned markdown file (a YAML spec, say): its size and hash if it exists. */
  private async statOther(rootReal: string, relative: string): Promise<FileFacts | undefined> {
    try {
      const absolute = await resolveInside(this.repoPath, rootReal, relative);
      const info = await stat(absolute);
      if (!info.isFile()) return undefined;
      return await this.readFileInfo(absolute, relative, info.mtime, false);
    } catch {
      return undefined;
    }
  }

  /** Every `*.md` under the docs folder: hidden folders and node_modules skipped, symlinks out refused. */
  private async walk(rootReal: string, problems: DocsProblem[]): Promise<FileFacts[]> {
    const out: FileFacts[] = [];
    const start = path.join(this.repoPath, this.docsDir);
    const pending: string[] = [start];
    while (pending.length > 0) {
      const dir = pending.shift() as string;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (dir === start && code === 'ENOENT') return out;
        problems.push({
          code: 'file-unreadable',
          file: this.relative(dir),
          message: `${this.relative(dir)}: ${code ?? (error as Error).message}`,
        });
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        const absolute = path.join(dir, entry.name);
        const relative = this.relative(absolute);
        if (entry.isDirectory()) {
          pending.push(absolute);
          continue;
        }
        if (!/\.md$/i.test(entry.name)) continue;
        let target = absolute;
        if (entry.isSymbolicLink()) {
          // A link is read only when it resolves to a file inside the checkout; linked folders are
          // not followed (their target, when inside, is scanned where it lives; no cycles).
          try {
            target = await realpath(absolute);
          } catch {
            problems.push({
              code: 'file-unreadable',
              file: relative,
              message: `${relative}: broken symlink; skipped`,
            });
            continue;
          }
          if (!isInside(rootReal, target)) {
            problems.push({
              code: 'path-outside-checkout',
              file: relative,
              message: `${relative}: symlink leads outside the documentation checkout; refused`,
            });
            continue;
          }
          if (!(await lstat(target)).isFile()) continue;
        } else if (!entry.isFile()) continue;
        if (out.length >= this.maxFiles) {
          problems.push({
            code: 'too-many-files',
            message: `more than ${this.maxFiles} markdown files; the rest were not scanned`,
          });
          return out;
        }
        try {
          const facts = await this.readFileInfo(target, relative, (await stat(target)).mtime, true);
          if (facts.frontMatterError !== undefined)
            problems.push({
              code: 'parse-error',
              file: relative,
              message: `${relative}: front matter is not valid YAML (${facts.frontMatterError}); read without it`,
            });
          out.push(facts);
        } catch (error) {
          problems.push({
            code: 'file-unreadable',
            file: relative,
            message: `${relative}: ${(error as Error).message}`,
          });
        }
      }
    }
    return out;
  }

  private async readFileInfo(
    absolute: string,
    relative: string,
    mtime: Date,
    markdown: boolean,
  ): Promise<FileFacts> {
    const bytes = await readFile(absolute);
    const text = bytes.toString('utf8');
    const info = markdown ? readMarkdown(text) : { title: undefined, frontMatter: {} };
    return {
      path: relative,
      sizeBytes: bytes.length,
      sizeLines: countLines(text),
      sha256: createHash('sha256').update(bytes).digest('hex'),
      lastModified: mtime.toISOString(),
      title: info.title,
      frontMatter: info.frontMatter,
      ...('frontMatterError' in info && info.frontMatterError !== undefined
        ? { frontMatterError: info.frontMatterError }
        : {}),
    };
  }

  private relative(absolute: string): string {
    return path.relative(this.repoPath, absolute).split(path.sep).join('/');
  }
}
