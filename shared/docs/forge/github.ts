// GitHub's REST API: the contents API (base64 files, the raw media type past its 1 MB limit,
// folders as arrays), the git trees API for a recursive listing, and code search (paged by Link).
import { ForgeDocsClient, checkPath, encodePath, toEntry } from './client.ts';
import type { ContentsItem, ForgeClientOptions } from './client.ts';
import { ForgeError } from './errors.ts';
import type { ForgeEntry, ForgeSearchHit } from './types.ts';

export const GITHUB_API = 'https://api.github.com';

/** The `next` URL of an RFC 8288 Link header, as GitHub pages lists. */
export function nextLink(link: string | undefined): string | undefined {
  if (link === undefined) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match?.[2]?.split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}

interface GitTree {
  tree?: { path?: string; type?: string; size?: number; sha?: string; mode?: string }[];
  truncated?: boolean;
}

export class GitHubDocsClient extends ForgeDocsClient {
  readonly kind = 'github' as const;

  constructor(options: ForgeClientOptions) {
    super('GitHub', GITHUB_API, 'Bearer', options);
  }

  /** `https://github.com/<o>/<r>/blob/<ref>`; GitHub Enterprise: the API host without /api/v3. */
  async webBase(): Promise<string> {
    const host = this.baseUrl === GITHUB_API ? 'https://github.com' : this.baseUrl.replace(/\/api\/v3$/, '');
    return `${host}/${this.owner}/${this.name}/blob/${encodeURIComponent(await this.resolveRef())}`;
  }

  protected contentsAccept(): string {
    return 'application/vnd.github+json';
  }

  protected async rawFile(path: string, ref: string): Promise<Buffer> {
    const url = `${this.repoUrl('/contents')}/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
    return (await this.transport.get(url, 'application/vnd.github.raw+json', `${path} at ${ref} (raw)`)).body;
  }

  async listDirectory(path = this.docsDir, options: { recursive?: boolean } = {}): Promise<ForgeEntry[]> {
    const clean = checkPath(path);
    if (options.recursive === true) {
      const ref = await this.resolveRef();
      const { value } = await this.json<GitTree>(
        `${this.repoUrl('/git/trees')}/${encodeURIComponent(ref)}?recursive=1`,
        'application/vnd.github+json',
        `the tree at ${ref}`,
      );
      // Over GitHub's tree limit the answer is cut short: walk the folder with the contents API instead.
      if (value.truncated === true) return this.walk(clean);
      return this.treeEntries(value.tree ?? [], clean);
    }
    return this.folder(clean);
  }

  private async folder(path: string): Promise<ForgeEntry[]> {
    const item = await this.contents(path);
    if (!Array.isArray(item))
      throw new ForgeError(
        'bad-response',
        `${this.repoLabel()}: ${path} is a ${(item as ContentsItem).type ?? 'file'}, not a folder`,
      );
    return item.map(toEntry);
  }

  private async walk(root: string): Promise<ForgeEntry[]> {
    const out: ForgeEntry[] = [];
    const pending = [root];
    for (let requests = 0; pending.length > 0 && requests < 1000; requests++) {
      const entries = await this.folder(pending.shift() as string);
      out.push(...entries);
      pending.push(...entries.filter((e) => e.type === 'dir').map((e) => e.path));
    }
    return out;
  }

  async searchDocuments(query: string): Promise<ForgeSearchHit[]> {
    const q = `${query.trim()} repo:${this.owner}/${this.name} extension:md`;
    let url: string | undefined = `${this.baseUrl}/search/code?q=${encodeURIComponent(q)}&per_page=100`;
    const hits: ForgeSearchHit[] = [];
    for (let page = 0; url !== undefined && page < this.maxPages; page++) {
      const result: { value: { items?: ContentsItem[] }; link?: string | undefined } = await this.json<{
        items?: ContentsItem[];
      }>(url, 'application/vnd.github+json', `code search "${query}"`);
      for (const item of result.value.items ?? []) {
        hits.push({
          name: item.name ?? '',
          path: item.path ?? '',
          ...(item.sha ? { sha: item.sha } : {}),
          ...(item.html_url ? { htmlUrl: item.html_url } : {}),
        });
      }
      url = nextLink(result.link);
    }
    return hits;
  }
}
