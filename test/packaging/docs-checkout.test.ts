// The optional documentation checkout (scripts/generate/docs-checkout.ts): off by default, a valid
// Knative Service when on, and init-container commands that really clone a pinned ref (run with git).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pod } from 'kubernetes-models/v1/Pod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docsCheckoutSettings,
  docsInitContainers,
  withDocsCheckout,
} from '../../scripts/generate/docs-checkout.ts';
import type { DocsCheckoutSettings } from '../../scripts/generate/docs-checkout.ts';
import { knativeService } from '../../scripts/generate/knative.ts';
import { generateAll } from '../../scripts/generate/index.ts';
import type { Fleet } from '../../scripts/generate/index.ts';
import { KNATIVE_PATHS } from '../../scripts/generate/knative.ts';
import { FIXTURE_FLEET, cronBot } from './fixture-bots.ts';
import { validateObject } from './strict-validate.ts';

const run = promisify(execFile);
const git = (args: string[], cwd?: string) =>
  run('git', args, {
    ...(cwd ? { cwd } : {}),
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: tmpdir(),
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
    },
  });

interface PodShape {
  initContainers?: { name: string; args: string[]; volumeMounts: { mountPath: string }[] }[];
  containers: {
    env: { name: string; value: string }[];
    volumeMounts: { name: string; readOnly?: boolean }[];
  }[];
  volumes: { name: string; emptyDir?: unknown }[];
}
const podOf = (manifest: Record<string, unknown>): PodShape =>
  (manifest['spec'] as { template: { spec: PodShape } }).template.spec;

