import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocScanner, DocsError, defaultDocsPath, parseMetadata } from '../../../shared/docs/index.ts';
import { FILES, makeCheckout } from './checkout.ts';
import type { Checkout } from './checkout.ts';

describe('DocScanner over a checkout in the brief layout', () => {
  let checkout: Checkout;
  let scanner: DocScanner;
  beforeAll(async () => {
    checkout = await makeCheckout();
    scanner = new DocScanner(checkout.root);
  });
  afterAll(() => checkout.remove());

  it('finds ECO documents from the catalogue, a domains/ECO/ folder and front matter, any case', async () => {
    const ids = (await scanner.getDocumentsByDomain('eco')).map((d) => d.id);
    expect(ids).toEqual(['arch-001', 'infra-001', 'ECO-DOMAIN-ARCHITECTURE', 'tagged']);
    expect(await scanner.getDocumentsByDomain('ECO')).toHaveLength(4);
  });

  it('takes a domain from a known <DOMAIN>- file-name prefix but not from any prefix', async () => {
    expect((await scanner.getDocumentsByDomain('PIPE')).map((d) => d.id)).toEqual(['PIPE-BUILD-GUIDE']);
    expect(await scanner.getDocumentsByDomain('FLEET')).toEqual([]);
  });

  it('filters by category (catalogue, front matter, else parent folder), priority and bot', async () => {
    expect((await scanner.getDocumentsByCategory('Infrastructure')).map((d) => d.id)).toEqual(['infra-001']);
    expect((await scanner.getDocumentsByCategory('guides')).map((d) => d.id)).toEqual([
      'PIPE-BUILD-GUIDE',
      'tagged',
    ]);
    expect((await scanner.getDocumentsByPriority('high')).map((d) => d.id)).toEqual(['infra-001', 'tagged']);
    expect((await scanner.getDocumentsForBot('eco-monitoring-bot')).map((d) => d.id)).toEqual(['arch-001']);
    expect((await scanner.getDocumentsForBot('ECO-SCALER-BOT')).map((d) => d.id)).toEqual(['tagged']);
  });

  it('returns the initial scan in the catalogue order', async () => {
    expect((await scanner.getInitialScanDocuments()).map((d) => d.id)).toEqual([
      'arch-001',
      'proc-001',
      'infra-001',
    ]);
  });

  it('reads by catalogue id or by file stem, case-insensitively (the brief’s eco-domain-architecture)', async () => {
    expect(await scanner.readDocument('eco-domain-architecture')).toBe(
      FILES['docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md'],
    );
    expect(await scanner.readDocument('ARCH-001')).toBe(FILES['docs/architecture/FLEET-ARCHITECTURE.md']);
    expect(await scanner.readDocument('no-such-document')).toBeUndefined();
  });

  it('says which file is missing when a listed document is not checked out', async () => {
    await expect(scanner.readDocument('ref-404')).rejects.toThrow(
      'docs/reference/MISSING.md: document "ref-404" is listed but the file is not in the checkout',
    );
  });

  it('records size, lines, SHA-256, last modified and title for each markdown file', async () => {
    const doc = await scanner.findDocument('eco-domain-architecture');
    const text = FILES['docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md'] ?? '';
    expect(doc).toMatchObject({
      title: 'ECO Domain Architecture',
      path: 'docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md',
      category: 'ECO',
      source: 'scan',
      present: true,
      sizeBytes: Buffer.byteLength(text),
      sizeLines: 5,
      sha256: createHash('sha256').update(text).digest('hex'),
    });
    expect(Number.isNaN(Date.parse(doc?.lastModified ?? ''))).toBe(false);
    expect((await scanner.findDocument('proc-001'))?.title).toBe('Docs Access Process');
    expect((await scanner.findDocument('access'))?.id).toBe('proc-001');
    expect((await scanner.findDocument('PIPE-BUILD-GUIDE'))?.title).toBe('PIPE Build Guide');
  });

  it('scans every markdown file, catalogued or not, and counts them', async () => {
    const scanned = await scanner.scanAllDocuments();
    expect(scanned.map((d) => d.path).sort()).toEqual(Object.keys(FILES).sort());
    const stats = await scanner.getStatistics();
    expect(stats.declared).toMatchObject({ total_documents: 6, bots_supported: 49 });
    expect(stats.scanned).toMatchObject({ documents: 9, catalogued: 4, uncatalogued: 5, missing: 1 });
    expect(stats.scanned.byDomain['ECO']).toBe(4);
  });

  it('gives domain info from metadata.json with the checkout’s count', async () => {
    expect(await scanner.getDomainInfo('eco')).toEqual({
      id: 'ECO',
      name: 'Ecological Domain',
      purpose: 'Sustainability, resource optimisation, monitoring',
      botsCount: 49,
      keyBots: ['eco-monitoring-bot', 'eco-cleanup-bot'],
      documentCount: 4,
    });
    expect(await scanner.getDomainInfo('IV')).toBeUndefined();
  });

  it('takes DOCS_PATH, else the brief’s /opt/documentation', () => {
    expect(defaultDocsPath({ DOCS_PATH: '/srv/docs' })).toBe('/srv/docs');
    expect(defaultDocsPath({})).toBe('/opt/documentation');
  });
});

