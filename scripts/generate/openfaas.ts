import type { Bot, Category } from '../../shared/bot/types.ts';
import { DEFAULT_DOMAIN, workloadAnnotations, workloadLabels } from './platform.ts';
import { TIERS, maxTier } from './tiers.ts';
import { DEPLOY, LABELS } from './types.ts';
import type { Fleet, GeneratedFile } from './types.ts';
import { yamlFile } from './yaml.ts';

export const STACK_PATH = 'stack.yml';
export const STACK_CE_PATH = 'stack.ce.yml';
/** The OpenFaaS template under templates/ (faas-cli reads it from ./template/<lang>). */
export const TEMPLATE_LANG = 'eco-node';
/** OpenFaaS Community Edition limits (faas-netes pkg/handlers/replica_reader.go). */
export const CE_MAX_FUNCTIONS = 15;
export const CE_MAX_REPLICAS = 5;
/** A CE group function is ticked every minute; the runtime runs the bots whose own cron is due. */
export const CE_TICK = '* * * * *';

const PROVIDER = { name: 'openfaas', gateway: '${OPENFAAS_URL:-http://127.0.0.1:8080}' };

/** Folders and files each function's build context needs besides its handler folder. */
const BUILD_COPY = [
  './package.json',
  './package-lock.json',
  './tsconfig.json',
  './shared',
  './scripts',
  './functions',
];

function image(name: string): string {
  return `\${REGISTRY:-${DEPLOY.registry}}/${name}:\${TAG:-latest}`;
}

const METRICS_ANNOTATIONS = {
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': String(DEPLOY.port),
  'prometheus.io/path': '/metrics',
};

/** Secrets and environment for the Alertmanager receiver (it authenticates Alertmanager). */
function receiverExtras(bot: Bot): { secrets: string[]; environment: Record<string, string> } {
  if (bot.name !== DEPLOY.alertReceiver) return { secrets: [], environment: {} };
  return {
    // basic-auth-* let it invoke the bots it routes to through the gateway.
    secrets: [DEPLOY.alertTokenSecret, 'basic-auth-user', 'basic-auth-password'],
    environment: {
      ECO_AUTH_SECRET_NAME: DEPLOY.alertTokenSecret,
      OPENFAAS_URL: DEPLOY.gatewayUrl,
    },
  };
}

function botFunction(bot: Bot, domain: string): Record<string, unknown> {
  const tier = TIERS[bot.tier];
  const extras = receiverExtras(bot);
  const fn: Record<string, unknown> = {
    lang: TEMPLATE_LANG,
    handler: `./functions/${bot.name}`,
    image: image(bot.name),
    // The image's code cache is written with the NODE_OPTIONS the function runs with, or V8 refuses it.
    build_args: {
      ECO_BUNDLE: `functions/${bot.name}`,
      ...(tier.nodeOptions === undefined ? {} : { ECO_NODE_OPTIONS: tier.nodeOptions }),
    },
    environment: {
      ECO_MODE: 'dry-run',
      ...(tier.nodeOptions === undefined ? {} : { NODE_OPTIONS: tier.nodeOptions }),
      ...extras.environment,
    },
  };
  if (extras.secrets.length > 0) fn['secrets'] = extras.secrets;
  fn['labels'] = {
    'com.openfaas.scale.zero': 'true',
    'com.openfaas.scale.zero-duration': '15m',
    'com.openfaas.scale.min': '1',
    'com.openfaas.scale.max': String(tier.maxScale),
    [LABELS.partOf]: DEPLOY.partOf,
    [LABELS.category]: bot.category,
    [LABELS.tier]: bot.tier,
    // faas-netes puts these on the function's Deployment and its pods.
    ...workloadLabels(bot.name, bot.category, domain),
  };
  const annotations: Record<string, string> = {
    // OpenFaaS Pro: run as the bot's own least-privilege ServiceAccount (deploy/rbac/openfaas-fn.yml).
    'com.openfaas.serviceaccount': bot.name,
    ...METRICS_ANNOTATIONS,
    ...workloadAnnotations(bot.tier),
  };
  if (bot.triggers.cron !== undefined) {
    annotations['topic'] = 'cron-function';
    annotations['schedule'] = bot.triggers.cron;
  }
  fn['annotations'] = annotations;
  fn['requests'] = { ...tier.requests };
  fn['limits'] = { ...tier.limits };
  fn['readonly_root_filesystem'] = true;
  fn['namespace'] = DEPLOY.functionNamespace;
  return fn;
}

function stackDocument(functions: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '1.0',
    provider: PROVIDER,
    configuration: { templates: [{ name: TEMPLATE_LANG }], copy: BUILD_COPY },
    functions,
  };
}

