// Kit v2: the process owns one cluster client; ctx.k8s reads only; the rails are the only write
// path and refuse a read-only bot; init runs once; settings reach ctx.settings.
import { afterEach, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineBot } from '../../../shared/bot/define-bot.ts';
import type { KubeObject } from '../../../shared/k8s/types.ts';
import { resources } from '../../../shared/k8s/resources.ts';
import { setting } from '../../../shared/settings/index.ts';
import { isSafetyRailError } from '../../../shared/errors/index.ts';
import { startBotHarness, type BotHarness } from '../../helpers/k8s-harness.ts';

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const reader = defineBot({
  name: 'eco-reader-bot',
  category: 'infrastructure',
  tier: 'small',
  summary: 'lists namespaces',
  triggers: { http: true },
  rbac: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'get'] }],
  mutates: false,
  input: Type.Object({ write: Type.Optional(Type.Boolean()) }),
  settings: { label: setting.string({ env: 'ECO_READER_LABEL', default: 'none', meaning: 'a label' }) },
  async run(input, ctx) {
    let count = 0;
    for await (const _ of ctx.k8s.list(resources.namespaces)) count++;
    if (input.write === true) {
      const first = await ctx.k8s.get(resources.namespaces, 'team-a');
      if (first) await ctx.safety.delete(resources.namespaces, first, 'should never happen');
    }
    return { summary: `${count} namespaces, label ${ctx.settings.label}`, findings: [] };
  },
});

describe('one cluster client per process', () => {
  it('five runs share one keep-alive connection instead of opening five', async () => {
    harness = await startBotHarness(reader, { objects: [ns('team-a'), ns('team-b')] });
    for (let i = 0; i < 5; i++) await harness.run({});
    expect(harness.emulator.requests.filter((r) => r.path === '/api/v1/namespaces')).toHaveLength(5);
    expect(harness.emulator.connectionCount()).toBe(1);
  });
});

describe('ctx.k8s is read-only and the rails refuse a read-only bot', () => {
  it('offers no write method on ctx.k8s', async () => {
    const seen: string[] = [];
    const probe = defineBot({
      ...reader,
      name: 'eco-probe-bot',
      async run(_input, ctx) {
        seen.push(...Object.keys(ctx.k8s).sort());
        return { summary: 'ok', findings: [] };
      },
    });
    harness = await startBotHarness(probe, { objects: [ns('team-a')] });
    await harness.run({});
    expect(seen).toEqual(['get', 'list', 'logs', 'read', 'serves']);
  });

  it('a mutates: false bot gets a SafetyRailError from a write, and nothing is sent', async () => {
    harness = await startBotHarness(reader, { objects: [ns('team-a')], env: { ECO_MODE: 'apply' } });
    const error = await harness.run({ write: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSafetyRailError(error)).toBe(true);
    expect((error as Error).message).toMatch(/declared mutates: false and cannot delete/);
    expect(harness.emulator.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });
});

describe('settings and init', () => {
  it('ctx.settings holds the checked values, defaults when unset', async () => {
    harness = await startBotHarness(reader, { objects: [ns('a')], env: { ECO_READER_LABEL: 'blue' } });
    expect((await harness.run({})).summary).toMatch(/ namespaces, label blue$/);
    await expect(harness.run({}, { env: { ECO_READER_LABEL: '' } })).resolves.toMatchObject({
      summary: expect.stringMatching(/label none$/) as unknown,
    });
  });

  it('runs init once per process, before the first run', async () => {
    let inits = 0;
    const withInit = defineBot({
      ...reader,
      name: 'eco-init-bot',
      async init(ctx) {
        inits++;
        expect(ctx.settings.label).toBe('none');
      },
    });
    harness = await startBotHarness(withInit, { objects: [ns('a')] });
    await harness.run({});
    await harness.run({});
    expect(inits).toBe(1);
  });

  it('marks a run whose options narrow it as scoped', async () => {
    harness = await startBotHarness(reader, { objects: [ns('a')] });
    expect((await harness.run({})).scoped).toBeUndefined();
    expect((await harness.run({ write: false })).scoped).toBe(true);
  });
});
