// Fixture bots for the generator tests: shaped like real declarations, never deployed.
import { Type } from '@sinclair/typebox';
import { defineBot } from '../../shared/bot/index.ts';
import type { Bot, Category, Tier } from '../../shared/bot/index.ts';
import type { Fleet } from '../../scripts/generate/index.ts';

const NO_INPUT = Type.Object({});

export const cronBot = defineBot({
  name: 'eco-fixture-cleanup-bot',
  category: 'maintenance',
  tier: 'small',
  summary: 'Deletes finished Jobs (fixture)',
  triggers: { http: true, cron: '*/30 * * * *' },
  rbac: [
    { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list', 'delete'] },
    { apiGroups: [''], resources: ['pods', 'events'], verbs: ['list', 'create'] },
  ],
  mutates: true,
  input: NO_INPUT,
  async run() {
    return { summary: 'ok', findings: [] };
  },
});

export const alertBot = defineBot({
  name: 'eco-fixture-scaler-bot',
  category: 'optimisation',
  tier: 'medium',
  summary: 'Raises HPA max on HighCPUUsage (fixture)',
  triggers: { cron: '0 * * * *', alerts: ['HighCPUUsage'] },
  rbac: [
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'list', 'patch'] },
  ],
  mutates: true,
  input: NO_INPUT,
  async run() {
    return { summary: 'ok', findings: [] };
  },
});

export const eventBot = defineBot({
  name: 'eco-fixture-status-bot',
  category: 'observability',
  tier: 'large',
  summary: 'Status page from report events (fixture)',
  triggers: { http: true, events: ['org.bsw-arch.eco.report.v1', 'org.bsw-arch.eco.provision.request.v1'] },
  rbac: [],
  mutates: false,
  input: NO_INPUT,
  async run() {
    return { summary: 'ok', findings: [] };
  },
});

export const receiverBot = defineBot({
  name: 'eco-alert-bot',
  category: 'observability',
  tier: 'small',
  summary: 'Alertmanager receiver (fixture)',
  triggers: { http: true },
  rbac: [],
  mutates: false,
  input: NO_INPUT,
  emits: ['org.bsw-arch.eco.alert.firing.v1'],
  async run() {
    return { summary: 'ok', findings: [] };
  },
});

export function fleetOf(bots: readonly Bot[]): Fleet {
  return { bots, handlerFiles: bots.map((bot) => `functions/${bot.name}/handler.ts`) };
}

export const FIXTURE_FLEET = fleetOf([cronBot, alertBot, eventBot, receiverBot]);

const CATEGORIES: Category[] = [
  'infrastructure',
  'optimisation',
  'observability',
  'container',
  'storage',
  'network',
  'security',
  'maintenance',
];
const TIERS: Tier[] = ['small', 'medium', 'large'];

/** A catalogue-sized fleet (49 bots over the 8 categories) with long names, for caps and limits. */
export function bigFleet(count = 49): Fleet {
  const bots: Bot[] = [];
  for (let index = 0; index < count; index += 1) {
    bots.push(
      defineBot({
        name: `eco-synthetic-${String(index).padStart(2, '0')}-with-a-rather-long-name-bot`,
        category: CATEGORIES[index % CATEGORIES.length] ?? 'maintenance',
        tier: TIERS[index % TIERS.length] ?? 'small',
        summary: `synthetic bot ${index}`,
        triggers: {
          http: true,
          ...(index % 2 === 0 ? { cron: `${index % 60} * * * *` } : {}),
          ...(index % 5 === 0 ? { alerts: ['PodRestartingTooOften'] } : {}),
          ...(index % 7 === 0
            ? { events: ['org.bsw-arch.eco.some.really.long.event.type.name.for.testing.v1'] }
            : {}),
        },
        rbac: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
        mutates: false,
        input: NO_INPUT,
        async run() {
          return { summary: 'ok', findings: [] };
        },
      }),
    );
  }
  return fleetOf(bots);
}
