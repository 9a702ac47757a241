import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateAll } from '../../scripts/generate/index.ts';
import { CE_MAX_FUNCTIONS, CE_TICK } from '../../scripts/generate/openfaas.ts';
import { TIERS } from '../../scripts/generate/tiers.ts';
import { bigFleet, cronBot, eventBot, FIXTURE_FLEET, receiverBot } from './fixture-bots.ts';
import { envsubstDefaults, validateStack } from './faas-schema.ts';
import { file, ROOT } from './helpers.ts';
import type { Loose } from './helpers.ts';

type Fn = Record<string, unknown> & {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  environment: Record<string, string>;
};

function stackOf(text: string): { version: string; functions: Record<string, Fn> } {
  return parse(envsubstDefaults(text)) as { version: string; functions: Record<string, Fn> };
}

describe('stack.yml and stack.ce.yml follow the faas-cli schema', () => {
  it('the committed files', async () => {
    for (const path of ['stack.yml', 'stack.ce.yml']) {
      const text = await readFile(join(ROOT, path), 'utf8');
      expect(validateStack(stackOf(text)), path).toEqual([]);
    }
  });

  it('the fixture fleet and a 49-bot fleet with long names', () => {
    for (const fleet of [FIXTURE_FLEET, bigFleet()]) {
      const files = generateAll(fleet);
      expect(validateStack(stackOf(file(files, 'stack.yml').content))).toEqual([]);
      expect(validateStack(stackOf(file(files, 'stack.ce.yml').content))).toEqual([]);
    }
  });

  it('the validator rejects what faas-cli would reject', () => {
    const good = stackOf(file(generateAll(FIXTURE_FLEET), 'stack.yml').content) as unknown as Loose;
    const broken = (mutate: (s: Loose) => void): string[] => {
      const copy = structuredClone(good);
      mutate(copy);
      return validateStack(copy);
    };
    const name = cronBot.name;
    expect(broken((s) => (s['provider'].name = 'faas'))).toContain('provider.name: must be openfaas');
    expect(broken((s) => (s['version'] = '2.0'))).toContain('version: must be "1.0"');
    expect(broken((s) => (s['functions'][name].readonly_rootfs = true))).toContain(
      `functions.${name}: unknown key "readonly_rootfs"`,
    );
    expect(broken((s) => (s['functions'][name].labels['com.openfaas.scale.max'] = '-5-'))).toContain(
      `functions.${name}.labels.com.openfaas.scale.max: "-5-" is not a valid label value`,
    );
    expect(broken((s) => delete s['functions'][name].annotations.topic)).toContain(
      `functions.${name}.annotations: topic and schedule go together`,
    );
    expect(broken((s) => (s['functions'][name].annotations['com.openfaas.scale.zero'] = 'true'))).toContain(
      `functions.${name}.annotations.com.openfaas.scale.zero: scaling settings must be labels`,
    );
    expect(
      broken((s) => {
        s['functions']['x'.repeat(64)] = s['functions'][name];
      }),
    ).toContain(`functions.${'x'.repeat(64)}: name must be a DNS label of at most 63 characters`);
    expect(broken((s) => (s['functions'][name].limits.memory = '256MB'))).toContain(
      `functions.${name}.limits.memory: use Ki/Mi/Gi`,
    );
  });
});

