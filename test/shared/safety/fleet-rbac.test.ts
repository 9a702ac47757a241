// Every bot that mutates through the rails must be allowed what the rails call; otherwise every
// action would be skipped (namespace unreadable) or unaudited (no Event). Checked for the whole fleet.
import { describe, expect, it } from 'vitest';
import { bots } from '../../../functions/index.generated.ts';
import { rbacAllows } from '../../../shared/k8s/rbac.ts';
import { SAFETY_RAILS_RBAC } from '../../../shared/safety/rbac.ts';

describe('RBAC of mutating bots', () => {
  // A bot that writes only to another system (ctx.safety.external: an object store, a registry)
  // declares no Kubernetes write and needs nothing of the cluster from the rails.
  const writes = ['create', 'update', 'patch', 'delete', 'deletecollection'];
  const mutating = bots.filter(
    (bot) => bot.mutates && bot.rbac.some((rule) => rule.verbs.some((verb) => writes.includes(verb))),
  );

  it('covers the cleanup bot at least', () => {
    expect(mutating.map((b) => b.name)).toContain('eco-cleanup-bot');
  });

  for (const bot of mutating) {
    it(`${bot.name} may do what the safety rails do`, () => {
      for (const rule of SAFETY_RAILS_RBAC) {
        for (const resource of rule.resources) {
          for (const verb of rule.verbs) {
            expect(
              rbacAllows(
                bot.rbac,
                { group: rule.apiGroups[0] ?? '', plural: resource },
                verb,
                rule.resourceNames?.[0] === undefined ? {} : { name: rule.resourceNames[0] },
              ),
              `${verb} ${resource}`,
            ).toBe(true);
          }
        }
      }
    });

    it(`${bot.name} can re-read every kind it may delete or patch`, () => {
      for (const rule of bot.rbac) {
        if (!rule.verbs.some((v) => v === 'delete' || v === 'patch' || v === 'update')) continue;
        for (const resource of rule.resources) {
          if (resource.includes('/') || resource === 'events') continue;
          expect(
            rbacAllows(bot.rbac, { group: rule.apiGroups[0] ?? '', plural: resource }, 'get'),
            `get ${resource}`,
          ).toBe(true);
        }
      }
    });
  }
});
