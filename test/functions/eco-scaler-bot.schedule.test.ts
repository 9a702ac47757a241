// eco-scaler-bot's rules from kube-downscaler: time specs with time zones (recurring and absolute),
// downtime over uptime, original-replicas saved and restored, the 15-minute grace, CronJobs
// suspended; the HPA checks (at max with ScalingLimited, +20 %).
import { describe, expect, it } from 'vitest';
import {
  ANNOTATION,
  TimeSpecError,
  atMaxAndLimited,
  decide,
  matchesTimeSpec,
  parseTimeSpec,
  raisedMaxReplicas,
} from '../../functions/eco-scaler-bot/schedule.ts';

// 2026-12-04 is a Friday.
const at = (iso: string): Date => new Date(iso);

describe('time specs', () => {
  it.each([
    ['Mon-Fri 07:30-20:30 Europe/Berlin', '2026-12-04T06:29:00Z', false], // 07:29 in Berlin (UTC+1)
    ['Mon-Fri 07:30-20:30 Europe/Berlin', '2026-12-04T06:30:00Z', true], // 07:30
    ['Mon-Fri 07:30-20:30 Europe/Berlin', '2026-12-04T19:30:00Z', false], // 20:30: end exclusive
    ['Mon-Fri 07:30-20:30 Europe/Berlin', '2026-12-05T10:00:00Z', false], // Saturday
    ['Mon-Fri 07:30-20:30 America/New_York', '2026-12-04T13:00:00Z', true], // 08:00 in New York
    ['Sat-Sun 00:00-24:00 UTC', '2026-12-06T23:59:00Z', true],
    ['Fri-Mon 00:00-24:00 UTC', '2026-12-07T12:00:00Z', true], // wraps over the weekend to Monday
    ['Fri-Mon 00:00-24:00 UTC', '2026-12-08T12:00:00Z', false], // Tuesday
    ['Mon-Fri 22:00-06:00 UTC', '2026-12-05T05:00:00Z', true], // Saturday early: Friday's night
    ['Mon-Fri 22:00-06:00 UTC', '2026-12-07T05:00:00Z', false], // Monday early: Sunday's night
    ['2026-12-24T00:00:00+01:00-2026-12-27T00:00:00+01:00', '2026-12-25T12:00:00Z', true],
    ['2026-12-24T00:00:00+01:00-2026-12-27T00:00:00+01:00', '2026-12-27T00:00:00Z', false],
    ['Sat-Sun 00:00-24:00 UTC, 2026-12-24T00:00:00Z-2026-12-27T00:00:00Z', '2026-12-24T09:00:00Z', true],
    ['always', '2026-12-04T00:00:00Z', true],
    ['never', '2026-12-04T00:00:00Z', false],
  ])('%s at %s: %s', (spec, now, want) => {
    expect(matchesTimeSpec(parseTimeSpec(spec), at(now))).toBe(want);
  });

  it.each([
    ['Mon-Fry 07:30-20:30 UTC', /days are Mon..Sun/],
    ['Mon-Fri 07:30-25:00 UTC', /times are HH:MM/],
    ['Mon-Fri 07:30-20:30 Mars/Olympus', /unknown time zone "Mars\/Olympus"/],
    ['weekdays', /is neither/],
    ['2026-12-27T00:00:00Z-2026-12-24T00:00:00Z', /the second later/],
  ])('refuses %s', (spec, pattern) => {
    expect(() => parseTimeSpec(spec)).toThrow(TimeSpecError);
    expect(() => parseTimeSpec(spec)).toThrow(pattern);
  });
});

