import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ForgeError,
  GitHubDocsClient,
  GiteaDocsClient,
  createDocsForge,
  nextLink,
} from '../../../shared/docs/forge/index.ts';
import type { ForgeClientOptions } from '../../../shared/docs/forge/index.ts';
import { runbookFor } from '../../../shared/docs/index.ts';
import { CATALOGUE, FILES, METADATA } from './checkout.ts';
import { ForgeResponder } from './forge-responder.ts';
import type { Flavour } from './forge-responder.ts';

const TOKEN = 'ghp_test_secret_token_value';
// Over the contents API's 1 MB limit: the client must fetch it raw.
const BIG = `# Big Reference\n\n${'A line of reference text that repeats.\n'.repeat(30_000)}`;

function repoFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  files.set('docs/catalogue.yaml', Buffer.from(CATALOGUE));
  files.set('docs/metadata.json', Buffer.from(METADATA));
  for (const [file, content] of Object.entries(FILES)) files.set(file, Buffer.from(content));
  files.set('docs/reference/BIG.md', Buffer.from(BIG));
  files.set('README.md', Buffer.from('# team-docs\n'));
  return files;
}

const CLIENTS = {
  github: (options: ForgeClientOptions) => new GitHubDocsClient(options),
  gitea: (options: ForgeClientOptions) => new GiteaDocsClient({ ...options, treePageSize: 4 }),
};

