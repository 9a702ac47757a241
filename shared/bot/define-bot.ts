import type { TSchema } from '../schema/index.ts';
import type { SettingsSpec } from '../settings/spec.ts';
import { checkSettingsSpec } from '../settings/read.ts';
import type { Bot, BotDefinition, RbacVerb } from './types.ts';

const WRITE_VERBS: readonly RbacVerb[] = ['create', 'update', 'patch', 'delete', 'deletecollection', 'bind'];

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const CRON_FIELDS = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every \S+|(\S+\s+){4}\S+)$/;

/**
 * Declares a bot. The declaration is the single source of truth for the runtime, the generated
 * manifests, RBAC and docs, so it is checked here, at import time, and frozen.
 */
export function defineBot<S extends TSchema, P extends SettingsSpec = Record<never, never>>(
  definition: BotDefinition<S, P>,
): Bot<S, P> {
  const problems: string[] = [];
  if (!DNS_LABEL.test(definition.name)) problems.push(`name "${definition.name}" is not a DNS-1123 label`);
  if (!definition.name.startsWith('eco-')) problems.push(`name "${definition.name}" must start with "eco-"`);
  if (definition.summary.trim() === '') problems.push('summary is empty');
  const { cron, events, alerts, http } = definition.triggers;
  if (cron !== undefined && !CRON_FIELDS.test(cron.trim()))
    problems.push(`cron "${cron}" is not a 5-field expression`);
  if (!http && cron === undefined && !events?.length && !alerts?.length) problems.push('declares no trigger');
  for (const type of events ?? []) {
    if (!/^[a-z0-9]+(\.[a-z0-9-]+)+$/.test(type))
      problems.push(`event type "${type}" is not reverse-DNS lower-case`);
  }
  for (const rule of definition.rbac) {
    for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
      if (rule[field].some((value) => value === '*')) problems.push(`rbac ${field} uses a wildcard`);
    }
    if (rule.resources.length === 0 || rule.verbs.length === 0)
      problems.push('rbac rule without resources or verbs');
    const writes = rule.verbs.filter((verb) => WRITE_VERBS.includes(verb));
    if (!definition.mutates && writes.length > 0)
      problems.push(
        `rbac grants ${writes.join(', ')} on ${rule.resources.join(', ')} but the bot is declared mutates: false`,
      );
  }
  problems.push(...checkSettingsSpec(definition.settings));
  if (problems.length > 0) {
    throw new Error(`invalid bot declaration ${definition.name}: ${problems.join('; ')}`);
  }
  return Object.freeze({ ...definition, triggers: Object.freeze({ ...definition.triggers }) });
}
