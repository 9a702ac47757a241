import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  finding,
  setting,
  type Context,
  type Finding,
  type ReportError,
  type SettingValues,
  unconfiguredFinding,
} from '../../shared/index.ts';
import { lintApko, lintDockerfile } from './images.ts';
import { lintKubernetes } from './kubernetes.ts';
import type { Problem } from './lint-types.ts';
import { lintTerraform } from './terraform.ts';

const NAME = 'eco-iacode-bot';
const MAX_FILE_BYTES = 1024 * 1024;

const SETTINGS = {
  path: setting.string({
    env: 'ECO_IAC_PATH',
    meaning:
      'a checked-out repository the bot lints on its schedule (Kubernetes YAML, .tf, Dockerfiles, apko)',
  }),
  maxFiles: setting.number({
    env: 'ECO_IAC_MAX_FILES',
    default: 2000,
    min: 1,
    max: 100000,
    integer: true,
    meaning: 'at most this many files are read from ECO_IAC_PATH per run',
  }),
};
type Settings = SettingValues<typeof SETTINGS>;

const Input = Type.Object(
  {
    files: Type.Optional(
      Type.Array(
        Type.Object(
          {
            path: Type.String({ minLength: 1, maxLength: 1024 }),
            content: Type.String({ maxLength: MAX_FILE_BYTES }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 1000 },
      ),
    ),
  },
  { additionalProperties: false },
);
type Input = Static<typeof Input>;

export type FileKind = 'kubernetes' | 'terraform' | 'dockerfile' | 'apko' | 'other';

export function kindOf(path: string): FileKind {
  const name = (path.split('/').pop() ?? path).toLowerCase();
  if (name.endsWith('.tf')) return 'terraform';
  if (
    name === 'dockerfile' ||
    name === 'containerfile' ||
    name.endsWith('.dockerfile') ||
    name.startsWith('dockerfile.')
  )
    return 'dockerfile';
  if (/(^|[.-])apko\.ya?ml$/.test(name)) return 'apko';
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return 'kubernetes';
  return 'other';
}

export function lintFile(path: string, content: string): Problem[] {
  switch (kindOf(path)) {
    case 'kubernetes':
      return lintKubernetes(content);
    case 'terraform':
      return lintTerraform(content);
    case 'dockerfile':
      return lintDockerfile(content);
    case 'apko':
      return lintApko(content);
    default:
      return [];
  }
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform', 'vendor', 'dist']);

/** The lintable files under a directory, depth first, sorted, up to `max`. */
async function walk(
  root: string,
  max: number,
): Promise<{ files: { path: string; content: string }[]; truncated: boolean }> {
  const files: { path: string; content: string }[] = [];
  let truncated = false;
  const visit = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const e of entries) {
      if (files.length >= max) {
        truncated = true;
        return;
      }
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await visit(full);
      } else if (e.isFile() && kindOf(e.name) !== 'other') {
        if ((await stat(full)).size > MAX_FILE_BYTES) continue;
        files.push({ path: relative(root, full), content: await readFile(full, 'utf8') });
      }
    }
  };
  await visit(root);
  return { files, truncated };
}

export default defineBot({
  name: NAME,
  category: 'infrastructure',
  tier: 'medium',
  summary:
    'Lints Infrastructure as Code posted or found under ECO_IAC_PATH: Kubernetes YAML against the 1.35 API (removed apiVersions, unknown and missing fields), .tf (FAGAM and Vault providers, HashiCorp cloud/remote backends), Dockerfiles and apko (non-Wolfi base, :latest, root or no user)',
  triggers: { http: true, events: ['org.bsw-arch.eco.iac.changed.v1'], cron: '0 * * * *' },
  rbac: [],
  mutates: false,
  input: Input,
  settings: SETTINGS,
  async run(input: Input, ctx: Context<Settings>) {
    const errors: ReportError[] = [];
    let files = input.files;
    let truncated = false;
    if (files === undefined) {
      if (ctx.settings.path === undefined)
        return {
          summary: 'nothing to lint: no files posted and ECO_IAC_PATH is not set',
          findings: [
            unconfiguredFinding({
              bot: NAME,
              setting: 'ECO_IAC_PATH',
              message: 'No files were posted and ECO_IAC_PATH is not set, so nothing was linted.',
              fix: 'POST {"files": [{"path": "deploy/app.yaml", "content": "..."}]} or set ECO_IAC_PATH to a checked-out repository.',
            }),
          ],
        };
      try {
        ({ files, truncated } = await walk(ctx.settings.path, ctx.settings.maxFiles));
      } catch (error) {
        errors.push({
          code: 'iac-path-unavailable',
          message: `ECO_IAC_PATH ${ctx.settings.path}: ${(error as Error).message}`,
        });
        files = [];
      }
    }
    const findings: Finding[] = [];
    const counts: Record<FileKind, number> = {
      kubernetes: 0,
      terraform: 0,
      dockerfile: 0,
      apko: 0,
      other: 0,
    };
    for (const file of files) {
      counts[kindOf(file.path)]++;
      let problems: Problem[];
      try {
        problems = lintFile(file.path, file.content);
      } catch (error) {
        // A linter that trips on a file is that file's finding, never a failed run.
        problems = [
          {
            check: 'iac.parse-error',
            severity: 'critical',
            line: 1,
            message: `The file could not be read: ${(error as Error).message}.`,
            fix: 'Check the file.',
          },
        ];
      }
      for (const p of problems)
        findings.push(
          finding({
            bot: NAME,
            check: p.check,
            severity: p.severity,
            object: { apiVersion: 'eco.bsw-arch.org/v1', kind: 'File', name: file.path },
            discriminator: `${p.line}:${p.message}`,
            message: `${file.path}:${p.line}: ${p.message}`,
            evidence: { line: p.line, ...(p.evidence ?? {}) },
            fix: p.fix,
          }),
        );
    }
    if (truncated)
      errors.push({
        code: 'iac-too-many-files',
        message: `only the first ${ctx.settings.maxFiles} files under ECO_IAC_PATH were linted`,
      });
    return {
      summary: `${files.length} files linted (${counts.kubernetes} Kubernetes YAML, ${counts.terraform} .tf, ${counts.dockerfile} Dockerfiles, ${counts.apko} apko): ${findings.length} findings`,
      findings,
      errors,
      data: { files: files.length, byKind: counts },
    };
  },
});
