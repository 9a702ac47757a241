import type { Bot } from '../../shared/bot/index.ts';
import { triggerList } from '../gateway/index.ts';
import type { Io } from './io.ts';

/** `eco-bots list`: the fleet as declared, one line per bot (or JSON). */
export function listCommand(bots: readonly Bot[], json: boolean, io: Io): number {
  if (json) {
    const rows = bots.map((bot) => ({
      name: bot.name,
      category: bot.category,
      tier: bot.tier,
      mutates: bot.mutates,
      triggers: bot.triggers,
      summary: bot.summary,
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const header = ['BOT', 'CATEGORY', 'TIER', 'MUTATES', 'TRIGGERS'];
  const rows = bots.map((bot) => [
    bot.name,
    bot.category,
    bot.tier,
    bot.mutates ? 'yes' : 'no',
    triggerList(bot).join('; '),
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  io.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  io.stdout.write(`${bots.length} bots\n`);
  return 0;
}