describe('DocScanner with broken or hostile checkouts', () => {
  const made: Checkout[] = [];
  const make = async (...args: Parameters<typeof makeCheckout>): Promise<Checkout> => {
    const checkout = await makeCheckout(...args);
    made.push(checkout);
    return checkout;
  };
  let outside: string;
  beforeAll(async () => {
    outside = await mkdtemp(path.join(tmpdir(), 'eco-docs-outside-'));
    await writeFile(path.join(outside, 'secret.md'), '# Secret\n');
  });
  afterAll(async () => {
    await Promise.all(made.map((c) => c.remove()));
    await rm(outside, { recursive: true, force: true });
  });

  it('names the catalogue file, line and column of a YAML error, and still scans markdown', async () => {
    const checkout = await make({ catalogue: 'version: "1"\ndocuments:\n  - id: a\n    path: [x\n' });
    const scanner = new DocScanner(checkout.root);
    const error = await scanner.loadCatalogue().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocsError);
    expect(error).toMatchObject({ code: 'parse-error', file: 'docs/catalogue.yaml', line: 5 });
    expect((error as DocsError).message).toMatch(/^docs\/catalogue\.yaml:5:\d+: invalid YAML: /);
    const index = await scanner.load();
    expect(index.problems[0]?.message).toMatch(/^docs\/catalogue\.yaml:5:\d+/);
    expect((await scanner.getDocumentsByDomain('ECO')).map((d) => d.id)).toEqual([
      'ECO-DOMAIN-ARCHITECTURE',
      'tagged',
    ]);
    await expect(scanner.getInitialScanDocuments()).rejects.toThrow('docs/catalogue.yaml:5');
  });

  it('reports a missing catalogue or metadata file by name', async () => {
    const checkout = await make({ catalogue: null, metadata: null });
    const scanner = new DocScanner(checkout.root);
    await expect(scanner.loadCatalogue()).rejects.toThrow(
      'docs/catalogue.yaml: file not found in the documentation checkout',
    );
    await expect(scanner.getDomainInfo('ECO')).rejects.toThrow('docs/metadata.json: file not found');
    expect((await scanner.getStatistics()).declared).toBeUndefined();
    expect((await scanner.scanAllDocuments()).length).toBe(Object.keys(FILES).length);
  });

  it('names the line and column of a JSON error in metadata.json', async () => {
    const checkout = await make({ metadata: '{\n  "statistics": {"a": 1,}\n}\n' });
    await expect(new DocScanner(checkout.root).loadMetadata()).rejects.toThrow(
      /^docs\/metadata\.json:2:\d+: invalid JSON: /,
    );
    expect(() => parseMetadata('[1]', 'm.json')).toThrow('m.json: expected a JSON object at the top level');
  });

  it('skips a catalogue entry of the wrong shape with its line, keeping the rest', async () => {
    const checkout = await make({
      catalogue: 'documents:\n  - id: ok\n    path: docs/INDEX.md\n  - title: no id\n    path: docs/x.md\n',
    });
    const index = await new DocScanner(checkout.root).load();
    expect(index.problems.map((p) => p.message)).toEqual([
      'docs/catalogue.yaml:4: documents[1]: missing `id`; skipped',
    ]);
    expect(index.documents.find((d) => d.id === 'ok')?.source).toBe('catalogue+scan');
  });

  it('reports a file whose front matter is not YAML and still lists it by its heading', async () => {
    const checkout = await make({
      files: { 'docs/bad.md': '---\ntitle: [unclosed\n---\n# Bad Front Matter\n' },
    });
    const index = await new DocScanner(checkout.root).load();
    expect(index.documents.find((d) => d.path === 'docs/bad.md')?.title).toBe('Bad Front Matter');
    expect(index.problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(/^docs\/bad\.md: front matter is not valid YAML \(.+\); read without it$/),
    );
  });

  it('refuses catalogue paths that climb out of the checkout', async () => {
    const checkout = await make({
      catalogue:
        'documents:\n  - id: escape\n    path: ../../etc/passwd\n  - id: abs\n    path: /etc/passwd\n',
    });
    const scanner = new DocScanner(checkout.root);
    const index = await scanner.load();
    expect(index.documents.map((d) => d.id)).not.toContain('escape');
    expect(index.problems.map((p) => p.code)).toEqual(['path-outside-checkout', 'path-outside-checkout']);
    expect(await scanner.readDocument('escape')).toBeUndefined();
  });

  it('refuses a symlink that leads outside the checkout, and follows one that stays inside', async () => {
    const checkout = await make();
    await symlink(path.join(outside, 'secret.md'), path.join(checkout.root, 'docs/leak.md'));
    await symlink(path.join(checkout.root, 'docs/INDEX.md'), path.join(checkout.root, 'docs/alias.md'));
    await mkdir(path.join(checkout.root, 'docs/linked'), { recursive: true });
    await symlink(outside, path.join(checkout.root, 'docs/linked/dir'));
    await checkout.write(
      'docs/catalogue.yaml',
      'documents:\n  - id: sneaky\n    path: docs/linked/dir/secret.md\n',
    );
    const scanner = new DocScanner(checkout.root);
    const index = await scanner.load();
    const paths = index.documents.map((d) => d.path);
    expect(paths).toContain('docs/alias.md');
    expect(paths).not.toContain('docs/leak.md');
    expect(paths).not.toContain('docs/linked/dir/secret.md');
    expect(index.problems.map((p) => p.message)).toContain(
      'docs/leak.md: symlink leads outside the documentation checkout; refused',
    );
    expect(await scanner.readDocument('leak')).toBeUndefined();
    await expect(scanner.readDocument('secret')).resolves.toBeUndefined();
  });

  it('fails clearly when the checkout itself is missing', async () => {
    await expect(new DocScanner('/nonexistent/eco-docs').load()).rejects.toThrow(
      '/nonexistent/eco-docs: documentation checkout not found (ENOENT); set DOCS_PATH',
    );
  });
});
