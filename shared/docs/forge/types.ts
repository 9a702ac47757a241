// One interface over GitHub and Gitea/Forgejo (Codeberg): the brief's GitHubDocsClient calls.
import type { Catalogue, Metadata } from '../types.ts';

export type ForgeKind = 'github' | 'gitea';

export interface ForgeEntry {
  type: 'file' | 'dir' | 'symlink' | 'submodule';
  name: string;
  /** Relative to the repository root. */
  path: string;
  /** Bytes (0 for folders). */
  size: number;
  /** The git object id. */
  sha: string;
  htmlUrl?: string;
  downloadUrl?: string;
}

export interface ForgeSearchHit {
  name: string;
  path: string;
  sha?: string;
  htmlUrl?: string;
}

export interface DocsForge {
  readonly kind: ForgeKind;
  /** docs/metadata.json, parsed (errors name the file and line). */
  getMetadata(): Promise<Metadata>;
  /** docs/catalogue.yaml, parsed (errors name the file, line and column). */
  getCatalogue(): Promise<Catalogue>;
  /** A file's text by path (any size: past the contents API's limit the raw endpoint is used). */
  getDocument(path: string): Promise<string>;
  /** A folder's entries; `recursive` lists the whole subtree through the git trees API (paged where the forge pages). */
  listDirectory(path?: string, options?: { recursive?: boolean }): Promise<ForgeEntry[]>;
  /** Markdown files matching `query`: GitHub's code search; Gitea/Forgejo (no code search API): file paths. */
  searchDocuments(query: string): Promise<ForgeSearchHit[]>;
}
