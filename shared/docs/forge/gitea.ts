// Gitea and Forgejo (Codeberg): the same contents shapes as GitHub under /api/v1, `token` auth,
// the /raw endpoint for files the contents API leaves without content, a paged git trees API, and
// no code search in the API (search matches markdown file paths from the tree).
import { ForgeDocsClient, checkPath, encodePath, toEntry } from './client.ts';
import type { ForgeClientOptions } from './client.ts';
import { ForgeError } from './errors.ts';
import type { ForgeEntry, ForgeSearchHit } from './types.ts';

export const CODEBERG_API = 'https://codeberg.org/api/v1';

interface GiteaTree {
  tree?: { path?: string; type?: string; size?: number; sha?: string; mode?: string }[];
  truncated?: boolean;
  page?: number;
  total_count?: number;
}

export class GiteaDocsClient extends ForgeDocsClient {
  readonly kind = 'gitea' as const;
  private readonly perPage: number;

  constructor(options: ForgeClientOptions & { treePageSize?: number }) {
    super('Gitea', CODEBERG_API, 'token', options);
    this.perPage = options.treePageSize ?? 1000;
  }

  /** `<host>/<o>/<r>/src/commit/<sha>` for a commit id, else `.../src/branch/<ref>` (Gitea resolves a tag there too). */
  async webBase(): Promise<string> {
    const host = this.baseUrl.replace(/\/api\/v1$/, '');
    const ref = await this.resolveRef();
    const kind = /^[0-9a-f]{40}$/.test(ref) ? 'commit' : 'branch';
    return `${host}/${this.owner}/${this.name}/src/${kind}/${encodeURIComponent(ref)}`;
  }

  protected contentsAccept(): string {
    return 'application/json';
  }

  protected async rawFile(path: string, ref: string): Promise<Buffer> {
    const url = `${this.repoUrl('/raw')}/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
    return (await this.transport.get(url, '*/*', `${path} at ${ref} (raw)`)).body;
  }

  async listDirectory(path = this.docsDir, options: { recursive?: boolean } = {}): Promise<ForgeEntry[]> {
    const clean = checkPath(path);
    if (options.recursive === true) return this.treeEntries(await this.tree(), clean);
    const ref = await this.resolveRef();
    const url = `${this.repoUrl('/contents')}${clean === '' ? '' : `/${encodePath(clean)}`}?ref=${encodeURIComponent(ref)}`;
    const { value } = await this.json<unknown>(url, 'application/json', `${clean || '/'} at ${ref}`);
    if (!Array.isArray(value))
      throw new ForgeError('bad-response', `${this.repoLabel()}: ${clean} is a file, not a folder`);
    return (value as Parameters<typeof toEntry>[0][]).map(toEntry);
  }

  /** The whole tree, page by page (Gitea pages the recursive tree and says `truncated` while more follow). */
  private async tree(): Promise<NonNullable<GiteaTree['tree']>> {
    const ref = await this.resolveRef();
    const out: NonNullable<GiteaTree['tree']> = [];
    for (let page = 1; page <= this.maxPages; page++) {
      const url = `${this.repoUrl('/git/trees')}/${encodeURIComponent(ref)}?recursive=true&per_page=${this.perPage}&page=${page}`;
      const { value } = await this.json<GiteaTree>(
        url,
        'application/json',
        `the tree at ${ref} (page ${page})`,
      );
      const items = value.tree ?? [];
      out.push(...items);
      const total = value.total_count;
      if (value.truncated !== true || items.length === 0 || (total !== undefined && out.length >= total))
        break;
    }
    return out;
  }

  async searchDocuments(query: string): Promise<ForgeSearchHit[]> {
    const words = query
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '');
    return this.treeEntries(await this.tree(), '')
      .filter((e) => e.type === 'file' && /\.md$/i.test(e.path))
      .filter((e) => words.every((w) => e.path.toLowerCase().includes(w)))
      .map((e) => ({ name: e.name, path: e.path, sha: e.sha }));
  }
}
