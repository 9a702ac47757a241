// Property tests: whatever arrives, the bot answers with a report or a 400 naming what is wrong, never
// a crash; and routing/fingerprints depend only on the label set, not on how it is written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultRoutes } from '../../functions/eco-alert-bot/default-routes.ts';
import { labelsFingerprint } from '../../functions/eco-alert-bot/fingerprint.ts';
import bot from '../../functions/eco-alert-bot/handler.ts';
import { compileRoutes, routeAlert } from '../../functions/eco-alert-bot/routing.ts';
import { runBot, silentLogger } from '../../shared/index.ts';

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
const labelSet = fc.dictionary(labelName, fc.string({ maxLength: 20 }), { maxKeys: 6 });
const time = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const alertname = fc.constantFrom('KubePodCrashLooping', 'HighCPUUsage', 'TargetDown', 'Watchdog', 'Unknown');

const validAlert = fc.record(
  {
    status: fc.constantFrom('firing', 'resolved'),
    labels: fc.tuple(labelSet, alertname).map(([labels, name]) => ({ ...labels, alertname: name })),
    annotations: labelSet,
    startsAt: time,
    endsAt: fc.oneof(time, fc.constant('0001-01-01T00:00:00Z')),
    generatorURL: fc.webUrl(),
    fingerprint: fc.stringMatching(/^[0-9a-f]{16}$/),
  },
  { requiredKeys: ['status', 'labels', 'startsAt'] },
);

/** A valid payload, then maybe one field of one alert broken or removed. */
const payload = fc.record({
  version: fc.constant('4'),
  receiver: fc.string({ maxLength: 10 }),
  status: fc.constantFrom('firing', 'resolved'),
  alerts: fc.array(validAlert, { maxLength: 8 }),
  truncatedAlerts: fc.nat(5),
});

describe('eco-alert-bot properties', () => {
  it('a valid payload always gives a report that accounts for every alert', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const report = await runBot(bot, p, { trigger: 'alertmanager', env: {}, log: silentLogger });
        const data = report.data as {
          received: number;
          duplicates: number;
          routed: unknown[];
          unrouted: unknown[];
        };
        expect(data.received).toBe(p.alerts.length);
        expect(data.routed.length + data.unrouted.length + data.duplicates).toBe(p.alerts.length);
      }),
      { numRuns: 150 },
    );
  });

  it('anything else is a report or a 400, never another failure', async () => {
    const broken = fc
      .tuple(
        payload,
        fc.nat(),
        fc.constantFrom('status', 'labels', 'startsAt', 'endsAt', 'annotations'),
        fc.anything(),
      )
      .map(([p, index, field, value]) => {
        const copy = structuredClone(p) as { alerts: Array<Record<string, unknown>> };
        const target = copy.alerts[index % Math.max(1, copy.alerts.length)];
        if (target !== undefined) target[field] = value;
        return copy;
      });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), fc.jsonValue(), broken), async (input) => {
        try {
          const report = await runBot(bot, input, { trigger: 'http', env: {}, log: silentLogger });
          expect(typeof report.summary).toBe('string');
        } catch (error) {
          expect((error as { status?: number }).status, String(error)).toBe(400);
          expect((error as Error).message).not.toBe('');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('fingerprints and routes depend on the label set only', () => {
    const routes = compileRoutes(defaultRoutes);
    fc.assert(
      fc.property(labelSet, alertname, (labels, name) => {
        const set = { ...labels, alertname: name };
        const shuffled = Object.fromEntries(Object.entries(set).reverse());
        expect(labelsFingerprint(shuffled)).toBe(labelsFingerprint(set));
        expect(labelsFingerprint(set)).toMatch(/^[0-9a-f]{16}$/);
        expect(routeAlert(routes, shuffled)).toEqual(routeAlert(routes, set));
      }),
      { numRuns: 300 },
    );
  });
});