describe('stack.yml (one function per bot)', () => {
  const stack = stackOf(file(generateAll(FIXTURE_FLEET), 'stack.yml').content);

  it('every bot, on the eco-node template, image from REGISTRY and TAG, dry-run, read-only, tier resources', () => {
    expect(Object.keys(stack.functions).sort()).toEqual(FIXTURE_FLEET.bots.map((b) => b.name).sort());
    const raw = file(generateAll(FIXTURE_FLEET), 'stack.yml').content;
    expect(raw).toContain(`image: \${REGISTRY:-ghcr.io/bsw-arch}/${cronBot.name}:\${TAG:-latest}`);
    expect(raw).toContain('gateway: ${OPENFAAS_URL:-http://127.0.0.1:8080}');
    for (const bot of FIXTURE_FLEET.bots) {
      const fn = stack.functions[bot.name] as Fn;
      expect(fn['lang']).toBe('eco-node');
      expect(fn['handler']).toBe(`./functions/${bot.name}`);
      expect(fn.environment['ECO_MODE']).toBe('dry-run');
      // The small tier caps V8's young generation so a busy webhook bot stays within its 128 Mi request.
      expect(fn.environment['NODE_OPTIONS']).toBe(bot.tier === 'small' ? TIERS.small.nodeOptions : undefined);
      // The image writes its code cache with the same flags, or V8 would refuse the cache at start.
      expect(fn['build_args']).toEqual({
        ECO_BUNDLE: `functions/${bot.name}`,
        ...(TIERS[bot.tier].nodeOptions === undefined
          ? {}
          : { ECO_NODE_OPTIONS: fn.environment['NODE_OPTIONS'] }),
      });
      expect(fn['readonly_root_filesystem']).toBe(true);
      expect(fn['requests']).toEqual(TIERS[bot.tier].requests);
      expect(fn['limits']).toEqual(TIERS[bot.tier].limits);
      expect(fn.labels['com.openfaas.scale.zero']).toBe('true');
      expect(fn.labels['com.openfaas.scale.max']).toBe(String(TIERS[bot.tier].maxScale));
      expect(fn.annotations['com.openfaas.serviceaccount']).toBe(bot.name);
    }
  });

  it('cron bots carry topic cron-function and their own schedule; others none', () => {
    expect(stack.functions[cronBot.name]?.annotations).toMatchObject({
      topic: 'cron-function',
      schedule: '*/30 * * * *',
    });
    expect(stack.functions[eventBot.name]?.annotations).not.toHaveProperty('topic');
  });

  it('only the Alertmanager receiver gets the token secret and the gateway credentials', () => {
    expect(stack.functions[receiverBot.name]?.['secrets']).toEqual([
      'eco-alert-bot-token',
      'basic-auth-user',
      'basic-auth-password',
    ]);
    expect(stack.functions[receiverBot.name]?.environment['ECO_AUTH_SECRET_NAME']).toBe(
      'eco-alert-bot-token',
    );
    expect(stack.functions[cronBot.name]?.['secrets']).toBeUndefined();
  });
});

describe('stack.ce.yml (compact profile for OpenFaaS CE)', () => {
  it('tells eco-alert-bot where every bot lives, without per-process auth that would lock out cron ticks', () => {
    const ce = stackOf(file(generateAll(FIXTURE_FLEET), 'stack.ce.yml').content);
    const observability = ce.functions['eco-observability'] as Fn;
    expect(observability.environment['OPENFAAS_FUNCTION_MAP']?.split(',')).toEqual([
      'eco-alert-bot=eco-observability/eco-alert-bot',
      'eco-fixture-cleanup-bot=eco-maintenance/eco-fixture-cleanup-bot',
      'eco-fixture-scaler-bot=eco-optimisation/eco-fixture-scaler-bot',
      'eco-fixture-status-bot=eco-observability/eco-fixture-status-bot',
    ]);
    for (const fn of Object.values(ce.functions)) {
      expect(Object.keys(fn.environment).filter((k) => k.startsWith('ECO_AUTH'))).toEqual([]);
    }
    expect(ce.functions['eco-maintenance']?.environment).not.toHaveProperty('OPENFAAS_FUNCTION_MAP');
  });

  it('stays within the CE cap for the whole catalogue: one function per category', () => {
    const fleet = bigFleet();
    const ce = stackOf(file(generateAll(fleet), 'stack.ce.yml').content);
    const names = Object.keys(ce.functions);
    expect(names.length).toBe(8);
    expect(names.length).toBeLessThanOrEqual(CE_MAX_FUNCTIONS);
    const served = names.flatMap(
      (n) => (ce.functions[n] as Fn).annotations['eco.bsw-arch.org/bots']?.split(',') ?? [],
    );
    expect(served.sort()).toEqual(fleet.bots.map((b) => b.name).sort());
  });

  it('each group builds its category bundle, ticks every minute only when it has cron bots, within CE replica limits', () => {
    const ce = stackOf(file(generateAll(FIXTURE_FLEET), 'stack.ce.yml').content);
    expect(Object.keys(ce.functions).sort()).toEqual([
      'eco-maintenance',
      'eco-observability',
      'eco-optimisation',
    ]);
    const maintenance = ce.functions['eco-maintenance'] as Fn;
    expect(maintenance['build_args']).toMatchObject({ ECO_BUNDLE: 'groups/maintenance' });
    expect((maintenance['build_args'] as Record<string, string>)['ECO_NODE_OPTIONS']).toBe(
      maintenance.environment['NODE_OPTIONS'],
    );
    expect(maintenance.annotations).toMatchObject({ topic: 'cron-function', schedule: CE_TICK });
    const observability = ce.functions['eco-observability'] as Fn;
    expect(observability.annotations).not.toHaveProperty('schedule');
    expect(observability['requests']).toEqual(TIERS.large.requests);
    for (const fn of Object.values(ce.functions)) {
      expect(Number(fn.labels['com.openfaas.scale.max'])).toBeLessThanOrEqual(5);
      expect(fn.labels).not.toHaveProperty('com.openfaas.scale.zero');
      expect(fn.annotations).not.toHaveProperty('com.openfaas.serviceaccount');
      expect(fn['namespace']).toBe('openfaas-fn');
    }
  });
});
