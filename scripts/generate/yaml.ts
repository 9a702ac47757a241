import { stringify } from 'yaml';
import { hashHeader } from './header.ts';

// Single quotes match the repository's Prettier style, so a generated file also passes format:check.
const OPTIONS = { lineWidth: 0, minContentWidth: 0, indent: 2, singleQuote: true } as const;

/** One YAML document, no header. Stable: key order as built, no line folding. */
export function toYaml(value: unknown): string {
  return stringify(value, OPTIONS);
}

/** A multi-document YAML file with the generated-file header. */
export function yamlFile(documents: readonly unknown[], extraHeader: readonly string[] = []): string {
  const body = documents.map((doc) => toYaml(doc)).join('---\n');
  return `${hashHeader(extraHeader)}${documents.length > 0 ? '---\n' : ''}${body}`;
}
