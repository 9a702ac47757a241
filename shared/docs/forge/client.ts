// What GitHub and Gitea/Forgejo share: the repository, the ref, paths that cannot escape, the
// contents API's file and directory shapes (Gitea copied GitHub's), and the index files.
import { parseCatalogue, parseMetadata } from '../index-files.ts';
import type { Catalogue, DocIndex, Metadata } from '../types.ts';
import { loadForgeIndex } from './forge-index.ts';
import type { EtagCache } from './cache.ts';
import { ForgeError } from './errors.ts';
import type { RetryPolicy } from '../../http/retry.ts';
import { resolveToken } from './token.ts';
import type { TokenSettings } from './token.ts';
import { ForgeTransport } from './transport.ts';
import type { DocsForge, ForgeEntry, ForgeKind, ForgeSearchHit } from './types.ts';

export interface ForgeClientOptions extends TokenSettings {
  /** `owner/name`. */
  repo: string;
  /** Branch, tag or commit; default the repository's default branch. */
  ref?: string | undefined;
  /** API root, e.g. `https://api.github.com`, `https://codeberg.org/api/v1`. */
  baseUrl?: string | undefined;
  /** The folder with catalogue.yaml and metadata.json (default `docs`). */
  docsDir?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  retry?: Partial<RetryPolicy>;
  cache?: EtagCache;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
  /** Upper bound on pages followed for one listing or search (default 50). */
  maxPages?: number;
}

/** The contents API's entry (GitHub and Gitea ContentsResponse). */
export interface ContentsItem {
  type?: string;
  name?: string;
  path?: string;
  size?: number;
  sha?: string;
  content?: string | null;
  encoding?: string | null;
  html_url?: string | null;
  download_url?: string | null;
}

/** A repository path: `/`-separated, relative, without `.`/`..` segments or NUL; encoded per segment. */
export function checkPath(value: string): string {
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  const segments = trimmed === '' ? [] : trimmed.split('/');
  if (
    value.includes('\0') ||
    value.includes('\\') ||
    segments.some((s) => s === '..' || s === '.' || s === '')
  )
    throw new ForgeError(
      'invalid-path',
      `invalid repository path "${value}": use a relative path without . or .. segments`,
    );
  return segments.join('/');
}

