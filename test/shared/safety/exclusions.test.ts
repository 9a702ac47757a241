import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  exclusionOf,
  lifetimeOf,
  parseExpiry,
  parseJanitorDuration,
  protectedNamespaces,
} from '../../../shared/safety/exclusions.ts';
import type { KubeObject } from '../../../shared/k8s/types.ts';

const now = new Date('2026-06-01T12:00:00Z');
const protect = protectedNamespaces(undefined);
const obj = (
  annotations: Record<string, string> = {},
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject => ({
  kind: 'Job',
  metadata: {
    name: 'j',
    namespace: 'team-a',
    creationTimestamp: '2026-06-01T00:00:00Z',
    annotations,
    ...extra,
  },
});
const ns = (annotations: Record<string, string> = {}): KubeObject => ({
  kind: 'Namespace',
  metadata: { name: 'team-a', annotations },
});

describe('janitor syntax', () => {
  it('parses durations: 30m, 2h, 7d, 1w, forever; rejects the rest', () => {
    expect(parseJanitorDuration('30m')).toBe(30 * 60_000);
    expect(parseJanitorDuration('2h')).toBe(7_200_000);
    expect(parseJanitorDuration('7d')).toBe(7 * 86_400_000);
    expect(parseJanitorDuration('1w')).toBe(604_800_000);
    expect(parseJanitorDuration('45s')).toBe(45_000);
    expect(parseJanitorDuration('forever')).toBe('forever');
    for (const bad of ['', '7', 'd7', '1h30m', '-1d', '1y', '1.5h', 'Forever'])
      expect(parseJanitorDuration(bad)).toBeUndefined();
  });

  it('round-trips any integer with any unit', () => {
    fc.assert(
      fc.property(fc.nat(100000), fc.constantFrom('s', 'm', 'h', 'd', 'w'), (n, unit) => {
        const ms = parseJanitorDuration(`${n}${unit}`);
        return typeof ms === 'number' && ms === n * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[unit];
      }),
    );
  });

  it('parses expiry formats, bare dates at midnight UTC', () => {
    expect(parseExpiry('2026-01-31')?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(parseExpiry('2026-01-31T18:00')?.toISOString()).toBe('2026-01-31T18:00:00.000Z');
    expect(parseExpiry('2026-01-31T18:00:00Z')?.toISOString()).toBe('2026-01-31T18:00:00.000Z');
    expect(parseExpiry('2026-01-31T18:00:00+02:00')?.toISOString()).toBe('2026-01-31T16:00:00.000Z');
    for (const bad of ['tomorrow', '31/01/2026', '2026-13-45', '']) expect(parseExpiry(bad)).toBeUndefined();
  });
});

describe('lifetimeOf (deletion trigger)', () => {
  it('counts a TTL from creationTimestamp', () => {
    expect(lifetimeOf(obj({ 'janitor/ttl': '6h' }), now)).toMatchObject({
      kind: 'deadline',
      expired: true,
      key: 'janitor/ttl',
    });
    expect(lifetimeOf(obj({ 'eco.bsw-arch.org/ttl': '1d' }), now)).toMatchObject({
      kind: 'deadline',
      expired: false,
      at: new Date('2026-06-02T00:00:00Z'),
    });
  });
  it('takes the earliest of several deadlines; forever alone never expires', () => {
    const life = lifetimeOf(obj({ 'eco.bsw-arch.org/ttl': '1w', 'janitor/expires': '2026-06-01' }), now);
    expect(life).toMatchObject({ kind: 'deadline', key: 'janitor/expires', expired: true });
    expect(lifetimeOf(obj({ 'janitor/ttl': 'forever' }), now)).toEqual({
      kind: 'forever',
      key: 'janitor/ttl',
    });
    expect(
      lifetimeOf(obj({ 'janitor/ttl': 'forever', 'eco.bsw-arch.org/expires': '2026-05-01' }), now),
    ).toMatchObject({ kind: 'deadline', expired: true });
  });
  it('flags invalid values and a TTL without creation time', () => {
    expect(lifetimeOf(obj({ 'janitor/ttl': 'soon' }), now)).toEqual({
      kind: 'invalid',
      key: 'janitor/ttl',
      value: 'soon',
    });
    expect(
      lifetimeOf(obj({ 'janitor/ttl': '1h' }, { creationTimestamp: undefined as unknown as string }), now)
        .kind,
    ).toBe('invalid');
    expect(lifetimeOf(obj(), now)).toEqual({ kind: 'none' });
  });
});

describe('exclusionOf', () => {
  const check = (object: KubeObject, namespace?: KubeObject) =>
    exclusionOf({ object, namespace, protectedNamespaces: protect, now });

  it('excludes on the object and on its namespace', () => {
    expect(check(obj({ 'eco.bsw-arch.org/exclude': 'true' }))).toMatchObject({
      excluded: true,
      reason: expect.stringContaining('eco.bsw-arch.org/exclude=true on Job team-a/j'),
    });
    expect(check(obj(), ns({ 'eco.bsw-arch.org/exclude': 'TRUE' }))).toMatchObject({
      excluded: true,
      reason: expect.stringContaining('namespace team-a'),
    });
    expect(check(obj({ 'downscaler/exclude': 'true' })).excluded).toBe(true);
    expect(check(obj({ 'eco.bsw-arch.org/exclude': 'false' })).excluded).toBe(false);
    expect(check(obj(), ns())).toEqual({ excluded: false });
  });

  it('honours exclude-until only until that time', () => {
    expect(check(obj({ 'eco.bsw-arch.org/exclude-until': '2026-06-02T00:00:00Z' })).excluded).toBe(true);
    expect(check(obj({ 'eco.bsw-arch.org/exclude-until': '2026-05-01T00:00:00Z' })).excluded).toBe(false);
    expect(check(obj(), ns({ 'eco.bsw-arch.org/exclude-until': '2026-12-31' })).excluded).toBe(true);
  });

  it('fails safe on values it cannot read', () => {
    expect(check(obj({ 'eco.bsw-arch.org/exclude': 'yes' }))).toMatchObject({
      excluded: true,
      reason: expect.stringContaining('invalid'),
    });
    expect(check(obj({ 'eco.bsw-arch.org/exclude-until': 'next week' })).excluded).toBe(true);
    expect(check(obj({ 'janitor/ttl': '3 days' })).excluded).toBe(true);
  });

  it('treats a lifetime that has not ended as exclusion, and an ended one as not', () => {
    expect(check(obj({ 'janitor/ttl': '1w' }))).toMatchObject({
      excluded: true,
      reason: expect.stringContaining('lives until'),
    });
    expect(check(obj({ 'janitor/ttl': 'forever' })).excluded).toBe(true);
    expect(check(obj({ 'janitor/ttl': '1h' })).excluded).toBe(false);
  });

  it('does not read lifetime annotations from the namespace (they are the namespace’s own)', () => {
    expect(check(obj(), ns({ 'janitor/ttl': '1w' })).excluded).toBe(false);
  });

  it('protects the default namespaces, or the configured ones', () => {
    for (const name of ['kube-system', 'kube-public', 'kube-node-lease', 'eco-bots']) {
      expect(check({ kind: 'Pod', metadata: { name: 'p', namespace: name } })).toEqual({
        excluded: true,
        reason: `protected-namespace: ${name}`,
      });
    }
    expect(check({ kind: 'Namespace', metadata: { name: 'kube-system' } }).excluded).toBe(true);
    const custom = protectedNamespaces(' prod , billing ');
    expect([...custom]).toEqual(['prod', 'billing']);
    expect(
      exclusionOf({
        object: { kind: 'Pod', metadata: { name: 'p', namespace: 'kube-system' } },
        protectedNamespaces: custom,
        now,
      }).excluded,
    ).toBe(false);
    expect(
      exclusionOf({
        object: { kind: 'Pod', metadata: { name: 'p', namespace: 'prod' } },
        protectedNamespaces: custom,
        now,
      }).excluded,
    ).toBe(true);
  });
});
