import { describe, expect, it } from 'vitest';
import bot, { cleanupConfig, scannedKinds } from '../../functions/eco-cleanup-bot/handler.ts';
import { decide, formatAge, type CleanupConfig } from '../../functions/eco-cleanup-bot/rules.ts';
import { noticeName } from '../../functions/eco-cleanup-bot/notice.ts';
import { readSettings } from '../../shared/settings/read.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { RbacRule } from '../../shared/bot/types.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const D = 86_400_000;
const config: CleanupConfig = {
  jobTtlMs: 7 * D,
  podAgeMs: D,
  replicaSetAgeMs: 7 * D,
  rules: new Set(['ttl', 'jobs', 'pods', 'replicasets']),
};
const iso = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString();

describe('cleanup decisions', () => {
  it('lets an object’s own ttl override the kind rules, both ways', () => {
    const oldJob: KubeObject = {
      metadata: { name: 'j', creationTimestamp: iso(30 * D), annotations: { 'janitor/ttl': '60d' } },
      status: { completionTime: iso(20 * D), conditions: [{ type: 'Complete', status: 'True' }] },
    };
    expect(decide('jobs', oldJob, config, NOW)).toBeUndefined();
    const young: KubeObject = {
      metadata: { name: 'j', creationTimestamp: iso(2 * D), annotations: { 'janitor/ttl': '1d' } },
      status: {},
    };
    expect(decide('jobs', young, config, NOW)).toMatchObject({
      check: 'cleanup.ttl-expired',
      eventReason: 'TimeToLiveExpired',
    });
    const noTtlRule = { ...config, rules: new Set(['jobs'] as const) };
    expect(decide('jobs', young, noTtlRule, NOW)).toBeUndefined();
  });

  it('skips objects already being deleted', () => {
    const terminating: KubeObject = {
      metadata: { name: 'p', deletionTimestamp: iso(0) },
      status: { phase: 'Failed', startTime: iso(9 * D) },
    };
    expect(decide('pods', terminating, config, NOW)).toBeUndefined();
  });

  it('dates a failed pod by its latest end time, falling back to startTime', () => {
    const pod = (status: Record<string, unknown>): KubeObject => ({
      metadata: { name: 'p', creationTimestamp: iso(30 * D) },
      status: { phase: 'Failed', ...status },
    });
    expect(decide('pods', pod({ startTime: iso(3 * D) }), config, NOW)?.check).toBe('cleanup.pod-failed');
    expect(
      decide(
        'pods',
        pod({
          startTime: iso(3 * D),
          containerStatuses: [{ state: { terminated: { finishedAt: iso(60_000) } } }],
        }),
        config,
        NOW,
      ),
    ).toBeUndefined();
    expect(decide('pods', pod({ phase: 'Succeeded', startTime: iso(3 * D) }), config, NOW)).toBeUndefined();
    expect(decide('pods', pod({ phase: 'Pending', startTime: iso(3 * D) }), config, NOW)).toBeUndefined();
  });

  it('treats an unset ReplicaSet spec.replicas as 1 (not a candidate)', () => {
    const rs: KubeObject = {
      metadata: { name: 'r', creationTimestamp: iso(30 * D) },
      spec: {},
      status: { replicas: 0 },
    };
    expect(decide('replicasets', rs, config, NOW)).toBeUndefined();
  });

  it('formats ages in janitor units', () => {
    expect(formatAge(7 * D)).toBe('1w');
    expect(formatAge(9 * D + 5000)).toBe('9d');
    expect(formatAge(90 * 60_000)).toBe('90m');
    expect(formatAge(5 * 3_600_000)).toBe('5h');
    expect(formatAge(42_000)).toBe('42s');
  });
});

const cfg = (env: Record<string, string>, input: Parameters<typeof cleanupConfig>[1]) =>
  cleanupConfig(readSettings(bot.settings, env) as Parameters<typeof cleanupConfig>[0], input);

describe('cleanup configuration and scope', () => {
  it('reads durations and rules from the environment; input can only narrow the rules', () => {
    const c = cfg(
      { ECO_CLEANUP_JOB_TTL: '2d', ECO_CLEANUP_NOTICE: '1h', ECO_CLEANUP_RULES: 'jobs,pods' },
      { rules: ['pods', 'ttl'] },
    );
    expect(c.jobTtlMs).toBe(2 * D);
    expect(c.noticeMs).toBe(3_600_000);
    expect([...c.rules]).toEqual(['pods']);
    expect(cfg({}, {}).noticeMs).toBe(0);
    expect(() => cfg({ ECO_CLEANUP_RULES: 'jobs,everything' }, {})).toThrow(/ECO_CLEANUP_RULES.*everything/);
    expect(() => cfg({ ECO_CLEANUP_POD_AGE: 'forever' }, {})).toThrow(/ECO_CLEANUP_POD_AGE/);
  });

  it('scans only kinds its RBAC can list and delete', () => {
    const all = cfg({}, {});
    const kinds = scannedKinds(bot.rbac, all).map((t) => t.plural);
    expect(kinds).not.toContain('secrets');
    expect(kinds).toEqual(
      expect.arrayContaining(['pods', 'jobs', 'replicasets', 'configmaps', 'namespaces']),
    );
    const narrow: RbacRule[] = [
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list'] },
    ];
    expect(scannedKinds(narrow, all).map((t) => t.plural)).toEqual(['pods']);
    expect(scannedKinds(bot.rbac, cfg({ ECO_CLEANUP_RULES: 'jobs' }, {})).map((t) => t.plural)).toEqual([
      'jobs',
    ]);
    expect(scannedKinds(bot.rbac, all, 'team-a').map((t) => t.plural)).not.toContain('namespaces');
  });

  it('declares no wildcard and can create the Events it posts', () => {
    expect(JSON.stringify(bot.rbac)).not.toContain('*');
    expect(bot.rbac).toContainEqual(
      expect.objectContaining({
        apiGroups: [''],
        resources: ['events'],
        verbs: expect.arrayContaining(['create']),
      }),
    );
  });

  it('names a notice after the object’s uid, as a valid Event name', () => {
    const a = noticeName({ metadata: { name: 'web', uid: 'u-1' } });
    expect(a).toMatch(/^web\.eco-cleanup-notice-[0-9a-f]{12}$/);
    expect(noticeName({ metadata: { name: 'web', uid: 'u-2' } })).not.toBe(a);
  });
});
