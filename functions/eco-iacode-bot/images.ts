// Dockerfiles and apko configurations: the platform builds on Wolfi (Chainguard's undistro, apko
// images), pins tags, and runs as a non-root user (Polaris runAsRootAllowed, kube-score
// container-security-context-user-group-id, hadolint DL3007 for :latest, DL3002 for USER root).
import { LineCounter, parseDocument } from 'yaml';
import type { Problem } from './lint-types.ts';

/** Bases built on Wolfi: Chainguard's registry, the Wolfi base images, and scratch (nothing to patch). */
export function isWolfiBase(image: string): boolean {
  const ref = image.toLowerCase();
  return (
    ref === 'scratch' ||
    ref.startsWith('cgr.dev/') ||
    /(^|\/)wolfi-base(:|@|$)/.test(ref) ||
    /(^|\/)chainguard\//.test(ref)
  );
}

/** `repo:tag@digest` => its tag (`latest` when neither tag nor digest is given). */
export function tagOf(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const last = image.split('/').pop() ?? image;
  const i = last.indexOf(':');
  return i < 0 ? 'latest' : last.slice(i + 1);
}

const isRoot = (user: string): boolean => /^(root|0)(:.*)?$/.test(user.trim());

export function lintDockerfile(content: string): Problem[] {
  const problems: Problem[] = [];
  // Continuation lines joined, each instruction keeps the line it starts on.
  const instructions: { line: number; op: string; args: string }[] = [];
  let pending: { line: number; text: string } | undefined;
  content.split('\n').forEach((raw, i) => {
    const text = raw.trimEnd();
    if (pending) pending.text += ` ${text.replace(/\\$/, '').trim()}`;
    else if (/^\s*#/.test(text) || text.trim() === '') return;
    else pending = { line: i + 1, text: text.replace(/\\$/, '').trim() };
    if (!text.endsWith('\\')) {
      const m = /^(\w+)\s*(.*)$/.exec(pending.text);
      if (m) instructions.push({ line: pending.line, op: (m[1] ?? '').toUpperCase(), args: m[2] ?? '' });
      pending = undefined;
    }
  });
  const stages = new Set<string>();
  let lastFrom = 0;
  let user: { line: number; value: string } | undefined;
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      const image = parts[0] ?? '';
      const alias = /\bAS\s+(\S+)/i.exec(ins.args)?.[1];
      lastFrom = ins.line;
      user = undefined;
      if (!stages.has(image.toLowerCase()) && !image.startsWith('$')) {
        if (!isWolfiBase(image))
          problems.push({
            check: 'iac.non-wolfi-base',
            severity: 'warning',
            line: ins.line,
            message: `FROM ${image} is not a Wolfi base image.`,
            fix: 'Build on cgr.dev/chainguard/wolfi-base (or a Chainguard image of the runtime), or assemble the image with apko.',
            evidence: { image },
          });
        if (tagOf(image) === 'latest' && image !== 'scratch')
          problems.push({
            check: 'iac.latest-tag',
            severity: 'warning',
            line: ins.line,
            message: `FROM ${image} uses the latest tag: builds are not reproducible.`,
            fix: 'Pin a version tag, better a digest (image@sha256:...).',
            evidence: { image },
          });
      }
      if (alias) stages.add(alias.toLowerCase());
    }
    if (ins.op === 'USER') user = { line: ins.line, value: ins.args.trim() };
  }
  if (lastFrom > 0) {
    if (!user)
      problems.push({
        check: 'iac.no-user',
        severity: 'warning',
        line: lastFrom,
        message:
          'The final stage sets no USER, so the container runs as root unless the base image says otherwise.',
        fix: 'Add USER 65532 (nonroot) after the last FROM.',
      });
    else if (isRoot(user.value))
      problems.push({
        check: 'iac.root-user',
        severity: 'critical',
        line: user.line,
        message: `The final stage runs as USER ${user.value}.`,
        fix: 'Run as a non-root user: USER 65532.',
        evidence: { user: user.value },
      });
  }
  return problems;
}

const WOLFI_REPOSITORIES = ['https://packages.wolfi.dev/os', 'https://apk.cgr.dev/chainguard'];

export function lintApko(content: string): Problem[] {
  const counter = new LineCounter();
  const doc = parseDocument(content, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0)
    return [
      {
        check: 'iac.parse-error',
        severity: 'critical',
        line: doc.errors[0]?.pos?.[0] !== undefined ? counter.linePos(doc.errors[0].pos[0]).line : 1,
        message: `The apko configuration does not parse: ${doc.errors[0]?.message.split('\n')[0] ?? 'syntax error'}.`,
        fix: 'Fix the YAML syntax.',
      },
    ];
  const line = (path: string[]): number => {
    const node = doc.getIn(path, true) as { range?: [number] } | undefined;
    return node?.range ? counter.linePos(node.range[0]).line : 1;
  };
  const problems: Problem[] = [];
  const repos = (doc.getIn(['contents', 'repositories']) as { toJSON(): unknown } | undefined)?.toJSON();
  for (const [i, repo] of (Array.isArray(repos) ? (repos as unknown[]) : []).entries()) {
    const url = String(repo).replace(/^@\S+\s+/, '');
    if (!WOLFI_REPOSITORIES.some((w) => url.startsWith(w)))
      problems.push({
        check: 'iac.non-wolfi-base',
        severity: 'warning',
        line: line(['contents', 'repositories', String(i)]),
        message: `apko repository ${url} is not a Wolfi repository.`,
        fix: `Use ${WOLFI_REPOSITORIES.join(' or ')}.`,
        evidence: { repository: url },
      });
  }
  const runAs = doc.getIn(['accounts', 'run-as']);
  if (runAs === undefined)
    problems.push({
      check: 'iac.no-user',
      severity: 'warning',
      line: line(['accounts']),
      message: 'The apko image sets no accounts.run-as, so it runs as root.',
      fix: 'Add accounts: { users: [{ username: nonroot, uid: 65532 }], run-as: 65532 }.',
    });
  else if (isRoot(String(runAs)))
    problems.push({
      check: 'iac.root-user',
      severity: 'critical',
      line: line(['accounts', 'run-as']),
      message: `The apko image runs as ${String(runAs)}.`,
      fix: 'run-as: 65532 (a non-root user declared in accounts.users).',
      evidence: { runAs: String(runAs) },
    });
  return problems;
}
