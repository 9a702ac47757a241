import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { applySections, readmeSections } from '../../scripts/generate/readme.ts';
import { bots } from '../../functions/index.generated.ts';

describe('README bot tables generated from the declarations', () => {
  const sections = readmeSections({ bots, handlerFiles: [] });

  it('lists every bot with its category, tier and triggers, and every variable a bot declares', () => {
    for (const bot of bots) {
      expect(sections['bots']).toContain(`| \`${bot.name}\` | ${bot.category} | ${bot.tier} |`);
      for (const spec of Object.values(bot.settings ?? {}))
        expect(
          (sections['bot-env'] ?? '')
            .split('\n')
            .some((row) => row.startsWith(`| \`${spec.env}\` |`) && row.includes(`\`${bot.name}\``)),
          `${spec.env} of ${bot.name}`,
        ).toBe(true);
    }
    expect(sections['bots']).toContain(`${bots.length} of the catalogue's 49 bots`);
  });

  it('replaces only the text between the markers and refuses a README without them', () => {
    const text =
      'intro\n<!-- generated:bots:start (npm run generate) -->\nold\n<!-- generated:bots:end -->\noutro\n';
    const out = applySections(text, { bots: 'new table' });
    expect(out).toBe(
      'intro\n<!-- generated:bots:start (npm run generate) -->\nnew table\n<!-- generated:bots:end -->\noutro\n',
    );
    expect(() => applySections('no markers', { bots: 'x' })).toThrow(/bots/);
  });

  it('is what the committed README holds', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const bot of bots) expect(readme).toContain(`\`${bot.name}\``);
  });
});
