// The registry retention plan (eco-registry-bot, eco-cache-bot): what it deletes and, above all, what it never deletes.
import { describe, expect, it } from 'vitest';
import { digestsToDelete, inUseFrom, planRepository, type TagInfo } from '../../../shared/oci/retention.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const dg = (c: string): string => `sha256:${c.repeat(64)}`;
const tag = (
  name: string,
  daysOld: number | undefined,
  digest = dg(name[0]!),
  childDigests: string[] = [],
): TagInfo => ({
  repository: 'apps/web',
  tag: name,
  digest,
  childDigests,
  created: daysOld === undefined ? undefined : new Date(NOW.getTime() - daysOld * DAY).toISOString(),
  bytes: 1000,
});
const policy = { keepLast: 2, retentionMs: 30 * DAY };
const none = { tags: new Set<string>(), digests: new Set<string>() };
const verdicts = (plan: ReturnType<typeof planRepository>): Record<string, string> =>
  Object.fromEntries(plan.map((t) => [t.tag, t.verdict.action === 'delete' ? 'delete' : t.verdict.reason]));

describe('planRepository', () => {
  it('keeps the newest N and young tags, deletes old ones', () => {
    const plan = planRepository(
      [tag('a', 100), tag('b', 90), tag('c', 60), tag('d', 10), tag('e', 40)],
      none,
      policy,
      NOW,
    );
    expect(verdicts(plan)).toEqual({ d: 'newest', e: 'newest', c: 'delete', b: 'delete', a: 'delete' });
  });

  it('never deletes a tag in use, nor a digest a pod runs, nor a child of a running index', () => {
    const inUse = { tags: new Set(['apps/web:a']), digests: new Set([dg('b'), dg('9')]) };
    const plan = planRepository(
      [tag('a', 100), tag('b', 90), tag('c', 80, dg('c'), [dg('9')]), tag('x', 70), tag('y', 1), tag('z', 2)],
      inUse,
      policy,
      NOW,
    );
    expect(verdicts(plan)).toEqual({
      a: 'in-use-tag',
      b: 'in-use-digest',
      c: 'in-use-digest',
      x: 'delete',
      y: 'newest',
      z: 'newest',
    });
  });

  it('keeps a digest when another tag on it is kept (Distribution deletes the manifest, not the tag)', () => {
    const shared = dg('s');
    const plan = planRepository(
      [tag('old', 100, shared), tag('new', 1, shared), tag('n2', 2), tag('o2', 200)],
      none,
      policy,
      NOW,
    );
    expect(verdicts(plan)).toEqual({ new: 'newest', n2: 'newest', old: 'shared-digest', o2: 'delete' });
  });

  it('keeps tags without a creation date', () => {
    expect(
      verdicts(planRepository([tag('a', undefined), tag('b', 1), tag('c', 2)], none, policy, NOW)),
    ).toEqual({
      a: 'no-date',
      b: 'newest',
      c: 'newest',
    });
  });

  it('one DELETE per digest, naming every tag on it', () => {
    const twice = dg('t');
    const plan = planRepository(
      [tag('t1', 100, twice), tag('t2', 100, twice), tag('n1', 1), tag('n2', 2)],
      none,
      policy,
      NOW,
    );
    expect(digestsToDelete(plan)).toEqual([
      { repository: 'apps/web', digest: twice, tags: ['t1', 't2'], bytes: 1000 },
    ]);
  });
});

describe('inUseFrom', () => {
  it('collects tags and digests of this registry only', () => {
    const used = inUseFrom(
      [
        { image: '127.0.0.1:5000/apps/web:v1', imageID: `127.0.0.1:5000/apps/web@${dg('1')}` },
        { image: `127.0.0.1:5000/apps/api@${dg('2')}` },
        { image: '127.0.0.1:5000/apps/old' },
        { image: 'nginx:1.27', imageID: `docker.io/library/nginx@${dg('3')}` },
        { image: 'Bad Ref' },
      ],
      '127.0.0.1:5000',
    );
    expect([...used.tags].sort()).toEqual(['apps/old:latest', 'apps/web:v1']);
    expect([...used.digests].sort()).toEqual([dg('1'), dg('2')]);
  });
});
