// `eco-bots docs …` and the brief's examples (Workflow 1, Python API Usage) against a checkout in
// the brief's layout, built in a temp dir.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../local/cli/main.ts';
import type { Io } from '../../local/cli/io.ts';
import type { DocumentInfo } from '../../shared/docs/index.ts';
import { pythonApiUsage, workflow1 } from '../../examples/docs-scanner.ts';
import { FILES, makeCheckout } from '../shared/docs/checkout.ts';
import type { Checkout } from '../shared/docs/checkout.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

function capture(env: Record<string, string | undefined> = {}) {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: { write: (text: string) => (out += text), isTTY: false },
    stderr: { write: (text: string) => (err += text), isTTY: false },
    env,
    cwd: process.cwd(),
    stopSignal: () => new Promise(() => undefined),
    readStdin: async () => '',
  };
  return { io, out: () => out, err: () => err };
}

describe('eco-bots docs', () => {
  let checkout: Checkout;
  let run: (args: string[]) => Promise<{ code: number; out: string; err: string }>;
  beforeAll(async () => {
    checkout = await makeCheckout();
    run = async (args) => {
      const c = capture({ DOCS_PATH: checkout.root });
      const code = await main(['docs', ...args], c.io);
      return { code, out: c.out(), err: c.err() };
    };
  });
  afterAll(() => checkout.remove());

  it('lists the ECO documents (Workflow 1 as a command), as text and JSON', async () => {
    const text = await run(['list', '--domain', 'ECO']);
    expect(text.code).toBe(0);
    expect(text.out).toContain("Documents for domain 'ECO':");
    expect(text.out).toContain('  [arch-001] Fleet Architecture Overview');
    expect(text.out).toContain('      Path: docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md');
    expect(text.out).toMatch(/\n4 documents\n$/);
    const json = await run(['list', '--domain', 'eco', '--json']);
    expect((JSON.parse(json.out) as DocumentInfo[]).map((d) => d.id)).toEqual([
      'arch-001',
      'infra-001',
      'ECO-DOMAIN-ARCHITECTURE',
      'tagged',
    ]);
  });

  it('filters by category, priority and bot; no filter gives the initial scan order', async () => {
    const ids = async (args: string[]): Promise<string[]> =>
      (JSON.parse((await run([...args, '--json'])).out) as DocumentInfo[]).map((d) => d.id);
    expect(await ids(['list', '--category', 'infrastructure'])).toEqual(['infra-001']);
    expect(await ids(['list', '--priority', 'critical'])).toEqual(['arch-001']);
    expect(await ids(['list', '--bot', 'eco-cleanup-bot'])).toEqual(['infra-001']);
    expect(await ids(['list'])).toEqual(['arch-001', 'proc-001', 'infra-001']);
  });

  it('reads a document by file stem (the brief’s read_document("eco-domain-architecture"))', async () => {
    const read = await run(['read', 'eco-domain-architecture']);
    expect(read).toMatchObject({
      code: 0,
      out: FILES['docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md'],
    });
    const json = await run(['read', 'arch-001', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({
      id: 'arch-001',
      content: '# Fleet Architecture\n\nThree tiers.\n',
    });
    const missing = await run(['read', 'nope']);
    expect(missing).toMatchObject({
      code: 1,
      err: 'eco-bots: no document "nope" (a catalogue id or a file stem)\n',
    });
    const unchecked = await run(['read', 'ref-404']);
    expect(unchecked.code).toBe(1);
    expect(unchecked.err).toContain(
      'docs/reference/MISSING.md: document "ref-404" is listed but the file is not',
    );
  });

  it('scans, counts and describes a domain', async () => {
    const scan = await run(['scan']);
    expect(scan.out).toContain(`Found ${Object.keys(FILES).length} documents in ${checkout.root}:`);
    expect(scan.out).toContain('  - ECO Domain Architecture (5 lines, ');
    const stats = JSON.parse((await run(['stats', '--json'])).out) as { scanned: { documents: number } };
    expect(stats.scanned.documents).toBe(9);
    expect((await run(['stats'])).out).toContain('  bots_supported: 49');
    const domain = await run(['domain', 'eco']);
    expect(domain.out).toContain('Domain: Ecological Domain (ECO)');
    expect(domain.out).toContain('  Key bots: eco-monitoring-bot, eco-cleanup-bot');
    expect((await run(['domain', '--domain', 'ECO', '--json'])).out).toContain('"documentCount": 4');
    expect(await run(['domain', 'XYZ'])).toMatchObject({
      code: 1,
      err: 'eco-bots: no domain "XYZ" in metadata.json\n',
    });
  });

  it('warns about a malformed catalogue on stderr and still lists scanned documents', async () => {
    const broken = await makeCheckout({ catalogue: 'documents: [\n' });
    try {
      const c = capture();
      expect(await main(['docs', 'list', '--domain', 'ECO', '--path', broken.root], c.io)).toBe(0);
      expect(c.err()).toMatch(/^eco-bots: warning: docs\/catalogue\.yaml:2:\d+: invalid YAML: /);
      expect(c.out()).toMatch(/\n2 documents\n$/);
      const initial = capture();
      expect(await main(['docs', 'list', '--path', broken.root], initial.io)).toBe(1);
      expect(initial.err()).toMatch(/eco-bots: docs\/catalogue\.yaml:2:\d+: invalid YAML/);
    } finally {
      await broken.remove();
    }
  });

  it('treats command-line mistakes as usage errors (2) and a missing checkout as a failure (1)', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['frob'])).err).toContain('unknown docs command "frob"');
    expect((await run(['list', '--priority', 'urgent'])).err).toContain('--priority must be one of');
    expect((await run(['list', '--domain', 'ECO', '--bot', 'x'])).code).toBe(2);
    expect((await run(['scan', '--domain', 'ECO'])).err).toContain('--domain is only for docs list');
    expect((await run(['read'])).code).toBe(2);
    const c = capture({ DOCS_PATH: '/nonexistent/docs' });
    expect(await main(['docs', 'scan'], c.io)).toBe(1);
    expect(c.err()).toBe(
      'eco-bots: /nonexistent/docs: documentation checkout not found (ENOENT); set DOCS_PATH\n',
    );
  });

  it('runs Workflow 1 through the package’s bin as a real process, exit codes included', async () => {
    const bin = path.join(REPO, 'bin/eco-bots.mjs');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [bin, 'docs', 'list', '--domain', 'ECO', '--json'],
      { cwd: REPO, timeout: 60_000, env: { ...process.env, DOCS_PATH: checkout.root } },
    );
    expect((JSON.parse(stdout) as DocumentInfo[]).length).toBe(4);
    const failed = await promisify(execFile)(
      process.execPath,
      [bin, 'docs', 'read', 'nope', '--path', checkout.root],
      {
        cwd: REPO,
        timeout: 60_000,
      },
    ).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failed).toMatchObject({
      code: 1,
      stderr: 'eco-bots: no document "nope" (a catalogue id or a file stem)\n',
    });
  });

  it('runs the brief’s examples in TypeScript, in process and as a program', async () => {
    expect(await workflow1(checkout.root)).toBe('Loaded 4 ECO docs');
    expect(await pythonApiUsage(checkout.root)).toEqual([
      'Found 4 ECO documents',
      'Found 1 infrastructure documents',
      '# ECO Domain Architecture',
    ]);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(REPO, 'examples/docs-scanner.ts'), checkout.root],
      { cwd: REPO, timeout: 60_000 },
    );
    expect(stdout).toBe(
      'Loaded 4 ECO docs\nFound 4 ECO documents\nFound 1 infrastructure documents\n# ECO Domain Architecture\n',
    );
  });
});
