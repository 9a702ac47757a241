// `eco-bots docs …`: the brief's doc_scanner.py CLI (list, scan, read, stats, domain) over a
// documentation checkout at --path / DOCS_PATH / /opt/documentation, each with --json.
import { parseArgs } from 'node:util';
import { DocScanner, PRIORITIES, defaultDocsPath } from '../../shared/docs/index.ts';
import type { DocIndex, DocumentInfo } from '../../shared/docs/index.ts';
import { EXIT, UsageError } from './errors.ts';
import type { Io } from './io.ts';

export const DOCS_USAGE = `Usage: eco-bots docs <command> [options]

Commands:
  list [--domain D | --category C | --priority P | --bot B]
                          Documents matching one filter; no filter: the catalogue's initial scan order
  scan                    Every markdown file of the checkout (catalogued or not)
  read <id>               A document's text, by catalogue id or file stem (any case)
  stats                   metadata.json's statistics and the checkout's own counts
  domain <id>             A domain's entry in metadata.json (AXIS, PIPE, ECO, IV, ...)

Options:
  --path <dir>            The documentation checkout (env DOCS_PATH, default /opt/documentation)
  --json                  Machine-readable output

Problems in the checkout (a malformed catalogue, a symlink out) are warnings on stderr.
Exit codes: 0 ok, 1 failure (not found, unreadable checkout), 2 usage error.
`;

