// Errors of the documentation helpers. Each names the file (relative to the checkout) and, for a
// parse error, the line and column, so one line on a terminal says what to fix and where.

export type DocsErrorCode =
  | 'file-missing'
  | 'file-unreadable'
  | 'parse-error'
  | 'invalid-shape'
  | 'path-outside-checkout'
  | 'checkout-missing';

export interface DocsErrorOptions {
  file?: string;
  line?: number;
  column?: number;
  cause?: unknown;
}

export class DocsError extends Error {
  override name = 'DocsError';
  readonly code: DocsErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: DocsErrorCode, problem: string, options: DocsErrorOptions = {}) {
    super(
      `${location(options)}${problem}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
  }
}

function location(options: DocsErrorOptions): string {
  if (options.file === undefined) return '';
  if (options.line === undefined) return `${options.file}: `;
  return `${options.file}:${options.line}${options.column === undefined ? '' : `:${options.column}`}: `;
}

export function isDocsError(value: unknown): value is DocsError {
  return (
    value instanceof DocsError || (value instanceof Error && value.name === 'DocsError' && 'code' in value)
  );
}
