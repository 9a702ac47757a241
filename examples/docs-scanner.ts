// The brief's DocScanner examples ("Workflow 1: New Bot Deployment" and "Python API Usage") in
// TypeScript. Run: `npx tsx examples/docs-scanner.ts [checkout]` (default DOCS_PATH, else
// /opt/documentation). The same from the CLI:
//   eco-bots docs list --domain ECO --path /opt/documentation
//   eco-bots docs list --category infrastructure
//   eco-bots docs read eco-domain-architecture
import { pathToFileURL } from 'node:url';
import { DocScanner, defaultDocsPath } from '../shared/docs/index.ts';

/** Workflow 1, my_eco_bot.py: load the ECO documents and say how many there are. */
export async function workflow1(checkout: string = defaultDocsPath()): Promise<string> {
  const scanner = new DocScanner(checkout);
  const ecoDocs = await scanner.getDocumentsByDomain('ECO');
  return `Loaded ${ecoDocs.length} ECO docs`;
}

/** Python API Usage, DocScanner: ECO documents, infrastructure documents, one document by id. */
export async function pythonApiUsage(checkout: string = defaultDocsPath()): Promise<string[]> {
  // Initialize
  const scanner = new DocScanner(checkout);

  // Get ECO documents
  const ecoDocs = await scanner.getDocumentsByDomain('ECO');
  const lines = [`Found ${ecoDocs.length} ECO documents`];

  // Get infrastructure docs
  const infraDocs = await scanner.getDocumentsByCategory('infrastructure');
  lines.push(`Found ${infraDocs.length} infrastructure documents`);

  // Read specific document (a file stem, compared case-insensitively)
  const content = await scanner.readDocument('eco-domain-architecture');
  lines.push(content === undefined ? 'eco-domain-architecture: not found' : (content.split('\n')[0] ?? ''));
  return lines;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const checkout = process.argv[2] ?? defaultDocsPath();
  console.log(await workflow1(checkout));
  for (const line of await pythonApiUsage(checkout)) console.log(line);
}
