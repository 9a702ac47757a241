// A local stand-in for the GitHub and Gitea/Forgejo REST APIs (node:http on 127.0.0.1, a free port),
// answering with their documented shapes: contents (file object with base64 content and a line break
// every 60 characters, folder as an array), GitHub's raw media type, Gitea's /raw, git trees (Gitea
// paged), GitHub code search paged by Link, ETags with 304, rate limits (403 + x-ratelimit-*,
// 429 + Retry-After), 401 Bad credentials.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Flavour = 'github' | 'gitea';

export interface Recorded {
  url: string;
  accept: string | undefined;
  authorization: string | undefined;
  ifNoneMatch: string | undefined;
  status: number;
}

const CONTENTS_LIMIT = 1024 * 1024;

function blobSha(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

function base64Lines(content: Buffer): string {
  return `${(content.toString('base64').match(/.{1,60}/g) ?? []).join('\n')}\n`;
}

export class ForgeResponder {
  readonly requests: Recorded[] = [];
  /** Rate limit: remaining requests and the reset (epoch seconds). */
  limit = 60;
  remaining = 60;
  resetAt = Math.floor(Date.now() / 1000) + 3600;
  /** Answer the next N requests 429 with Retry-After (Codeberg-style throttling). */
  throttleNext = 0;
  /** Answer the next N requests 502. */
  failNext = 0;
  /** Code search hits per page. */
  searchPageSize = 2;
  private server: Server | undefined;
  baseUrl = '';

  constructor(
    readonly flavour: Flavour,
    readonly files: Map<string, Buffer>,
    readonly token: string | undefined,
    readonly owner = 'team',
    readonly repo = 'team-docs',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}${this.flavour === 'gitea' ? '/api/v1' : ''}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Use up the limit; it resets `seconds` from now (or when `refill` is called). */
  exhaust(seconds: number): void {
    this.remaining = 0;
    this.resetAt = Math.floor(Date.now() / 1000) + seconds;
  }

  refill(): void {
    this.remaining = this.limit;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://responder');
    const record: Recorded = {
      url: `${url.pathname}${url.search}`,
      accept: req.headers.accept,
      authorization: req.headers.authorization,
      ifNoneMatch: req.headers['if-none-match'],
      status: 0,
    };
    this.requests.push(record);
    const send = (
      status: number,
      body: Buffer | string | object,
      headers: Record<string, string> = {},
    ): void => {
      record.status = status;
      const bytes = Buffer.isBuffer(body)
        ? body
        : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const etag = `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"`;
      const rate =
        this.flavour === 'github'
          ? {
              'x-ratelimit-limit': String(this.limit),
              'x-ratelimit-remaining': String(this.remaining),
              'x-ratelimit-reset': String(this.resetAt),
            }
          : {};
      if (status === 200 && req.headers['if-none-match'] === etag) {
        // A conditional request that matches costs nothing (GitHub's documented behaviour).
        record.status = 304;
        res.writeHead(304, { etag, ...rate, ...headers });
        res.end();
        return;
      }
      if (status === 200 && this.flavour === 'github') {
        this.remaining = Math.max(0, this.remaining - 1);
        rate['x-ratelimit-remaining'] = String(this.remaining);
      }
      res.writeHead(status, {
        'content-type':
          typeof body === 'object' && !Buffer.isBuffer(body)
            ? 'application/json'
            : 'application/octet-stream',
        ...(status === 200 ? { etag } : {}),
        ...rate,
        ...headers,
      });
      res.end(bytes);
    };

    if (this.failNext > 0) {
      this.failNext -= 1;
      return send(502, { message: 'Bad Gateway' });
    }
    if (this.throttleNext > 0) {
      this.throttleNext -= 1;
      return send(429, { message: 'Too Many Requests' }, { 'retry-after': '2' });
    }
    const scheme = this.flavour === 'github' ? 'Bearer' : 'token';
    const auth = req.headers.authorization;
    if (auth !== undefined && this.token !== undefined && auth !== `${scheme} ${this.token}`)
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    if (this.flavour === 'github' && this.remaining === 0 && req.headers['if-none-match'] === undefined) {
      return send(403, {
        message: 'API rate limit exceeded for 127.0.0.1.',
        documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
      });
    }

    const prefix = `${this.flavour === 'gitea' ? '/api/v1' : ''}/repos/${this.owner}/${this.repo}`;
    const path = decodeURIComponent(url.pathname);
    if (this.flavour === 'github' && path === '/search/code') return this.search(url, auth, send);
    if (!path.startsWith(prefix)) return send(404, { message: 'Not Found' });
    const rest = path.slice(prefix.length);
    if (rest === '')
      return send(200, { name: this.repo, full_name: `${this.owner}/${this.repo}`, default_branch: 'main' });
    if (url.searchParams.get('ref') !== null && url.searchParams.get('ref') !== 'main')
      return send(404, { message: 'No commit found for the ref' });
    if (rest.startsWith('/contents'))
      return this.contents(rest.slice('/contents'.length).replace(/^\//, ''), req, send);
    if (this.flavour === 'gitea' && rest.startsWith('/raw/')) {
      const file = this.files.get(rest.slice('/raw/'.length));
      return file === undefined ? send(404, { message: 'Not Found' }) : send(200, file);
    }
    if (rest === '/git/trees/main') return this.tree(url, send);
    return send(404, { message: 'Not Found' });
  }

  private entry(path: string, type: 'file' | 'dir'): Record<string, unknown> {
    const content = this.files.get(path);
    const sha = content === undefined ? createHash('sha1').update(path).digest('hex') : blobSha(content);
    const name = path.split('/').pop() ?? path;
    const api = `${this.baseUrl}/repos/${this.owner}/${this.repo}`;
    const html = `https://forge.example/${this.owner}/${this.repo}/${type === 'dir' ? 'tree' : 'blob'}/main/${path}`;
    const base: Record<string, unknown> = {
      type,
      size: content?.length ?? 0,
      name,
      path,
      sha,
      url: `${api}/contents/${path}?ref=main`,
      git_url: `${api}/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`,
      html_url: html,
      download_url:
        type === 'dir' ? null : `https://raw.forge.example/${this.owner}/${this.repo}/main/${path}`,
      _links: { self: `${api}/contents/${path}`, git: `${api}/git/blobs/${sha}`, html },
    };
    if (this.flavour === 'gitea') {
      Object.assign(base, {
        content: null,
        encoding: null,
        target: null,
        submodule_git_url: null,
        last_commit_sha: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
        last_commit_message: 'docs: update',
        mode: type === 'dir' ? '040000' : '100644',
      });
    }
    return base;
  }

  private children(dir: string): { path: string; type: 'file' | 'dir' }[] {
    const out = new Map<string, 'file' | 'dir'>();
    const prefix = dir === '' ? '' : `${dir}/`;
    for (const file of this.files.keys()) {
      if (!file.startsWith(prefix)) continue;
      const [head, ...tail] = file.slice(prefix.length).split('/');
      if (head !== undefined) out.set(`${prefix}${head}`, tail.length > 0 ? 'dir' : 'file');
    }
    return [...out].sort().map(([path, type]) => ({ path, type }));
  }

  private contents(
    path: string,
    req: IncomingMessage,
    send: (status: number, body: Buffer | string | object, headers?: Record<string, string>) => void,
  ): void {
    const file = this.files.get(path);
    if (file !== undefined) {
      if (this.flavour === 'github' && req.headers.accept === 'application/vnd.github.raw+json')
        return send(200, file);
      const item = this.entry(path, 'file');
      const tooBig = file.length > CONTENTS_LIMIT;
      if (this.flavour === 'github')
        Object.assign(
          item,
          tooBig ? { encoding: 'none', content: '' } : { encoding: 'base64', content: base64Lines(file) },
        );
      else if (!tooBig) Object.assign(item, { encoding: 'base64', content: file.toString('base64') });
      return send(200, item);
    }
    const children = this.children(path);
    if (children.length === 0) return send(404, { message: 'Not Found' });
    return send(
      200,
      children.map((child) => this.entry(child.path, child.type)),
    );
  }

  private allEntries(): { path: string; type: 'file' | 'dir' }[] {
    const out: { path: string; type: 'file' | 'dir' }[] = [];
    const visit = (dir: string): void => {
      for (const child of this.children(dir)) {
        out.push(child);
        if (child.type === 'dir') visit(child.path);
      }
    };
    visit('');
    return out;
  }

  private tree(
    url: URL,
    send: (status: number, body: object, headers?: Record<string, string>) => void,
  ): void {
    const all = this.allEntries().map((e) => {
      const content = this.files.get(e.path);
      return {
        path: e.path,
        mode: e.type === 'dir' ? '040000' : '100644',
        type: e.type === 'dir' ? 'tree' : 'blob',
        sha: content === undefined ? createHash('sha1').update(e.path).digest('hex') : blobSha(content),
        ...(content !== undefined ? { size: content.length } : {}),
        url: `${this.baseUrl}/repos/${this.owner}/${this.repo}/git/blobs/x`,
      };
    });
    if (this.flavour === 'github')
      return send(200, { sha: 'tree-sha', url: 'x', tree: all, truncated: false });
    const perPage = Number(url.searchParams.get('per_page') ?? '1000');
    const page = Number(url.searchParams.get('page') ?? '1');
    const slice = all.slice((page - 1) * perPage, page * perPage);
    return send(200, {
      sha: 'tree-sha',
      url: 'x',
      tree: slice,
      truncated: page * perPage < all.length,
      page,
      total_count: all.length,
    });
  }

  private search(
    url: URL,
    auth: string | undefined,
    send: (status: number, body: object, headers?: Record<string, string>) => void,
  ): void {
    if (auth === undefined) return send(401, { message: 'Requires authentication' });
    const q = url.searchParams.get('q') ?? '';
    const words = q.split(/\s+/).filter((w) => !w.includes(':'));
    if (!q.includes(`repo:${this.owner}/${this.repo}`) || !q.includes('extension:md'))
      return send(422, { message: 'Validation Failed' });
    const matches = [...this.files]
      .filter(
        ([path, content]) =>
          path.endsWith('.md') &&
          words.every((w) => content.toString('utf8').toLowerCase().includes(w.toLowerCase())),
      )
      .map(([path]) => path)
      .sort();
    const page = Number(url.searchParams.get('page') ?? '1');
    const items = matches.slice((page - 1) * this.searchPageSize, page * this.searchPageSize).map((path) => {
      const entry = this.entry(path, 'file');
      return { name: entry['name'], path, sha: entry['sha'], html_url: entry['html_url'], score: 1 };
    });
    const last = Math.max(1, Math.ceil(matches.length / this.searchPageSize));
    const link = (p: number, rel: string): string =>
      `<${this.baseUrl}/search/code?q=${encodeURIComponent(q)}&per_page=100&page=${p}>; rel="${rel}"`;
    const links = [
      ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
      ...(page > 1 ? [link(1, 'first')] : []),
    ];
    return send(
      200,
      { total_count: matches.length, incomplete_results: false, items },
      links.length > 0 ? { link: links.join(', ') } : {},
    );
  }
}
