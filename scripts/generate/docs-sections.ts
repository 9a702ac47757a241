// Sections of README.md and docs/ that come from the code, so the docs cannot drift: the runtime's
// and the gateway's environment variables, the example bot (a real, typechecked, tested file), and
// the demo cluster's counts.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ENV_DOCS } from '../../shared/config/load.ts';
import { GATEWAY_ENV_DOCS } from '../../local/gateway/env-docs.ts';
import { demoCluster } from '../../local/demo-cluster/index.ts';
import type { Planted } from '../../local/demo-cluster/index.ts';

type EnvDoc = { name: string; default: string; meaning: string };

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function envTable(rows: readonly EnvDoc[]): string {
  return [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...rows.map((r) => {
      const def = r.default.startsWith('(') ? r.default : `\`${r.default}\``;
      return `| \`${r.name}\` | ${cell(def)} | ${cell(r.meaning)} |`;
    }),
  ].join('\n');
}

/** The demo cluster's size and plants, counted from the objects themselves (any date gives the same). */
export function demoCountsSentence(planted: readonly Planted[]): string {
  const objects = demoCluster(new Date('2026-06-01T12:00:00Z'));
  const count = (kind: string): number => objects.filter((o) => o.kind === kind).length;
  const found = planted.filter((p) => p.expect === 'found').length;
  const ignored = planted.length - found;
  return (
    `The demo cluster has ${count('Node')} nodes, ${count('Namespace')} namespaces, ${count('Pod')} pods, ` +
    `${count('Deployment')} Deployments, ${count('StatefulSet')} StatefulSets, ${count('DaemonSet')} DaemonSets, ` +
    `${count('CronJob')} CronJobs, ${count('Job')} Jobs and ${count('Service')} Services, and \`PLANTED\` lists ` +
    `${planted.length} entries: ${found} problems to find and ${ignored} look-alikes to leave alone.`
  );
}

/** The runbook index, from the pages themselves (title line and `Bot:` line), sorted by check id. */
async function runbookIndex(root: string): Promise<string> {
  const dir = join(root, 'docs', 'runbooks');
  const files = (await readdir(dir).catch(() => [] as string[])).filter(
    (f) => f.endsWith('.md') && f !== 'README.md',
  );
  const rows: string[] = [];
  for (const file of files.sort()) {
    const text = await readFile(join(dir, file), 'utf8');
    const title = /^# `([^`]+)`: (.+)$/m.exec(text);
    const bot = /^Bot: (\S+)/m.exec(text);
    if (title === null) continue;
    rows.push(`| [\`${title[1] ?? ''}\`](${file}) | ${bot?.[1] ?? ''} | ${cell(title[2] ?? '')} |`);
  }
  return ['| check | bot | page |', '|---|---|---|', ...rows].join('\n');
}

export async function docsSections(
  root: string,
  planted: readonly Planted[],
): Promise<Record<string, string>> {
  const sections: Record<string, string> = {
    'kit-env': envTable(ENV_DOCS),
    'gateway-env': envTable(GATEWAY_ENV_DOCS),
    'demo-counts': demoCountsSentence(planted),
    runbooks: await runbookIndex(root),
  };
  const example = await readFile(join(root, 'examples', 'eco-example-bot', 'handler.ts'), 'utf8').catch(
    () => undefined,
  );
  if (example !== undefined) {
    // The example's own header comment is for readers of the file, not of the docs.
    const body = example.replace(/^(\/\/.*\n)+/, '');
    sections['example-bot'] = [
      '```ts',
      '// functions/eco-example-bot/handler.ts',
      body.trimEnd(),
      '```',
    ].join('\n');
  }
  return sections;
}
