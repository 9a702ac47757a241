import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { check, resolveConfig } from 'prettier';
import { afterAll, describe, expect, it } from 'vitest';
import { findStale } from '../../scripts/generate/check.ts';
import { generateAll, MANIFEST_PATH } from '../../scripts/generate/index.ts';
import { loadFleet, findHandlers } from '../../scripts/generate/load.ts';
import { GENERATED_BY } from '../../scripts/generate/header.ts';
import { alertBot, cronBot, eventBot, FIXTURE_FLEET, fleetOf, receiverBot } from './fixture-bots.ts';
import { docsOf, file, ROOT, yamlDocs } from './helpers.ts';

const run = promisify(execFile);

describe('the registry and freshness of the committed files', () => {
  it('functions/index.generated.ts imports every functions/*/handler.ts, sorted, and exports them as bots', async () => {
    const handlers = await findHandlers(ROOT);
    expect(handlers.length).toBeGreaterThan(0);
    const text = await readFile(join(ROOT, 'functions/index.generated.ts'), 'utf8');
    const imported = [...text.matchAll(/from '\.\/([^']+)'/g)].map((match) => `functions/${match[1]}`);
    expect(imported).toEqual(handlers);
    const registry = (await import('../../functions/index.generated.ts')) as {
      bots: readonly { name: string }[];
    };
    expect(registry.bots.map((bot) => bot.name)).toEqual(handlers.map((h) => h.split('/')[1]));
  });

  it('every committed generated file equals what the bots declare now (npm run generate -- --check)', async () => {
    const files = generateAll(await loadFleet(ROOT));
    const stale = await findStale(ROOT, files);
    expect(stale, `stale: ${stale.map((s) => s.path).join(', ')}; run npm run generate`).toEqual([]);
  });
});