describe('documentation checkout init step', () => {
  it('is off by default: no setting, no change', () => {
    expect(
      docsCheckoutSettings({ DOCS_REPO: 'https://github.com/team/docs.git', DOCS_REF: 'v1' }),
    ).toBeUndefined();
    const service = knativeService(cronBot);
    expect(withDocsCheckout(service, undefined)).toBe(service);
    expect(JSON.stringify(service)).not.toContain('initContainers');
  });

  it('adds a read-only checkout at DOCS_PATH to the chosen bots only, as a valid Knative Service', () => {
    const settings = docsCheckoutSettings({
      ECO_DOCS_CHECKOUT_BOTS: `${cronBot.name}, eco-other-bot`,
      DOCS_REPO: 'https://github.com/team/docs.git',
      DOCS_REF: 'v1.4.0',
    });
    const service = withDocsCheckout(knativeService(cronBot), settings);
    // Knative's schema leaves initContainers untyped (behind its feature flag): those fields are
    // checked against the core v1 Pod schema instead.
    expect(
      validateObject(service).filter((p) => !p.problem.includes('/spec/template/spec/initContainers/')),
    ).toEqual([]);
    const pod = podOf(service);
    // The parts this step adds, as a core v1 Pod (Knative's probes leave out the port it fills in).
    const added = {
      initContainers: pod.initContainers,
      containers: [
        {
          name: 'bot',
          image: 'bot',
          env: pod.containers[0]?.env,
          volumeMounts: pod.containers[0]?.volumeMounts,
        },
      ],
      volumes: pod.volumes,
    };
    expect(() => new Pod({ metadata: { name: 'x' }, spec: added as never }).validate()).not.toThrow();
    expect(() =>
      new Pod({
        metadata: { name: 'x' },
        spec: { ...added, initContainers: [{ name: 1 }] } as never,
      }).validate(),
    ).toThrow();
    expect(pod.initContainers?.map((c) => c.args)).toEqual([
      [
        'clone',
        '--quiet',
        '--depth=1',
        '--single-branch',
        '--branch=v1.4.0',
        '--',
        'https://github.com/team/docs.git',
        '/opt/documentation',
      ],
    ]);
    expect(pod.volumes).toContainEqual({ name: 'documentation', emptyDir: {} });
    expect(pod.containers[0]?.env).toContainEqual({ name: 'DOCS_PATH', value: '/opt/documentation' });
    expect(pod.containers[0]?.volumeMounts).toContainEqual({
      name: 'documentation',
      mountPath: '/opt/documentation',
      readOnly: true,
    });
    const other = { ...knativeService(cronBot), metadata: { name: 'eco-unlisted-bot' } };
    expect(withDocsCheckout(other, settings)).toBe(other);
  });

  it('refuses an unpinned ref, a non-https or credentialed repository, a relative path', () => {
    const base = {
      ECO_DOCS_CHECKOUT_BOTS: 'x',
      DOCS_REPO: 'https://github.com/team/docs.git',
      DOCS_REF: 'main',
    };
    expect(() => docsCheckoutSettings({ ...base, DOCS_REF: '' })).toThrow(
      'DOCS_REF: a pinned tag, branch or commit is required',
    );
    expect(() => docsCheckoutSettings({ ...base, DOCS_REF: '--upload-pack=x' })).toThrow('DOCS_REF');
    expect(() => docsCheckoutSettings({ ...base, DOCS_REPO: 'http://x/docs.git' })).toThrow('DOCS_REPO');
    expect(() => docsCheckoutSettings({ ...base, DOCS_REPO: 'https://user:pw@x/docs.git' })).toThrow(
      'DOCS_REPO',
    );
    expect(() => docsCheckoutSettings({ ...base, DOCS_PATH: 'docs' })).toThrow('DOCS_PATH');
  });

  it('is generated into the Knative Services of the listed bots only', () => {
    const docsCheckout = docsCheckoutSettings({
      ECO_DOCS_CHECKOUT_BOTS: cronBot.name,
      DOCS_REPO: 'https://github.com/team/docs.git',
      DOCS_REF: 'v1.4.0',
    });
    const services = (fleet: Fleet): string =>
      generateAll(fleet).find((file) => file.path === KNATIVE_PATHS.services)?.content ?? '';
    const off = services(FIXTURE_FLEET);
    expect(off).not.toContain('initContainers');
    const on = services({ ...FIXTURE_FLEET, docsCheckout });
    const docs = on.split('\n---\n').filter((doc) => doc.includes('initContainers'));
    expect(on.split('\n---\n').length).toBeGreaterThan(3);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toContain(`name: ${cronBot.name}`);
    expect(docs[0]).toContain('--branch=v1.4.0');
  });

  describe('the init commands, run with git against a local repository', () => {
    let dir: string;
    let commit: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'eco-docs-checkout-'));
      const origin = path.join(dir, 'origin');
      await git(['init', '--quiet', '--initial-branch=main', origin]);
      await writeFile(path.join(origin, 'INDEX.md'), '# v1\n');
      await git(['add', 'INDEX.md'], origin);
      await git(['commit', '--quiet', '-m', 'v1'], origin);
      await git(['tag', 'v1'], origin);
      commit = (await git(['rev-parse', 'HEAD'], origin)).stdout.trim();
      await writeFile(path.join(origin, 'INDEX.md'), '# v2\n');
      await git(['commit', '--quiet', '-am', 'v2'], origin);
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    const checkout = async (ref: string, target: string): Promise<string> => {
      const settings: DocsCheckoutSettings = {
        bots: new Set(['x']),
        repo: path.join(dir, 'origin'),
        ref,
        path: target,
        image: 'git',
      };
      for (const container of docsInitContainers(settings)) await git(container['args'] as string[]);
      return readFile(path.join(target, 'INDEX.md'), 'utf8');
    };

    it('checks out the pinned tag, not the newest commit', async () => {
      expect(await checkout('v1', path.join(dir, 'by-tag'))).toBe('# v1\n');
    });

    it('checks out a pinned commit', async () => {
      expect(await checkout(commit, path.join(dir, 'by-commit'))).toBe('# v1\n');
    });
  });
});
