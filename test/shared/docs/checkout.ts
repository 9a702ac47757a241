// A small documentation checkout in the brief's layout (docs/catalogue.yaml, docs/metadata.json,
// markdown under docs/), shaped after the bsw-arch repository's index files, written to a temp dir.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CATALOGUE = `# Documentation catalogue (test checkout)
version: "1.0.0"
repository:
  name: "team-docs"
  url: "https://forge.example/team/team-docs"
documents:
  - id: "arch-001"
    title: "Fleet Architecture Overview"
    path: "docs/architecture/FLEET-ARCHITECTURE.md"
    category: "architecture"
    priority: "critical"
    topics: ["fleet", "multi-domain"]
    domains: ["AXIS", "ECO"]
    bot_relevance: ["eco-monitoring-bot", "axis-docs-bot"]
  - id: "infra-001"
    title: "Cluster Infrastructure"
    path: "docs/infrastructure/CLUSTER.md"
    category: "infrastructure"
    priority: "high"
    topics: ["opentofu", "cleanup.job-finished"]
    domains: ["ECO"]
    bot_relevance: ["eco-cleanup-bot"]
  - id: "proc-001"
    title: "Docs Access Process"
    path: "docs/processes/access.md"
    category: "processes"
    priority: "medium"
    bot_relevance: ["pipe-build-bot"]
  - id: "ref-404"
    title: "A Listed Document That Is Not Checked Out"
    path: "docs/reference/MISSING.md"
    category: "reference"
    priority: "low"
scanning_recommendations:
  initial_scan:
    order:
      - "arch-001"
      - "proc-001"
      - "infra-001"
`;

export const METADATA = `{
  "repository": { "name": "team-docs", "version": "1.0.0" },
  "statistics": { "total_documents": 6, "bots_supported": 49, "domains": 4 },
  "domains": [
    { "id": "ECO", "name": "Ecological Domain", "bots_count": 49,
      "purpose": "Sustainability, resource optimisation, monitoring",
      "key_bots": ["eco-monitoring-bot", "eco-cleanup-bot"] },
    { "id": "PIPE", "name": "Pipeline Domain", "bots_count": 48, "purpose": "CI/CD", "key_bots": [] }
  ]
}
`;

export const FILES: Record<string, string> = {
  'docs/INDEX.md': '# Team Documentation Index\n\nStart here.\n',
  'docs/architecture/FLEET-ARCHITECTURE.md': '# Fleet Architecture\n\nThree tiers.\n',
  'docs/architecture/domains/ECO/ECO-DOMAIN-ARCHITECTURE.md':
    '# ECO Domain Architecture\n\n> Infrastructure, resource optimisation, monitoring.\n\n## Tiers\n',
  'docs/infrastructure/CLUSTER.md': '# Cluster\n',
  'docs/processes/access.md': '---\ntitle: How bots read the docs\n---\nBody without a heading.\n',
  'docs/guides/PIPE-BUILD-GUIDE.md': '```md\n# not a title\n```\n# PIPE Build Guide\n',
  'docs/guides/tagged.md':
    '---\ndomain: eco\npriority: High\ncategory: guides\nbots: [eco-scaler-bot]\ntags: [scaling]\n---\n# Tagged\n',
  'docs/runbooks/monitoring.node-cpu.md': '# Node CPU high (team runbook)\n',
};

export interface Checkout {
  root: string;
  write(relative: string, content: string): Promise<void>;
  remove(): Promise<void>;
}

/** A fresh checkout; the caller removes it. */
export async function makeCheckout(
  options: { catalogue?: string | null; metadata?: string | null; files?: Record<string, string> } = {},
): Promise<Checkout> {
  const root = await mkdtemp(path.join(tmpdir(), 'eco-docs-'));
  const write = async (relative: string, content: string): Promise<void> => {
    const file = path.join(root, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  };
  const catalogue = options.catalogue === undefined ? CATALOGUE : options.catalogue;
  const metadata = options.metadata === undefined ? METADATA : options.metadata;
  if (catalogue !== null) await write('docs/catalogue.yaml', catalogue);
  if (metadata !== null) await write('docs/metadata.json', metadata);
  for (const [relative, content] of Object.entries(options.files ?? FILES)) await write(relative, content);
  return { root, write, remove: () => rm(root, { recursive: true, force: true }) };
}
