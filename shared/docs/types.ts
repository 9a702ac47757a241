// The documentation repository's index formats (docs/catalogue.yaml, docs/metadata.json) as the
// brief's DocScanner reads them, and the scanner's own merged view of a document.

/** The brief's priorities; a scanned document without one is `unknown`. */
export const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** The domains the brief names; a checkout's metadata.json may add more. */
export const DEFAULT_DOMAINS: readonly string[] = ['AXIS', 'PIPE', 'ECO', 'IV'];

/** One entry of catalogue.yaml's `documents`, as written (snake_case kept, extra fields kept). */
export interface CatalogueEntry {
  id: string;
  title?: string;
  path: string;
  category?: string;
  priority?: string;
  topics?: string[];
  domains?: string[];
  bot_relevance?: string[];
  [field: string]: unknown;
}

export interface Catalogue {
  version?: string;
  repository?: { name?: string; url?: string; [field: string]: unknown };
  documents: CatalogueEntry[];
  categories?: Record<string, unknown>;
  scanning_recommendations?: {
    initial_scan?: { order?: string[]; [field: string]: unknown };
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface MetadataDomain {
  id: string;
  name?: string;
  purpose?: string;
  bots_count?: number;
  key_bots?: string[];
  [field: string]: unknown;
}

export interface Metadata {
  repository?: Record<string, unknown>;
  statistics?: Record<string, unknown>;
  domains?: MetadataDomain[];
  [field: string]: unknown;
}

/** Where a document's record came from. */
export type DocumentSource = 'catalogue' | 'scan' | 'catalogue+scan';

/** One document: a catalogue entry, a markdown file found by the scan, or both merged. */
export interface DocumentInfo {
  /** The catalogue id, else the file stem (e.g. `ECO-DOMAIN-ARCHITECTURE`). */
  id: string;
  title: string;
  /** Relative to the checkout, `/`-separated (e.g. `docs/architecture/domains/ECO/x.md`). */
  path: string;
  category: string;
  priority: Priority | 'unknown';
  /** Upper-case domain ids. */
  domains: string[];
  topics: string[];
  botRelevance: string[];
  source: DocumentSource;
  /** False for a catalogue entry whose file is not in the checkout. */
  present: boolean;
  sizeBytes?: number;
  sizeLines?: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256?: string;
  /** ISO 8601, from the file's mtime. */
  lastModified?: string;
  /** The catalogue entry as written, for fields the scanner does not interpret (use_cases, notes). */
  catalogue?: CatalogueEntry;
}

/** Something wrong in the checkout that did not stop the scan (a bad catalogue, an unreadable file). */
export interface DocsProblem {
  code: string;
  file?: string;
  message: string;
}

/** Everything one load of a checkout found. */
export interface DocIndex {
  root: string;
  documents: DocumentInfo[];
  catalogue: Catalogue | undefined;
  metadata: Metadata | undefined;
  problems: DocsProblem[];
}

export interface DomainInfo {
  id: string;
  name?: string;
  purpose?: string;
  botsCount?: number;
  keyBots: string[];
  /** Documents of the checkout in this domain (catalogue and scan). */
  documentCount: number;
}

export interface DocStatistics {
  /** metadata.json's `statistics`, as written; absent when metadata.json did not load. */
  declared?: Record<string, unknown>;
  /** Counted from the checkout. */
  scanned: {
    documents: number;
    catalogued: number;
    uncatalogued: number;
    /** Catalogue entries whose file is not in the checkout. */
    missing: number;
    totalBytes: number;
    totalLines: number;
    byCategory: Record<string, number>;
    byDomain: Record<string, number>;
    byPriority: Record<string, number>;
  };
}