describe('decisions', () => {
  const night = at('2026-12-04T23:00:00Z'); // Friday 23:00 UTC
  const day = at('2026-12-04T10:00:00Z');
  const old = '2026-11-01T00:00:00Z';
  const uptime = { [ANNOTATION.uptime]: 'Mon-Fri 07:00-19:00 UTC' };

  it.each([
    [
      'scales down in downtime, saving the replicas',
      { kind: 'Deployment', annotations: uptime, replicas: 3, creationTimestamp: old },
      night,
      { action: 'scale-down', replicas: 0, originalReplicas: 3 },
    ],
    [
      'uses downtime-replicas',
      {
        kind: 'Deployment',
        annotations: { ...uptime, [ANNOTATION.downtimeReplicas]: '1' },
        replicas: 3,
        creationTimestamp: old,
      },
      night,
      { action: 'scale-down', replicas: 1, originalReplicas: 3 },
    ],
    [
      'restores original-replicas in uptime',
      {
        kind: 'Deployment',
        annotations: { ...uptime, [ANNOTATION.originalReplicas]: '3' },
        replicas: 0,
        creationTimestamp: old,
      },
      day,
      { action: 'scale-up', replicas: 3 },
    ],
    [
      'leaves a workload it did not scale alone in uptime',
      { kind: 'Deployment', annotations: uptime, replicas: 2, creationTimestamp: old },
      day,
      { action: 'none' },
    ],
    [
      'grace: not within 15 minutes of creation',
      { kind: 'Deployment', annotations: uptime, replicas: 2, creationTimestamp: '2026-12-04T22:50:00Z' },
      night,
      { action: 'none', reason: 'created less than 15 minutes ago (grace period)' },
    ],
    [
      'downtime wins over uptime',
      {
        kind: 'Deployment',
        annotations: { ...uptime, [ANNOTATION.downtime]: 'Fri-Fri 09:00-11:00 UTC' },
        replicas: 2,
        creationTimestamp: old,
      },
      day,
      { action: 'scale-down', replicas: 0 },
    ],
    [
      'force-uptime',
      {
        kind: 'Deployment',
        annotations: { ...uptime, [ANNOTATION.forceUptime]: 'true' },
        replicas: 2,
        creationTimestamp: old,
      },
      night,
      { action: 'none' },
    ],
    [
      'the namespace’s spec applies when the object has none',
      {
        kind: 'StatefulSet',
        annotations: {},
        namespaceAnnotations: uptime,
        replicas: 2,
        creationTimestamp: old,
      },
      night,
      { action: 'scale-down', replicas: 0, originalReplicas: 2 },
    ],
    [
      'no spec anywhere: nothing',
      { kind: 'Deployment', annotations: {}, replicas: 2, creationTimestamp: old },
      night,
      { action: 'none' },
    ],
    [
      'a CronJob is suspended, not scaled',
      { kind: 'CronJob', annotations: uptime, suspended: false, creationTimestamp: old },
      night,
      { action: 'suspend' },
    ],
    [
      'a CronJob the bot suspended is resumed',
      {
        kind: 'CronJob',
        annotations: { ...uptime, [ANNOTATION.originalReplicas]: '1' },
        suspended: true,
        creationTimestamp: old,
      },
      day,
      { action: 'resume' },
    ],
    [
      'a CronJob suspended by someone else stays suspended',
      { kind: 'CronJob', annotations: uptime, suspended: true, creationTimestamp: old },
      day,
      { action: 'none' },
    ],
  ] as const)('%s', (_, input, now, want) => {
    expect(decide(input, now)).toMatchObject(want);
  });
});

describe('HPAs', () => {
  it.each([
    [3, 4],
    [5, 6],
    [10, 12],
    [11, 14],
  ])('maxReplicas %d raised by 20 %% -> %d', (max, want) => expect(raisedMaxReplicas(max)).toBe(want));

  const limited = { type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas' };
  it.each([
    [{ spec: { maxReplicas: 5 }, status: { currentReplicas: 5, conditions: [limited] } }, true],
    [
      {
        spec: { maxReplicas: 5 },
        status: { currentReplicas: 5, conditions: [{ ...limited, status: 'False' }] },
      },
      false,
    ],
    [{ spec: { maxReplicas: 5 }, status: { currentReplicas: 4, conditions: [limited] } }, false],
    [{ spec: { maxReplicas: 5 } }, false],
  ])('%j at max and limited: %s', (hpa, want) => expect(atMaxAndLimited(hpa)).toBe(want));
});