const SUBCOMMANDS = ['list', 'scan', 'read', 'stats', 'domain'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        path: { type: 'string' },
        json: { type: 'boolean', default: false },
        domain: { type: 'string' },
        category: { type: 'string' },
        priority: { type: 'string' },
        bot: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function writeJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function warn(io: Io, index: DocIndex): void {
  for (const problem of index.problems) io.stderr.write(`eco-bots: warning: ${problem.message}\n`);
}

function documentLines(docs: readonly DocumentInfo[]): string {
  const lines: string[] = [];
  for (const doc of docs) {
    lines.push(`  [${doc.id}] ${doc.title}`);
    lines.push(
      `      Priority: ${doc.priority} | Category: ${doc.category}${doc.domains.length > 0 ? ` | Domains: ${doc.domains.join(', ')}` : ''}`,
    );
    lines.push(`      Path: ${doc.path}${doc.present ? '' : ' (not in the checkout)'}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** `eco-bots docs <command>`; resolves with the exit code. Usage mistakes throw UsageError. */
export async function docsCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args);
  const [sub, ...operands] = positionals;
  if (values.help || sub === 'help') {
    io.stdout.write(DOCS_USAGE);
    return EXIT.ok;
  }
  if (sub === undefined) throw new UsageError(`docs needs a command: ${SUBCOMMANDS.join(', ')}`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw new UsageError(`unknown docs command "${sub}" (one of ${SUBCOMMANDS.join(', ')})`);
  const command = sub as Subcommand;
  const filters = (['domain', 'category', 'priority', 'bot'] as const).filter((f) => values[f] !== undefined);
  if (command !== 'list' && !(command === 'domain' && filters.length === 1 && filters[0] === 'domain')) {
    if (filters.length > 0) throw new UsageError(`--${filters[0]} is only for docs list`);
  }
  const maxOperands = command === 'read' || command === 'domain' ? 1 : 0;
  if (operands.length > maxOperands)
    throw new UsageError(
      `docs ${command} takes ${maxOperands === 0 ? 'no' : 'one'} argument, got "${operands.join(' ')}"`,
    );

  const json = values.json === true;
  const scanner = new DocScanner(values.path ?? defaultDocsPath(io.env));
  const index = await scanner.load();
  warn(io, index);

  switch (command) {
    case 'list': {
      if (filters.length > 1) throw new UsageError(`give one filter, got --${filters.join(', --')}`);
      const filter = filters[0];
      const value = filter === undefined ? undefined : (values[filter] ?? '');
      if (filter === 'priority' && ![...PRIORITIES, 'unknown'].includes(value?.toLowerCase() ?? ''))
        throw new UsageError(
          `--priority must be one of ${[...PRIORITIES, 'unknown'].join(', ')}, got "${value}"`,
        );
      const docs =
        filter === 'domain'
          ? await scanner.getDocumentsByDomain(value ?? '')
          : filter === 'category'
            ? await scanner.getDocumentsByCategory(value ?? '')
            : filter === 'priority'
              ? await scanner.getDocumentsByPriority(value ?? '')
              : filter === 'bot'
                ? await scanner.getDocumentsForBot(value ?? '')
                : await scanner.getInitialScanDocuments();
      if (json) {
        writeJson(io, docs);
        return EXIT.ok;
      }
      const heading =
        filter === undefined
          ? 'Initial scan documents'
          : filter === 'domain'
            ? `Documents for domain '${value?.toUpperCase()}'`
            : filter === 'bot'
              ? `Documents for bot '${value}'`
              : `Documents with ${filter} '${value}'`;
      io.stdout.write(
        `${heading}:\n${documentLines(docs)}${docs.length} document${docs.length === 1 ? '' : 's'}\n`,
      );
      return EXIT.ok;
    }
    case 'scan': {
      const docs = await scanner.scanAllDocuments();
      if (json) {
        writeJson(io, docs);
        return EXIT.ok;
      }
      io.stdout.write(`Found ${docs.length} documents in ${index.root}:\n`);
      for (const doc of docs)
        io.stdout.write(
          `  - ${doc.title} (${doc.sizeLines ?? 0} lines, ${doc.sizeBytes ?? 0} bytes)  ${doc.path}\n`,
        );
      return EXIT.ok;
    }
    case 'read': {
      const id = operands[0];
      if (id === undefined) throw new UsageError('docs read needs a document id');
      const doc = await scanner.findDocument(id);
      const content = await scanner.readDocument(id);
      if (doc === undefined || content === undefined) {
        io.stderr.write(`eco-bots: no document "${id}" (a catalogue id or a file stem)\n`);
        return EXIT.failure;
      }
      if (json) writeJson(io, { ...doc, content });
      else io.stdout.write(content.endsWith('\n') ? content : `${content}\n`);
      return EXIT.ok;
    }
    case 'stats': {
      const stats = await scanner.getStatistics();
      if (json) {
        writeJson(io, stats);
        return EXIT.ok;
      }
      const lines = ['Repository statistics (metadata.json):'];
      if (stats.declared === undefined) lines.push('  (metadata.json not loaded)');
      for (const [key, value] of Object.entries(stats.declared ?? {}))
        lines.push(`  ${key}: ${String(value)}`);
      const s = stats.scanned;
      lines.push('Checkout:');
      lines.push(
        `  documents: ${s.documents} (${s.catalogued} catalogued, ${s.uncatalogued} not in the catalogue)`,
      );
      lines.push(`  listed but missing: ${s.missing}`);
      lines.push(`  size: ${s.totalBytes} bytes, ${s.totalLines} lines`);
      const counts = (record: Record<string, number>): string =>
        Object.entries(record)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none';
      lines.push(`  by domain: ${counts(s.byDomain)}`);
      lines.push(`  by category: ${counts(s.byCategory)}`);
      lines.push(`  by priority: ${counts(s.byPriority)}`);
      io.stdout.write(`${lines.join('\n')}\n`);
      return EXIT.ok;
    }
    case 'domain': {
      const id = operands[0] ?? values.domain;
      if (id === undefined) throw new UsageError('docs domain needs a domain id, e.g. ECO');
      const info = await scanner.getDomainInfo(id);
      if (info === undefined) {
        io.stderr.write(`eco-bots: no domain "${id.toUpperCase()}" in metadata.json\n`);
        return EXIT.failure;
      }
      if (json) {
        writeJson(io, info);
        return EXIT.ok;
      }
      io.stdout.write(
        [
          `Domain: ${info.name ?? info.id} (${info.id})`,
          ...(info.purpose !== undefined ? [`  Purpose: ${info.purpose}`] : []),
          ...(info.botsCount !== undefined ? [`  Bots: ${info.botsCount}`] : []),
          `  Key bots: ${info.keyBots.join(', ') || 'none'}`,
          `  Documents in the checkout: ${info.documentCount}`,
        ].join('\n') + '\n',
      );
      return EXIT.ok;
    }
  }
}