export function encodePath(value: string): string {
  return value
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

export function toEntry(item: ContentsItem): ForgeEntry {
  const type =
    item.type === 'dir' || item.type === 'symlink' || item.type === 'submodule' ? item.type : 'file';
  const entry: ForgeEntry = {
    type,
    name: item.name ?? (item.path ?? '').split('/').pop() ?? '',
    path: item.path ?? '',
    size: typeof item.size === 'number' ? item.size : 0,
    sha: item.sha ?? '',
  };
  if (item.html_url) entry.htmlUrl = item.html_url;
  if (item.download_url) entry.downloadUrl = item.download_url;
  return entry;
}

/** Base64 with the line breaks the forges put every 60 characters. */
export function decodeBase64(content: string): Buffer {
  return Buffer.from(content.replace(/\s+/g, ''), 'base64');
}

export abstract class ForgeDocsClient implements DocsForge {
  abstract readonly kind: ForgeKind;
  readonly owner: string;
  readonly name: string;
  readonly baseUrl: string;
  protected readonly docsDir: string;
  protected readonly transport: ForgeTransport;
  protected readonly maxPages: number;
  private ref: string | undefined;
  private refPromise: Promise<string> | undefined;

  constructor(forge: string, defaultBaseUrl: string, authScheme: string, options: ForgeClientOptions) {
    const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(options.repo.trim());
    if (!match) throw new ForgeError('invalid-path', `repository must be owner/name, got "${options.repo}"`);
    this.owner = match[1] ?? '';
    this.name = match[2] ?? '';
    this.baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, '');
    this.docsDir = checkPath(options.docsDir ?? 'docs');
    this.ref = options.ref?.trim() || undefined;
    this.maxPages = options.maxPages ?? 50;
    this.transport = new ForgeTransport({
      forge,
      repo: `${this.owner}/${this.name}`,
      token: resolveToken(options, options.env),
      authScheme,
      ...(forge === 'GitHub' ? { extraHeaders: { 'x-github-api-version': '2022-11-28' } } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.cache !== undefined ? { cache: options.cache } : {}),
      ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
      ...(options.sleep !== undefined ? { sleep: options.sleep } : {}),
      ...(options.now !== undefined ? { now: options.now } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
  }

  /** The folder with catalogue.yaml and metadata.json. */
  get docsFolder(): string {
    return this.docsDir;
  }

  /** The repository as a DocIndex (catalogue, metadata, markdown paths), like DocScanner.load() for a checkout. */
  load(): Promise<DocIndex> {
    return loadForgeIndex(this);
  }

  /** Where the repository's files are shown on the web at the ref (links for documents and runbooks). */
  abstract webBase(): Promise<string>;

  /** Requests sent, 304s served from the cache, and the last rate-limit headers. */
  get usage(): { requests: number; notModified: number; rateLimit: ForgeTransport['rateLimit'] } {
    return {
      requests: this.transport.requests,
      notModified: this.transport.notModified,
      rateLimit: { ...this.transport.rateLimit },
    };
  }

  protected repoUrl(suffix = ''): string {
    return `${this.baseUrl}/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.name)}${suffix}`;
  }

  protected async json<T>(
    url: string,
    accept: string,
    what: string,
  ): Promise<{ value: T; link?: string | undefined }> {
    const response = await this.transport.get(url, accept, what);
    try {
      return { value: JSON.parse(response.body.toString('utf8')) as T, link: response.link };
    } catch (error) {
      throw new ForgeError('bad-response', `${this.repoLabel()}: ${what}: the answer is not JSON`, {
        cause: error,
      });
    }
  }

  protected repoLabel(): string {
    return `${this.kind === 'github' ? 'GitHub' : 'Gitea'} ${this.owner}/${this.name}`;
  }

  /** The configured ref, else the repository's default branch (asked once). */
  protected resolveRef(): Promise<string> {
    if (this.ref !== undefined) return Promise.resolve(this.ref);
    this.refPromise ??= this.json<{ default_branch?: string }>(
      this.repoUrl(),
      'application/json',
      'the repository',
    ).then(({ value }) => {
      if (typeof value.default_branch !== 'string' || value.default_branch === '')
        throw new ForgeError('bad-response', `${this.repoLabel()}: the repository has no default_branch`);
      this.ref = value.default_branch;
      return value.default_branch;
    });
    this.refPromise.catch(() => (this.refPromise = undefined));
    return this.refPromise;
  }

  protected async contents(path: string): Promise<ContentsItem | ContentsItem[]> {
    const ref = await this.resolveRef();
    const url = `${this.repoUrl('/contents')}${path === '' ? '' : `/${encodePath(path)}`}?ref=${encodeURIComponent(ref)}`;
    return (
      await this.json<ContentsItem | ContentsItem[]>(url, this.contentsAccept(), `${path || '/'} at ${ref}`)
    ).value;
  }

  protected abstract contentsAccept(): string;
  /** A file's bytes when the contents API left `content` out (over its size limit). */
  protected abstract rawFile(path: string, ref: string): Promise<Buffer>;
  abstract listDirectory(path?: string, options?: { recursive?: boolean }): Promise<ForgeEntry[]>;
  abstract searchDocuments(query: string): Promise<ForgeSearchHit[]>;

  async getDocument(path: string): Promise<string> {
    const clean = checkPath(path);
    const item = await this.contents(clean);
    if (Array.isArray(item) || (item.type !== undefined && item.type !== 'file'))
      throw new ForgeError(
        'bad-response',
        `${this.repoLabel()}: ${clean} is a ${Array.isArray(item) ? 'folder' : item.type}, not a file`,
      );
    if (
      item.encoding === 'base64' &&
      typeof item.content === 'string' &&
      (item.content !== '' || item.size === 0)
    )
      return decodeBase64(item.content).toString('utf8');
    // GitHub answers files of 1-100 MB with `encoding: none` and empty content; Gitea with null.
    return (await this.rawFile(clean, await this.resolveRef())).toString('utf8');
  }

  async getMetadata(): Promise<Metadata> {
    const file = `${this.docsDir}/metadata.json`;
    return parseMetadata(await this.getDocument(file), file).value;
  }

  async getCatalogue(): Promise<Catalogue> {
    const file = `${this.docsDir}/catalogue.yaml`;
    return parseCatalogue(await this.getDocument(file), file).value;
  }

  /** The git trees API, recursive, as entries under `prefix`. */
  protected treeEntries(
    tree: { path?: string; type?: string; size?: number; sha?: string; mode?: string }[],
    prefix: string,
  ): ForgeEntry[] {
    const out: ForgeEntry[] = [];
    for (const item of tree) {
      const itemPath = item.path ?? '';
      if (prefix !== '' && !itemPath.startsWith(`${prefix}/`)) continue;
      const type: ForgeEntry['type'] =
        item.type === 'tree'
          ? 'dir'
          : item.type === 'commit'
            ? 'submodule'
            : item.mode === '120000'
              ? 'symlink'
              : 'file';
      out.push({
        type,
        name: itemPath.split('/').pop() ?? itemPath,
        path: itemPath,
        size: typeof item.size === 'number' ? item.size : 0,
        sha: item.sha ?? '',
      });
    }
    return out;
  }
}
