import { describe, expect, it } from 'vitest';
import { checkCopy, planMoves } from '../../functions/eco-archive-bot/plan.ts';
import type { ObjectHead } from '../../shared/storage/index.ts';

const now = new Date('2026-12-04T12:00:00Z');
const obj = (key: string, days: number, size = 10) => ({
  key,
  size,
  lastModified: new Date(now.getTime() - days * 86_400_000),
});
const options = {
  now,
  olderThanDays: 30,
  folderPrefixes: ['backups/'],
  objectPrefixes: ['reports/'],
  coldPrefix: 'cold/',
};

describe('archive plan', () => {
  it('moves old backup folders as one unit and old reports one by one', () => {
    const moves = planMoves(
      [
        obj('backups/nightly-20261001020000/archive.tar.gz', 64),
        obj('backups/nightly-20261001020000/manifest.json', 64),
        obj('backups/nightly-20261203020000/archive.tar.gz', 1),
        obj('backups/nightly-20261203020000/manifest.json', 1),
        obj('reports/eco-cost-bot/2026-10.json', 40),
        obj('reports/eco-cost-bot/2026-12.json', 3),
        obj('cold/backups/old/archive.tar.gz', 400),
        obj('other/file', 400),
      ],
      options,
    );
    expect(moves.map((m) => [m.unit, m.ageDays, m.objects.map((o) => o.cold)])).toEqual([
      [
        'backups/nightly-20261001020000/',
        64,
        [
          'cold/backups/nightly-20261001020000/archive.tar.gz',
          'cold/backups/nightly-20261001020000/manifest.json',
        ],
      ],
      ['reports/eco-cost-bot/2026-10.json', 40, ['cold/reports/eco-cost-bot/2026-10.json']],
    ]);
  });

  it('judges a folder by its newest file', () => {
    const moves = planMoves(
      [obj('backups/b/archive.tar.gz', 60), obj('backups/b/manifest.json', 2)],
      options,
    );
    expect(moves).toEqual([]);
  });
});

describe('copy verification', () => {
  const head = (sha256: string | undefined, size = 10): ObjectHead => ({
    key: 'k',
    size,
    lastModified: now,
    sha256,
    contentType: undefined,
    metadata: {},
  });
  const sha = 'a'.repeat(64);
  it.each([
    [head(sha), head(sha), { ok: true }],
    [head(sha), undefined, { ok: false, reason: 'the copy is not there' }],
    [head(sha), head('b'.repeat(64)), { ok: false }],
    [head(sha), head(sha, 9), { ok: false }],
    [
      head(undefined),
      head(undefined),
      { ok: false, reason: 'the hot object has no recorded sha256 to verify against' },
    ],
  ] as Array<[ObjectHead, ObjectHead | undefined, Record<string, unknown>]>)(
    '%#',
    (source, copy, expected) => {
      expect(checkCopy(source, copy)).toMatchObject(expected);
    },
  );
});