describe('generateAll', () => {
  const files = generateAll(FIXTURE_FLEET);

  it('is deterministic and independent of declaration order', () => {
    const reversed = generateAll(fleetOf([...FIXTURE_FLEET.bots].reverse()));
    expect(reversed).toEqual(files);
    expect(generateAll(FIXTURE_FLEET)).toEqual(files);
  });

  it('marks every file as generated: a header where the format allows comments, the manifest for JSON', () => {
    const manifest = docsOf(files, MANIFEST_PATH)[0] as { generated: string[] };
    expect(manifest.generated).toEqual(files.map((f) => f.path).sort());
    for (const generated of files) {
      if (generated.path.endsWith('.json')) {
        expect(() => JSON.parse(generated.content) as unknown, generated.path).not.toThrow();
      } else {
        expect(generated.content.split('\n').slice(0, 2).join('\n'), generated.path).toContain(GENERATED_BY);
        expect(generated.content, generated.path).toContain('DO NOT EDIT');
      }
    }
  });

  it('adding a bot adds it everywhere: registry, stack, Knative, RBAC, triggers, images', () => {
    const without = generateAll(fleetOf([cronBot, alertBot, receiverBot]));
    const name = eventBot.name;
    const changed = files.filter((f) => {
      const before = without.find((w) => w.path === f.path);
      return before === undefined || before.content !== f.content;
    });
    const changedPaths = changed.map((f) => f.path);
    for (const path of [
      'functions/index.generated.ts',
      'stack.yml',
      'deploy/knative/20-services.yml',
      'deploy/knative/50-triggers.yml',
      'deploy/rbac/eco-bots.yml',
      'deploy/rbac/openfaas-fn.yml',
      '.github/workflows/images.yml',
    ]) {
      expect(changedPaths, path).toContain(path);
      expect(file(files, path).content, path).toContain(name);
      expect(file(without, path).content, path).not.toContain(name);
    }
    // The quota is sized from the bots' tiers, so it grows too.
    expect(changedPaths).toContain('deploy/namespace/eco-bots.yml');
  });

  it('writes the workflow (the one generated file Prettier checks) already formatted', async () => {
    const path = join(ROOT, '.github/workflows/images.yml');
    const options = { ...((await resolveConfig(path)) ?? {}), filepath: path };
    expect(await check(file(files, '.github/workflows/images.yml').content, options)).toBe(true);
  });

  it('refuses two bots with the same name', () => {
    expect(() => generateAll(fleetOf([cronBot, cronBot]))).toThrow(
      /two bots are named eco-fixture-cleanup-bot/,
    );
  });

  it('writes TypeScript the registry can import as-is', () => {
    const registry = file(files, 'functions/index.generated.ts').content;
    expect(registry).toContain(
      "import bot_eco_fixture_cleanup_bot from './eco-fixture-cleanup-bot/handler.ts';",
    );
    expect(registry).toMatch(/export const bots = \[\n {2}bot_eco_alert_bot,\n/);
    expect(yamlDocs(file(files, 'stack.yml').content)).toHaveLength(1);
  });
});

describe('the CLI', () => {
  const temps: string[] = [];
  afterAll(async () => {
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('writes every file, then --check passes, and names each stale or missing file after tampering', async () => {
    const root = await mkdtemp(join(tmpdir(), 'eco-generate-'));
    temps.push(root);
    await mkdir(join(root, 'functions/eco-tmp-bot'), { recursive: true });
    await writeFile(
      join(root, 'functions/eco-tmp-bot/handler.ts'),
      [
        `import { defineBot } from '${join(ROOT, 'shared/bot/index.ts')}';`,
        `export default defineBot({ name: 'eco-tmp-bot', category: 'network', tier: 'small', summary: 'tmp',`,
        `  triggers: { cron: '5 * * * *' }, rbac: [], mutates: false, input: {},`,
        `  async run() { return { summary: 'ok', findings: [] }; } });`,
      ].join('\n'),
    );
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const script = join(ROOT, 'scripts/generate.ts');
    const written = await run(tsx, [script, '--root', root], { cwd: ROOT });
    expect(written.stdout).toMatch(/generated \d+ files for 1 bots/);
    await run(tsx, [script, '--root', root, '--check'], { cwd: ROOT });

    await writeFile(join(root, 'stack.yml'), 'version: "1.0"\n');
    await unlink(join(root, 'deploy/knative/40-pingsources.yml'));
    const failed = await run(tsx, [script, '--root', root, '--check'], { cwd: ROOT }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('stale: stack.yml (differs)');
    expect(failed?.stderr).toContain('stale: deploy/knative/40-pingsources.yml (missing)');
    expect(failed?.stderr).not.toContain('deploy/knative/20-services.yml');
  });

  it('names the bot whose handler cannot be loaded or is not a bot', async () => {
    const root = await mkdtemp(join(tmpdir(), 'eco-generate-'));
    temps.push(root);
    await mkdir(join(root, 'functions/eco-broken-bot'), { recursive: true });
    await writeFile(
      join(root, 'functions/eco-broken-bot/handler.ts'),
      "import './missing.ts';\nexport default 1;\n",
    );
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const failed = await run(tsx, [join(ROOT, 'scripts/generate.ts'), '--root', root], { cwd: ROOT }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('functions/eco-broken-bot/handler.ts: cannot be loaded');
    await writeFile(join(root, 'functions/eco-broken-bot/handler.ts'), 'export default { name: 1 };\n');
    const notABot = await run(tsx, [join(ROOT, 'scripts/generate.ts'), '--root', root], { cwd: ROOT }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(notABot?.stderr).toContain('functions/eco-broken-bot/handler.ts: the default export is not a bot');
  });

  it('rejects unknown arguments with exit code 2', async () => {
    const failed = await run(
      join(ROOT, 'node_modules/.bin/tsx'),
      [join(ROOT, 'scripts/generate.ts'), '--chek'],
      {
        cwd: ROOT,
      },
    ).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('unknown argument --chek');
  });
});