describe.each<Flavour>(['github', 'gitea'])('forge docs client against a local %s', (flavour) => {
  let responder: ForgeResponder;
  const slept: number[] = [];
  const client = (extra: Partial<ForgeClientOptions> = {}) =>
    CLIENTS[flavour]({
      repo: 'team/team-docs',
      baseUrl: responder.baseUrl,
      token: TOKEN,
      env: {},
      sleep: async (ms) => {
        slept.push(ms);
        responder.refill();
      },
      retry: { backoffMs: 1, maxBackoffMs: 2 },
      ...extra,
    });
  beforeAll(async () => {
    responder = await new ForgeResponder(flavour, repoFiles(), TOKEN).start();
  });
  afterAll(() => responder.stop());
  afterEach(() => {
    responder.requests.length = 0;
    slept.length = 0;
    responder.refill();
  });

  it('reads metadata and catalogue (base64 content) with the right auth scheme', async () => {
    const docs = client();
    const metadata = await docs.getMetadata();
    expect(metadata.statistics).toMatchObject({ total_documents: 6 });
    const catalogue = await docs.getCatalogue();
    expect(catalogue.documents.map((d) => d.id)).toEqual(['arch-001', 'infra-001', 'proc-001', 'ref-404']);
    expect(responder.requests[0]?.url).toBe(`${flavour === 'gitea' ? '/api/v1' : ''}/repos/team/team-docs`);
    expect(responder.requests[1]?.authorization).toBe(
      `${flavour === 'github' ? 'Bearer' : 'token'} ${TOKEN}`,
    );
    expect(responder.requests[1]?.url).toContain('/contents/docs/metadata.json?ref=main');
  });

  it('gets a document by path, and a file over the contents API limit through the raw endpoint', async () => {
    const docs = client({ ref: 'main' });
    expect(await docs.getDocument('docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md')).toBe(
      FILES['docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md'],
    );
    const big = await docs.getDocument('docs/reference/BIG.md');
    expect(big.length).toBe(BIG.length);
    expect(big).toBe(BIG);
    const raw = responder.requests.at(-1);
    if (flavour === 'github') expect(raw?.accept).toBe('application/vnd.github.raw+json');
    else expect(raw?.url).toBe('/api/v1/repos/team/team-docs/raw/docs/reference/BIG.md?ref=main');
  });

  it('says "not found" for a 404 and refuses paths that climb out', async () => {
    const docs = client({ ref: 'main' });
    const error = await docs.getDocument('docs/nope.md').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect(error).toMatchObject({ code: 'not-found', status: 404 });
    expect((error as Error).message).toMatch(/team\/team-docs: docs\/nope\.md at main not found \(404\)$/);
    await expect(docs.getDocument('../secrets')).rejects.toMatchObject({ code: 'invalid-path' });
    expect(responder.requests).toHaveLength(1);
  });

  it('lists a folder, and the whole tree recursively (paged on Gitea)', async () => {
    const docs = client({ ref: 'main' });
    const top = await docs.listDirectory('docs');
    expect(top.map((e) => `${e.type} ${e.path}`)).toEqual([
      'file docs/INDEX.md',
      'dir docs/architecture',
      'file docs/catalogue.yaml',
      'dir docs/guides',
      'dir docs/infrastructure',
      'file docs/metadata.json',
      'dir docs/processes',
      'dir docs/reference',
      'dir docs/runbooks',
    ]);
    responder.requests.length = 0;
    const all = await docs.listDirectory('docs', { recursive: true });
    const files = all.filter((e) => e.type === 'file').map((e) => e.path);
    expect(files.sort()).toEqual(
      [...Object.keys(FILES), 'docs/catalogue.yaml', 'docs/metadata.json', 'docs/reference/BIG.md'].sort(),
    );
    expect(all.find((e) => e.path === 'docs/reference/BIG.md')?.size).toBe(Buffer.byteLength(BIG));
    if (flavour === 'github')
      expect(responder.requests.map((r) => r.url)).toEqual([
        '/repos/team/team-docs/git/trees/main?recursive=1',
      ]);
    if (flavour === 'gitea')
      expect(responder.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('page'))).toEqual([
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
      ]);
  });

  it('searches markdown documents (GitHub code search paged by Link; Gitea by path)', async () => {
    const docs = client({ ref: 'main' });
    if (flavour === 'github') {
      responder.searchPageSize = 1;
      const hits = await docs.searchDocuments('architecture');
      expect(hits.map((h) => h.path)).toEqual([
        'docs/architecture/FLEET-ARCHITECTURE.md',
        'docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md',
      ]);
      const searches = responder.requests.filter((r) => r.url.startsWith('/search/code'));
      expect(searches.map((r) => new URL(r.url, 'http://x').searchParams.get('page'))).toEqual([null, '2']);
      expect(new URL(searches[0]?.url ?? '', 'http://x').searchParams.get('q')).toBe(
        'architecture repo:team/team-docs extension:md',
      );
    } else {
      const hits = await docs.searchDocuments('ECO architecture');
      expect(hits.map((h) => h.path)).toEqual(['docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md']);
    }
  });

  it('revalidates with If-None-Match: a repeated read is a 304 served from the cache, free of rate limit', async () => {
    const docs = client({ ref: 'main' });
    const first = await docs.getDocument('docs/INDEX.md');
    const remaining = responder.remaining;
    const second = await docs.getDocument('docs/INDEX.md');
    expect(second).toBe(first);
    expect(responder.requests.map((r) => r.status)).toEqual([200, 304]);
    expect(responder.requests[1]?.ifNoneMatch).toMatch(/^".+"$/);
    expect(responder.remaining).toBe(remaining);
    expect(docs.usage.notModified).toBe(1);
  });

  it('says which token setting is wrong on a 401, without printing the token', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eco-forge-token-'));
    try {
      const file = path.join(dir, 'token');
      await writeFile(file, 'wrong-token-value\n');
      const docs = client({ token: undefined, env: { DOCS_FORGE_TOKEN_FILE: file }, ref: 'main' });
      const error = (await docs.getDocument('docs/INDEX.md').catch((e: unknown) => e)) as ForgeError;
      expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
      expect(error.message).toContain(`the token from DOCS_FORGE_TOKEN_FILE (${file}) was rejected`);
      expect(error.message).not.toContain('wrong-token-value');
      expect(responder.requests[0]?.authorization).toBe(
        `${flavour === 'github' ? 'Bearer' : 'token'} wrong-token-value`,
      );
      const fromEnv = client({ token: undefined, env: { DOCS_FORGE_TOKEN: 'also-wrong' }, ref: 'main' });
      await expect(fromEnv.getDocument('docs/INDEX.md')).rejects.toThrow(
        'the token from DOCS_FORGE_TOKEN was rejected',
      );
      expect(() =>
        client({ token: undefined, env: { DOCS_FORGE_TOKEN_FILE: path.join(dir, 'none') } }),
      ).toThrow(`DOCS_FORGE_TOKEN_FILE: cannot read the token file ${path.join(dir, 'none')} (ENOENT)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('indexes the repository like a checkout, so documents and runbook links work without one', async () => {
    const docs = client({ ref: 'main' });
    const index = await docs.load();
    expect(index.problems).toEqual([]);
    expect(index.documents.find((d) => d.id === 'infra-001')).toMatchObject({
      present: true,
      source: 'catalogue+scan',
      domains: ['ECO'],
    });
    expect(index.documents.find((d) => d.id === 'ref-404')?.present).toBe(false);
    expect(index.documents.find((d) => d.id === 'ECO-DOMAIN-ARCHITECTURE')?.domains).toEqual(['ECO']);
    const host = responder.baseUrl.replace(/\/api\/v1$/, '');
    const web =
      flavour === 'github' ? `${host}/team/team-docs/blob/main` : `${host}/team/team-docs/src/branch/main`;
    expect((await runbookFor('cleanup.job-finished', docs, { env: {} })).href).toBe(
      `${web}/docs/infrastructure/CLUSTER.md`,
    );
    expect((await runbookFor('monitoring.node-cpu', docs, { env: {} })).href).toBe(
      `${web}/docs/runbooks/monitoring.node-cpu.md`,
    );
    expect((await runbookFor('cleanup.pod-failed', docs, { env: {} })).source).toBe('project');
  });

  it('retries a 502 and a 429 with Retry-After through the retry function', async () => {
    const docs = client({ ref: 'main' });
    responder.failNext = 1;
    responder.throttleNext = 1;
    expect(await docs.getDocument('docs/INDEX.md')).toBe(FILES['docs/INDEX.md']);
    expect(responder.requests.map((r) => r.status)).toEqual([502, 429, 200]);
    expect(slept[1]).toBe(2000);
  });
});

describe('GitHub rate limit', () => {
  let responder: ForgeResponder;
  beforeAll(async () => {
    responder = await new ForgeResponder('github', repoFiles(), TOKEN).start();
  });
  afterAll(() => responder.stop());

  it('waits for x-ratelimit-reset after a 403 rate limit, then succeeds', async () => {
    const slept: number[] = [];
    const now = Date.now();
    const docs = new GitHubDocsClient({
      repo: 'team/team-docs',
      ref: 'main',
      baseUrl: responder.baseUrl,
      token: TOKEN,
      env: {},
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        responder.refill();
      },
    });
    responder.exhaust(20);
    expect(await docs.getDocument('docs/INDEX.md')).toBe(FILES['docs/INDEX.md']);
    expect(responder.requests.map((r) => r.status)).toEqual([403, 200]);
    expect(slept).toEqual([responder.resetAt * 1000 - now]);
    expect(docs.usage.rateLimit.remaining).toBe(responder.limit - 1);
  });

  it('fails at once, naming the reset time, when the reset is too far away; and sends nothing more until then', async () => {
    responder.requests.length = 0;
    const anonymous = new GitHubDocsClient({
      repo: 'team/team-docs',
      ref: 'main',
      baseUrl: responder.baseUrl,
      env: {},
      sleep: async () => undefined,
    });
    responder.exhaust(3600);
    const error = (await anonymous.getDocument('docs/INDEX.md').catch((e: unknown) => e)) as ForgeError;
    expect(error).toMatchObject({ code: 'rate-limited', status: 403, resetAt: responder.resetAt * 1000 });
    expect(error.message).toContain(`try again after ${new Date(responder.resetAt * 1000).toISOString()}`);
    expect(error.message).toContain(
      'anonymous requests have a low limit: no token (set DOCS_FORGE_TOKEN_FILE or DOCS_FORGE_TOKEN)',
    );
    await expect(anonymous.getDocument('docs/INDEX.md')).rejects.toMatchObject({ code: 'rate-limited' });
    expect(responder.requests).toHaveLength(1);
    responder.refill();
  });

  it('says a code search needs a token (401 without one)', async () => {
    const anonymous = new GitHubDocsClient({
      repo: 'team/team-docs',
      ref: 'main',
      baseUrl: responder.baseUrl,
      env: {},
    });
    await expect(anonymous.searchDocuments('x')).rejects.toThrow(
      'code search "x": 401 Unauthorized, this request needs a token: no token (set DOCS_FORGE_TOKEN_FILE or DOCS_FORGE_TOKEN)',
    );
  });
});

describe('forge settings', () => {
  it('builds a client from the environment, or none without DOCS_FORGE_REPO', () => {
    expect(createDocsForge({})).toBeUndefined();
    expect(createDocsForge({ DOCS_FORGE_REPO: 'team/docs' })?.kind).toBe('github');
    expect(createDocsForge({ DOCS_FORGE_REPO: 'team/docs', DOCS_FORGE: 'forgejo' })?.kind).toBe('gitea');
    expect(() => createDocsForge({ DOCS_FORGE_REPO: 'team/docs', DOCS_FORGE: 'svn' })).toThrow(
      'DOCS_FORGE: must be one of github, gitea, forgejo, codeberg, got "svn"',
    );
    expect(() => createDocsForge({ DOCS_FORGE_REPO: 'nope' })).toThrow('DOCS_FORGE_REPO: must be owner/name');
    expect(() =>
      createDocsForge({ DOCS_FORGE_REPO: 'team/docs', DOCS_FORGE_TOKEN_FILE: '/nonexistent/token' }),
    ).toThrow('DOCS_FORGE_TOKEN_FILE: cannot read the token file /nonexistent/token (ENOENT)');
  });

  it('reads the next page from a Link header', () => {
    expect(nextLink('<https://a/x?page=2>; rel="next", <https://a/x?page=5>; rel="last"')).toBe(
      'https://a/x?page=2',
    );
    expect(nextLink('<https://a/x?page=1>; rel="first"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});