/** stack.yml: one function per bot (OpenFaaS Standard/Pro: scale to zero, own ServiceAccount). */
export function stackFile(fleet: Fleet): GeneratedFile {
  const functions: Record<string, unknown> = {};
  for (const bot of fleet.bots) functions[bot.name] = botFunction(bot, fleet.domain ?? DEFAULT_DOMAIN);
  return {
    path: STACK_PATH,
    content: yamlFile(
      [stackDocument(functions)],
      [
        'The whole fleet, one function per bot. Build and deploy (faas-cli reads templates from ./template):',
        '  cp -r templates/eco-node template/ && faas-cli up -f stack.yml',
        'Scale-to-zero labels and com.openfaas.serviceaccount need OpenFaaS Standard/Pro;',
        'for Community Edition use stack.ce.yml (one function per category, within the 15-function cap).',
      ],
    ),
  };
}

export function groupName(category: Category): string {
  return `eco-${category}`;
}

/** The bots of each category, categories in first-seen (sorted bot) order. */
export function groups(fleet: Fleet): Map<Category, Bot[]> {
  const byCategory = new Map<Category, Bot[]>();
  for (const bot of fleet.bots) {
    const list = byCategory.get(bot.category) ?? [];
    list.push(bot);
    byCategory.set(bot.category, list);
  }
  return new Map([...byCategory.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Where each bot lives in the compact profile, for eco-alert-bot's gateway invocations:
 * `bot=function/path` pairs, e.g. `eco-cleanup-bot=eco-maintenance/eco-cleanup-bot`.
 */
export function functionMap(fleet: Fleet): string {
  return fleet.bots.map((bot) => `${bot.name}=${groupName(bot.category)}/${bot.name}`).join(',');
}

/**
 * stack.ce.yml: the compact profile for OpenFaaS CE and faasd. One function per category serves its
 * bots at `/<bot-name>`; a cron group is ticked every minute and runs the bots whose own schedule is due.
 */
export function stackCeFile(fleet: Fleet): GeneratedFile {
  const functions: Record<string, unknown> = {};
  for (const [category, bots] of groups(fleet)) {
    const tierName = maxTier(bots.map((bot) => bot.tier));
    const tier = TIERS[tierName];
    const needsReceiver = bots.some((bot) => bot.name === DEPLOY.alertReceiver);
    const fn: Record<string, unknown> = {
      lang: TEMPLATE_LANG,
      handler: './functions',
      image: image(groupName(category)),
      build_args: {
        ECO_BUNDLE: `groups/${category}`,
        ...(tier.nodeOptions === undefined ? {} : { ECO_NODE_OPTIONS: tier.nodeOptions }),
      },
      // No ECO_AUTH_* here: auth is per process, and the cron-connector's ticks carry no credentials.
      environment: {
        ECO_MODE: 'dry-run',
        ...(tier.nodeOptions === undefined ? {} : { NODE_OPTIONS: tier.nodeOptions }),
        ...(needsReceiver
          ? { OPENFAAS_URL: DEPLOY.gatewayUrl, OPENFAAS_FUNCTION_MAP: functionMap(fleet) }
          : {}),
      },
    };
    if (needsReceiver) fn['secrets'] = ['basic-auth-user', 'basic-auth-password'];
    fn['labels'] = {
      'com.openfaas.scale.min': '1',
      'com.openfaas.scale.max': String(Math.min(tier.maxScale, CE_MAX_REPLICAS)),
      [LABELS.partOf]: DEPLOY.partOf,
      [LABELS.category]: category,
      [LABELS.tier]: tierName,
      // One pod serves the category's bots: the brief's bot_name is the group function's name.
      ...workloadLabels(groupName(category), category, fleet.domain ?? DEFAULT_DOMAIN),
    };
    const annotations: Record<string, string> = {
      ...METRICS_ANNOTATIONS,
      'eco.bsw-arch.org/bots': bots.map((bot) => bot.name).join(','),
      ...workloadAnnotations(tierName),
    };
    if (bots.some((bot) => bot.triggers.cron !== undefined)) {
      annotations['topic'] = 'cron-function';
      annotations['schedule'] = CE_TICK;
    }
    fn['annotations'] = annotations;
    fn['requests'] = { ...tier.requests };
    fn['limits'] = { ...tier.limits };
    fn['readonly_root_filesystem'] = true;
    fn['namespace'] = DEPLOY.functionNamespace;
    functions[groupName(category)] = fn;
  }
  if (Object.keys(functions).length > CE_MAX_FUNCTIONS) {
    throw new Error(
      `compact profile has ${Object.keys(functions).length} functions, over the CE cap of ${CE_MAX_FUNCTIONS}`,
    );
  }
  return {
    path: STACK_CE_PATH,
    content: yamlFile(
      [stackDocument(functions)],
      [
        'Compact profile for OpenFaaS Community Edition and faasd: one function per category',
        '(CE allows 15 functions and 5 replicas, no scale to zero, no per-function ServiceAccount).',
        'Invoke a bot at /function/eco-<category>/<bot-name>; cron groups tick every minute.',
      ],
    ),
  };
}
