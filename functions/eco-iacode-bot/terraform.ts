// .tf files: providers of the FAGAM clouds (and HashiCorp Vault: the platform uses OpenBao), and
// `terraform {}` blocks that tie state to HashiCorp (the `cloud` block, the `remote` backend) or to a
// FAGAM object store. A line scanner over HCL: blocks are found by their headers, comments skipped.
import { normaliseProvider, prohibitedProvider } from '../../shared/index.ts';
import type { Problem } from './lint-types.ts';

const FAGAM_BACKENDS: Readonly<Record<string, string>> = {
  s3: 'Amazon S3',
  gcs: 'Google Cloud Storage',
  azurerm: 'Azure Blob Storage',
  remote: 'HashiCorp Terraform Cloud/Enterprise',
};

export { normaliseProvider } from '../../shared/index.ts';
export const prohibited = prohibitedProvider;

/** Strips `#` and `//` comments outside strings (enough for block headers and attributes). */
function code(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && line[i - 1] !== '\\') inString = !inString;
    if (!inString && (c === '#' || (c === '/' && line[i + 1] === '/'))) return line.slice(0, i);
  }
  return line;
}

export function lintTerraform(content: string): Problem[] {
  const problems: Problem[] = [];
  const lines = content.split('\n');
  let inBlockComment = false;
  let inTerraform = 0;
  let depth = 0;
  const seen = new Set<string>();
  const report = (p: Problem): void => {
    const key = `${p.check}:${p.line}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  };
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    let line = raw;
    if (inBlockComment) {
      const end = line.indexOf('*/');
      if (end < 0) return;
      line = line.slice(end + 2);
      inBlockComment = false;
    }
    const start = line.indexOf('/*');
    if (start >= 0 && line.indexOf('*/', start) < 0) {
      line = line.slice(0, start);
      inBlockComment = true;
    }
    line = code(line);
    const provider = /^\s*provider\s+"([^"]+)"/.exec(line);
    if (provider?.[1] && prohibited(provider[1]))
      report({
        check: 'iac.prohibited-provider',
        severity: 'critical',
        line: lineNo,
        message: `provider "${provider[1]}" (${prohibited(provider[1]) ?? ''}) is prohibited on this platform.`,
        fix: "Remove it; use the platform's own providers (kubernetes, helm, OpenBao via its provider).",
        evidence: { provider: normaliseProvider(provider[1]) },
      });
    const source = /\bsource\s*=\s*"([^"]+)"/.exec(line);
    if (source?.[1] && prohibited(source[1]))
      report({
        check: 'iac.prohibited-provider',
        severity: 'critical',
        line: lineNo,
        message: `required provider "${source[1]}" (${prohibited(source[1]) ?? ''}) is prohibited on this platform.`,
        fix: 'Remove it from required_providers.',
        evidence: { provider: normaliseProvider(source[1]) },
      });
    const resource = /^\s*(?:resource|data)\s+"([a-z0-9]+)_[^"]*"\s+"[^"]*"/.exec(line);
    if (resource?.[1] && prohibited(resource[1]))
      report({
        check: 'iac.prohibited-provider',
        severity: 'critical',
        line: lineNo,
        message: `${line.trim().split(/\s+/)[0] ?? 'resource'} of provider "${resource[1]}" (${prohibited(resource[1]) ?? ''}) is prohibited on this platform.`,
        fix: 'Remove the resource or replace it with a platform resource.',
        evidence: { provider: normaliseProvider(resource[1]) },
      });
    if (/^\s*terraform\s*\{/.test(line)) inTerraform = depth + 1;
    if (inTerraform > 0) {
      if (/^\s*cloud\s*\{/.test(line))
        report({
          check: 'iac.hashicorp-backend',
          severity: 'critical',
          line: lineNo,
          message:
            'The terraform { cloud {} } block keeps state and runs in HashiCorp Terraform Cloud, which OpenTofu does not support.',
          fix: 'Use an OpenTofu backend on the platform (kubernetes, pg, or http to its own service).',
          evidence: { block: 'cloud' },
        });
      const backend = /^\s*backend\s+"([^"]+)"/.exec(line);
      if (backend?.[1] && FAGAM_BACKENDS[backend[1]])
        report({
          check: 'iac.hashicorp-backend',
          severity: 'critical',
          line: lineNo,
          message: `backend "${backend[1]}" keeps state in ${FAGAM_BACKENDS[backend[1]] ?? ''}.`,
          fix: 'Use the kubernetes or pg backend on the platform.',
          evidence: { backend: backend[1] },
        });
    }
    for (const c of line) {
      if (c === '{') depth++;
      if (c === '}') {
        depth--;
        if (inTerraform > 0 && depth < inTerraform) inTerraform = 0;
      }
    }
  });
  return problems;
}
