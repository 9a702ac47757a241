// The README's bot tables come from the declarations too: the text between
// `<!-- generated:NAME:start -->` and `<!-- generated:NAME:end -->` is owned by this module.
import { allowedText, defaultText } from '../../shared/settings/spec.ts';
import type { Bot } from '../../shared/bot/types.ts';
import type { Planted } from '../../local/demo-cluster/planted.ts';
import type { Fleet } from './types.ts';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function triggers(bot: Bot): string {
  const out: string[] = [];
  const t = bot.triggers;
  if (t.http) out.push('HTTP');
  if (t.cron !== undefined) out.push(`cron \`${t.cron}\``);
  for (const type of t.events ?? []) out.push(`event \`${type}\``);
  if (t.alerts !== undefined && t.alerts.length > 0)
    out.push(`alerts ${t.alerts.map((a) => `\`${a}\``).join(', ')}`);
  return out.join(', ');
}

function botsTable(bots: readonly Bot[]): string {
  const rows = bots.map(
    (bot) =>
      `| \`${bot.name}\` | ${bot.category} | ${bot.tier} | ${triggers(bot)} | ${bot.mutates ? 'yes (safety rails)' : 'no'} | ${cell(bot.summary)} |`,
  );
  return [
    `${bots.length} of the catalogue's 49 bots are built so far.`,
    '',
    '| bot | category | tier | woken by | mutates | what it does |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * One row per variable and meaning: a setting several bots share (PROMETHEUS_URL, the price book)
 * is listed once with every bot that reads it, a bot's own setting names that bot.
 */
function botEnvTable(bots: readonly Bot[]): string {
  const rows = new Map<string, { env: string; bots: string[]; line: string }>();
  for (const bot of bots) {
    for (const spec of Object.values(bot.settings ?? {})) {
      const line = `${cell(defaultText(spec))} | ${cell(allowedText(spec))} | ${cell(spec.meaning)}`;
      const key = `${spec.env}\u0000${line}`;
      const row = rows.get(key) ?? { env: spec.env, bots: [], line };
      row.bots.push(bot.name);
      rows.set(key, row);
    }
  }
  const sorted = [...rows.values()].sort(
    (a, b) => a.env.localeCompare(b.env) || a.line.localeCompare(b.line),
  );
  return [
    '| variable | bots | default | allowed | meaning |',
    '|---|---|---|---|---|',
    ...sorted.map((r) => `| \`${r.env}\` | ${r.bots.map((b) => `\`${b}\``).join(', ')} | ${r.line} |`),
  ].join('\n');
}

function plantedTable(planted: readonly Planted[], built: ReadonlySet<string>): string {
  const rows = planted.map((p) => {
    const where = p.object.namespace === undefined ? p.object.name : `${p.object.namespace}/${p.object.name}`;
    const bot = built.has(p.bot) ? `\`${p.bot}\`` : `\`${p.bot}\` (to come)`;
    return `| ${p.category} | ${bot} | \`${p.check}\` | ${p.object.kind} ${where} | ${cell(p.description)} | ${p.expect === 'found' ? 'find' : 'leave alone'} |`;
  });
  return [
    `${planted.filter((p) => p.expect === 'found').length} problems planted and ${planted.filter((p) => p.expect === 'ignored').length} look-alikes the bots must leave alone (\`PLANTED\` in \`local/demo-cluster/planted.ts\`):`,
    '',
    '| category | bot | check | object | what is planted | the bot should |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function readmeSections(fleet: Fleet, planted: readonly Planted[] = []): Record<string, string> {
  const bots = [...fleet.bots].sort((a, b) => a.name.localeCompare(b.name));
  const sections: Record<string, string> = { bots: botsTable(bots), 'bot-env': botEnvTable(bots) };
  if (planted.length > 0) sections['planted'] = plantedTable(planted, new Set(bots.map((b) => b.name)));
  return sections;
}

/** Only the sections whose markers a document has (docs/ pages carry a few of them). */
export function presentSections(text: string, sections: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(sections).filter(([name]) => text.includes(`<!-- generated:${name}:start`)),
  );
}

/** Replaces each generated section's body; a section marker pair missing from the text is an error. */
export function applySections(text: string, sections: Record<string, string>): string {
  let out = text;
  for (const [name, body] of Object.entries(sections)) {
    const start = `<!-- generated:${name}:start (npm run generate) -->`;
    const end = `<!-- generated:${name}:end -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from)
      throw new Error(`README.md lacks the markers of the generated section "${name}"`);
    out = `${out.slice(0, from + start.length)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}
