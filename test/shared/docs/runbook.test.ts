import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocScanner, createRunbookResolver, projectRunbook, runbookFor } from '../../../shared/docs/index.ts';
import { makeCheckout } from './checkout.ts';
import type { Checkout } from './checkout.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');

/** Every `check: '<id>'` in the bots' sources (the ids findings carry). */
async function checkIds(): Promise<string[]> {
  const ids = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.ts')) {
        // `check: 'a.b'` and `check: cond ? 'a.b' : 'a.c'`: every dotted id quoted on the line.
        for (const line of (await readFile(full, 'utf8')).matchAll(/\bcheck: ([^,\n]+)/g)) {
          for (const id of (line[1] ?? '').matchAll(/'([a-z0-9-]+\.[a-z0-9.-]+)'/g))
            if (id[1]) ids.add(id[1]);
        }
      }
    }
  };
  await walk(path.join(REPO, 'functions'));
  return [...ids].sort();
}

describe('runbook links', () => {
  let checkout: Checkout;
  beforeAll(async () => {
    checkout = await makeCheckout();
  });
  afterAll(() => checkout.remove());

  it('ships a runbook page with the four sections for every check a bot reports', async () => {
    const ids = await checkIds();
    expect(ids).toContain('cleanup.job-finished');
    expect(ids).toContain('alert.unrouted');
    expect(ids.length).toBeGreaterThanOrEqual(19);
    for (const id of ids) {
      const page = await readFile(path.join(REPO, 'docs/runbooks', `${id}.md`), 'utf8').catch(() => '');
      expect(page, `docs/runbooks/${id}.md`).toMatch(new RegExp(`^# \`${id.replace(/\./g, '\\.')}\`: `));
      for (const section of ['## What it means', '## Why it matters', '## How to fix', '## How to exclude'])
        expect(page, `docs/runbooks/${id}.md: ${section}`).toContain(`\n${section}\n`);
      expect(projectRunbook(id, { env: {} }).href).toBe(`docs/runbooks/${id}.md`);
    }
  });

  it('links the project page, under ECO_DOCS_BASE_URL when set', () => {
    expect(projectRunbook('monitoring.node-cpu', { env: {} })).toEqual({
      checkId: 'monitoring.node-cpu',
      href: 'docs/runbooks/monitoring.node-cpu.md',
      source: 'project',
    });
    const env = { ECO_DOCS_BASE_URL: 'https://codeberg.org/team/eco-bots/src/branch/main/docs/' };
    expect(projectRunbook('monitoring.node-cpu', { env }).href).toBe(
      'https://codeberg.org/team/eco-bots/src/branch/main/docs/runbooks/monitoring.node-cpu.md',
    );
    expect(projectRunbook('../../etc/passwd', { env: {} }).href).toBe(
      'docs/runbooks/..%2F..%2Fetc%2Fpasswd.md',
    );
  });

  it('prefers the team’s documentation: a catalogue topic, then runbooks/<check-id>.md', async () => {
    const scanner = new DocScanner(checkout.root);
    const byTopic = await runbookFor('cleanup.job-finished', scanner, { env: {} });
    expect(byTopic).toMatchObject({
      source: 'docs-repo',
      docId: 'infra-001',
      path: 'docs/infrastructure/CLUSTER.md',
      title: 'Cluster Infrastructure',
      href: path.posix.join(checkout.root, 'docs/infrastructure/CLUSTER.md'),
    });
    const byConvention = await runbookFor('Monitoring.Node-CPU', scanner, {
      env: { DOCS_WEB_URL: 'https://github.com/team/team-docs/blob/main' },
    });
    expect(byConvention).toMatchObject({
      source: 'docs-repo',
      path: 'docs/runbooks/monitoring.node-cpu.md',
      href: 'https://github.com/team/team-docs/blob/main/docs/runbooks/monitoring.node-cpu.md',
    });
    expect((await runbookFor('cleanup.pod-failed', scanner, { env: {} })).source).toBe('project');
  });

  it('falls back to the project page when the checkout is missing, and resolves without I/O once built', async () => {
    const missing = await runbookFor('cleanup.pod-failed', new DocScanner('/nonexistent/docs'), { env: {} });
    expect(missing.href).toBe('docs/runbooks/cleanup.pod-failed.md');
    const resolve = createRunbookResolver(await new DocScanner(checkout.root).load(), { env: {} });
    expect(resolve('monitoring.node-cpu').source).toBe('docs-repo');
    expect(resolve('status.bot-failing').href).toBe('docs/runbooks/status.bot-failing.md');
    expect(createRunbookResolver(undefined, { env: {} })('alert.truncated').href).toBe(
      'docs/runbooks/alert.truncated.md',
    );
  });
});
