import { describe, expect, it } from 'vitest';
import {
  countBySeverity,
  finding,
  findingId,
  unconfiguredFinding,
  sortFindings,
  summarize,
} from '../../../shared/report/index.ts';
import type { Action } from '../../../shared/bot/types.ts';

const pod = { apiVersion: 'v1', kind: 'Pod', namespace: 'apps', name: 'api-1' };
const base = {
  bot: 'eco-test-bot',
  check: 'test.thing',
  severity: 'warning' as const,
  object: pod,
  message: 'm',
};

describe('finding()', () => {
  it('has a stable 16-hex id: same bot+check+object+discriminator => same id', () => {
    const a = finding(base);
    const b = finding({
      ...base,
      message: 'other words',
      severity: 'critical',
      object: { ...pod, uid: 'u-2' },
    });
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(b.id).toBe(a.id);
    expect(findingId(base)).toBe(a.id);
  });

  it('changes id with any of bot, check, object identity or discriminator', () => {
    const id = finding(base).id;
    const variants = [
      { ...base, bot: 'eco-other-bot' },
      { ...base, check: 'test.other' },
      { ...base, object: { ...pod, name: 'api-2' } },
      { ...base, object: { ...pod, namespace: 'other' } },
      { ...base, object: { ...pod, kind: 'Deployment', apiVersion: 'apps/v1' } },
      { ...base, discriminator: 'container=api' },
    ];
    const ids = variants.map((v) => finding(v).id);
    expect(new Set([id, ...ids]).size).toBe(variants.length + 1);
    // No ambiguity from joining: ("a", "b/c") differs from ("a/b", "c").
    expect(
      finding({ ...base, object: { ...pod, namespace: 'a', name: 'b' }, discriminator: 'c' }).id,
    ).not.toBe(finding({ ...base, object: { ...pod, namespace: 'a', name: 'bc' } }).id);
  });

  it('keeps optional fields only when given', () => {
    expect(Object.keys(finding(base)).sort()).toEqual(['check', 'id', 'message', 'object', 'severity']);
    const f = finding({
      ...base,
      fix: 'do x',
      evidence: { restarts: 4 },
      impact: { monthlyCost: 12.5, currency: 'USD' },
    });
    expect(f).toMatchObject({
      fix: 'do x',
      evidence: { restarts: 4 },
      impact: { monthlyCost: 12.5, currency: 'USD' },
    });
  });
});

describe('summary helpers', () => {
  const findings = [
    finding({ ...base, severity: 'info', object: { ...pod, name: 'z' } }),
    finding({ ...base, severity: 'critical', object: { ...pod, name: 'y' } }),
    finding({ ...base, severity: 'warning', object: { ...pod, name: 'x' } }),
    finding({ ...base, severity: 'warning', object: { ...pod, name: 'w' } }),
  ];
  const actions: Action[] = [
    { verb: 'delete', object: pod, status: 'planned', reason: 'r' },
    { verb: 'delete', object: pod, status: 'failed', reason: 'r' },
  ];

  it('counts and summarises', () => {
    expect(countBySeverity(findings)).toEqual({ info: 1, warning: 2, critical: 1 });
    expect(summarize(findings, actions, 'scanned 4 pods')).toBe(
      'scanned 4 pods: 4 findings (1 critical, 2 warning, 1 info); 2 actions (1 planned, 1 failed)',
    );
    expect(summarize([])).toBe('0 findings');
    expect(summarize(findings.slice(0, 1))).toBe('1 finding (1 info)');
  });

  it('sorts most severe first, then by object', () => {
    expect(sortFindings(findings).map((f) => f.object.name)).toEqual(['y', 'w', 'x', 'z']);
  });
});

describe('unconfiguredFinding', () => {
  it('is the <bot>.unconfigured info finding on the setting, with the id a hand-built one has', () => {
    const made = unconfiguredFinding({
      bot: 'eco-x-bot',
      setting: 'PROMETHEUS_URL',
      message: 'PROMETHEUS_URL is not set: trends were not computed',
      fix: 'Set PROMETHEUS_URL',
      evidence: { fallback: 'metrics.k8s.io' },
    });
    expect(made).toEqual(
      finding({
        bot: 'eco-x-bot',
        check: 'eco-x-bot.unconfigured',
        severity: 'info',
        object: { apiVersion: 'eco.bsw-arch.org/v1', kind: 'Setting', name: 'PROMETHEUS_URL' },
        message: 'PROMETHEUS_URL is not set: trends were not computed',
        fix: 'Set PROMETHEUS_URL',
        evidence: { fallback: 'metrics.k8s.io' },
      }),
    );
  });
});
