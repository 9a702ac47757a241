// What the scanner reads from one markdown file: optional YAML front matter and the title (front
// matter `title`, else the first `# ` heading outside a code fence).
import { parse } from 'yaml';

export interface MarkdownInfo {
  title: string | undefined;
  frontMatter: Record<string, unknown>;
  /** Set when the front matter is not valid YAML (the rest of the file is still read). */
  frontMatterError?: string;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

export function readMarkdown(content: string): MarkdownInfo {
  const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  let frontMatter: Record<string, unknown> = {};
  let frontMatterError: string | undefined;
  let body = text;
  const match = FRONT_MATTER.exec(text);
  if (match) {
    body = text.slice(match[0].length);
    try {
      const parsed: unknown = parse(match[1] ?? '');
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        frontMatter = parsed as Record<string, unknown>;
    } catch (error) {
      frontMatterError = ((error as Error).message.split('\n')[0] ?? 'invalid YAML').trim();
    }
  }
  const declared = frontMatter['title'];
  const title = typeof declared === 'string' && declared.trim() !== '' ? declared.trim() : firstHeading(body);
  return { title, frontMatter, ...(frontMatterError !== undefined ? { frontMatterError } : {}) };
}

function firstHeading(body: string): string | undefined {
  let fence: string | undefined;
  for (const line of body.split(/\r?\n/)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (heading?.[1] !== undefined) return heading[1].trim();
  }
  return undefined;
}

/** Lines as a reader counts them: a final newline does not start another line. */
export function countLines(content: string): number {
  if (content === '') return 0;
  const lines = content.split(/\r\n|\r|\n/).length;
  return /(\r\n|\r|\n)$/.test(content) ? lines - 1 : lines;
}
