import type { Bot } from '../../shared/bot/index.ts';

/** One entry of `GET /system/functions`, in the OpenFaaS gateway's FunctionStatus shape. */
export interface FunctionStatus {
  name: string;
  image: string;
  namespace: string;
  envProcess: string;
  envVars: Record<string, string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  secrets: string[];
  constraints: string[];
  readOnlyRootFilesystem: boolean;
  invocationCount: number;
  replicas: number;
  availableReplicas: number;
  createdAt: string;
}

/**
 * Mirrors what the generated stack.yml declares for the bot (scale-to-zero label, cron-connector
 * annotations), so scripts that read an OpenFaaS gateway's function list work against this one.
 */
export function functionStatus(
  bot: Bot,
  state: { replicas: 0 | 1; ready: boolean; invocationCount: number; createdAt: string },
): FunctionStatus {
  const annotations: Record<string, string> = { 'eco.bsw-arch.org/summary': bot.summary };
  if (bot.triggers.cron !== undefined) {
    annotations['topic'] = 'cron-function';
    annotations['schedule'] = bot.triggers.cron;
  }
  if ((bot.triggers.events ?? []).length > 0)
    annotations['eco.bsw-arch.org/events'] = (bot.triggers.events ?? []).join(',');
  if ((bot.triggers.alerts ?? []).length > 0)
    annotations['eco.bsw-arch.org/alerts'] = (bot.triggers.alerts ?? []).join(',');
  return {
    name: bot.name,
    image: `eco-bots/${bot.name}:local`,
    namespace: 'openfaas-fn',
    envProcess: 'node start.cjs',
    envVars: {},
    labels: {
      'com.openfaas.scale.zero': 'true',
      'eco.bsw-arch.org/category': bot.category,
      'eco.bsw-arch.org/tier': bot.tier,
      'eco.bsw-arch.org/mutates': String(bot.mutates),
    },
    annotations,
    secrets: [],
    constraints: [],
    readOnlyRootFilesystem: true,
    invocationCount: state.invocationCount,
    replicas: state.replicas,
    availableReplicas: state.ready ? 1 : 0,
    createdAt: state.createdAt,
  };
}
