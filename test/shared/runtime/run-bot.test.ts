import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { defineBot } from '../../../shared/bot/index.ts';
import type { Context } from '../../../shared/bot/types.ts';
import { isHttpError, isValidationError } from '../../../shared/errors/index.ts';
import { silentLogger } from '../../../shared/log/index.ts';
import { createMetrics } from '../../../shared/metrics/index.ts';
import { runBot, traceFrom } from '../../../shared/runtime/index.ts';
import { echoBot } from '../fixtures/bots.ts';

let seen: Context | undefined;
const probe = defineBot({
  name: 'eco-probe-bot',
  category: 'maintenance',
  tier: 'small',
  summary: 'Captures its context (kit tests)',
  triggers: { http: true },
  rbac: [],
  mutates: true,
  input: Type.Object({ wait: Type.Optional(Type.Boolean()) }),
  async run(input, ctx) {
    seen = ctx;
    if (input.wait === true) await new Promise((r) => setTimeout(r, 5000));
    return { summary: `mode ${ctx.mode} at ${ctx.now().toISOString()}`, findings: [] };
  },
});

describe('runBot (in process, no HTTP)', () => {
  it('applies defaults, fills the report, and uses the injected clock', async () => {
    const report = await runBot(
      echoBot,
      { count: 1 },
      { log: silentLogger, trigger: 'cron', now: () => new Date('2026-05-05T05:05:05Z') },
    );
    expect(report).toMatchObject({
      bot: 'eco-echo-bot',
      trigger: 'cron',
      mode: 'dry-run',
      startedAt: '2026-05-05T05:05:05.000Z',
      actions: [],
      errors: [],
    });
    expect(report.data).toMatchObject({ input: { namespace: 'default', count: 1 } });
  });

  it('bad input is a ValidationError naming the field', async () => {
    const error = await runBot(echoBot, { namespace: 5 }, { log: silentLogger }).catch((e: unknown) => e);
    expect(isValidationError(error)).toBe(true);
    expect((error as Error).message).toContain('invalid options: namespace: ');
    expect((error as { issues: Array<{ path: string }> }).issues[0]?.path).toBe('/namespace');
  });

  it('mode comes from ECO_MODE and can only be lowered by the caller', async () => {
    expect((await runBot(probe, {}, { log: silentLogger, env: { ECO_MODE: 'apply' } })).mode).toBe('apply');
    expect(
      (
        await runBot(
          probe,
          {},
          { log: silentLogger, env: { ECO_MODE: 'apply' }, headers: { 'x-eco-dry-run': 'true' } },
        )
      ).mode,
    ).toBe('dry-run');
    expect((await runBot(probe, {}, { log: silentLogger, env: {} })).mode).toBe('dry-run');
  });

  it('gives the bot a lazy cluster client (no cluster needed until used), safety rails and metrics', async () => {
    const metrics = createMetrics({ processName: 'test', defaultMetrics: false });
    await runBot(probe, {}, { log: silentLogger, env: {}, metrics });
    expect(seen?.safety.mode).toBe('dry-run');
    expect(seen?.safety.actions()).toEqual([]);
    expect(typeof seen?.k8s.list).toBe('function');
    seen?.metrics.gauge('eco_probe_value', 'a probe gauge', ['node']).set({ node: 'n1' }, 42);
    expect(seen?.metrics.gauge('eco_probe_value', 'a probe gauge', ['node'])).toBe(
      metrics.registry.getSingleMetric('eco_probe_value'),
    );
    expect(await metrics.render()).toContain('eco_probe_value{node="n1"} 42');
    expect(() => metrics.counter('eco_probe_value', 'now a counter')).toThrow(/another type/);
  });

  it('a run past timeoutMs rejects with a 504 and aborts ctx.signal', async () => {
    const error = await runBot(probe, { wait: true }, { log: silentLogger, timeoutMs: 50 }).catch(
      (e: unknown) => e,
    );
    expect(isHttpError(error) && error.status === 504).toBe(true);
    expect(seen?.signal.aborted).toBe(true);
  });

  it('a bot returning something that is not a result fails clearly', async () => {
    const broken = defineBot({
      ...probe,
      name: 'eco-broken-bot',
      run: async () => ({ nope: true }) as never,
    });
    await expect(runBot(broken, {}, { log: silentLogger })).rejects.toThrow(/invalid result/);
  });
});

describe('traceFrom', () => {
  it('keeps a valid W3C trace id with a new span, else starts a trace', () => {
    const t = traceFrom('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    expect(t.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(t.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    expect(t.traceparent).not.toContain('00f067aa0ba902b7');
    for (const bad of [
      undefined,
      '',
      'x',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ]) {
      const fresh = traceFrom(bad);
      expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(fresh.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    }
  });
});
