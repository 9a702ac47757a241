// The faas-cli stack schema (openfaas/go-sdk stack/schema.go), checked strictly: only known keys,
// the right types, DNS-label names, Kubernetes label rules, quantities, and cron annotations.

const TOP_LEVEL = new Set(['version', 'provider', 'functions', 'configuration']);
const PROVIDER = new Set(['name', 'gateway']);
const CONFIGURATION = new Set(['templates', 'copy']);
const TEMPLATE_SOURCE = new Set(['name', 'source']);
const FUNCTION = new Set([
  'lang',
  'handler',
  'image',
  'fprocess',
  'environment',
  'secrets',
  'skip_build',
  'constraints',
  'environment_file',
  'labels',
  'limits',
  'requests',
  'readonly_root_filesystem',
  'build_options',
  'annotations',
  'namespace',
  'build_args',
  'platforms',
  'build_secrets',
]);
const RESOURCES = new Set(['memory', 'cpu']);

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const MEMORY = /^\d+(Ki|Mi|Gi)$/;
const CPU = /^\d+m?$/;
const CRON_5_FIELDS = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every \S+|(\S+\s+){4}\S+)$/;

type Problems = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(
  value: unknown,
  allowed: Set<string>,
  where: string,
  problems: Problems,
): value is Record<string, unknown> {
  if (!isRecord(value)) {
    problems.push(`${where}: must be a map`);
    return false;
  }
  for (const key of Object.keys(value))
    if (!allowed.has(key)) problems.push(`${where}: unknown key "${key}"`);
  return true;
}

function stringMap(value: unknown, where: string, problems: Problems): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.push(`${where}: must be a map of strings`);
    return {};
  }
  for (const [key, v] of Object.entries(value))
    if (typeof v !== 'string') problems.push(`${where}.${key}: must be a string`);
  return value as Record<string, string>;
}

function stringList(value: unknown, where: string, problems: Problems): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    problems.push(`${where}: must be a list of strings`);
}

/** faas-cli envsubst: `${VAR:-default}` becomes the default (what a deploy without the variable sees). */
export function envsubstDefaults(text: string): string {
  return text.replace(
    /\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g,
    (_m, _name: string, fallback?: string) => fallback ?? '',
  );
}

/** Problems of a parsed stack file; empty means faas-cli accepts it. */
export function validateStack(stack: unknown): string[] {
  const problems: Problems = [];
  if (!onlyKeys(stack, TOP_LEVEL, 'stack', problems)) return problems;
  if (stack['version'] !== undefined && stack['version'] !== '1.0') problems.push('version: must be "1.0"');
  if (onlyKeys(stack['provider'], PROVIDER, 'provider', problems)) {
    const provider = stack['provider'];
    if (provider['name'] !== 'openfaas') problems.push('provider.name: must be openfaas');
    if (typeof provider['gateway'] !== 'string' || !/^https?:\/\//.test(provider['gateway'])) {
      problems.push('provider.gateway: must be an http(s) URL');
    }
  }
  if (
    stack['configuration'] !== undefined &&
    onlyKeys(stack['configuration'], CONFIGURATION, 'configuration', problems)
  ) {
    const templates = stack['configuration']['templates'];
    if (templates !== undefined) {
      if (!Array.isArray(templates)) problems.push('configuration.templates: must be a list');
      else
        templates.forEach((t, i) => onlyKeys(t, TEMPLATE_SOURCE, `configuration.templates[${i}]`, problems));
    }
    stringList(stack['configuration']['copy'], 'configuration.copy', problems);
  }
  if (!isRecord(stack['functions'])) {
    problems.push('functions: must be a map');
    return problems;
  }
  for (const [name, fn] of Object.entries(stack['functions'])) {
    const where = `functions.${name}`;
    if (!DNS_LABEL.test(name)) problems.push(`${where}: name must be a DNS label of at most 63 characters`);
    if (!onlyKeys(fn, FUNCTION, where, problems)) continue;
    for (const key of ['lang', 'handler', 'image', 'fprocess', 'namespace', 'platforms'] as const) {
      if (fn[key] !== undefined && typeof fn[key] !== 'string')
        problems.push(`${where}.${key}: must be a string`);
    }
    if (typeof fn['image'] !== 'string' || !/^[a-z0-9.\-/:_]+$/.test(fn['image']))
      problems.push(`${where}.image: not an image reference`);
    if (fn['lang'] !== undefined && fn['lang'] !== String(fn['lang']).toLowerCase())
      problems.push(`${where}.lang: write it in lower case`);
    if (fn['namespace'] !== undefined && !DNS_LABEL.test(String(fn['namespace'])))
      problems.push(`${where}.namespace: not a DNS label`);
    stringMap(fn['environment'], `${where}.environment`, problems);
    stringMap(fn['build_args'], `${where}.build_args`, problems);
    stringMap(fn['build_secrets'], `${where}.build_secrets`, problems);
    for (const key of ['secrets', 'constraints', 'environment_file', 'build_options'] as const) {
      stringList(fn[key], `${where}.${key}`, problems);
    }
    for (const secret of (fn['secrets'] as string[] | undefined) ?? []) {
      if (!DNS_LABEL.test(secret)) problems.push(`${where}.secrets: "${secret}" is not a valid secret name`);
    }
    if (fn['readonly_root_filesystem'] !== undefined && typeof fn['readonly_root_filesystem'] !== 'boolean') {
      problems.push(`${where}.readonly_root_filesystem: must be a boolean`);
    }
    if (fn['skip_build'] !== undefined && typeof fn['skip_build'] !== 'boolean')
      problems.push(`${where}.skip_build: must be a boolean`);
    for (const [key, value] of Object.entries(stringMap(fn['labels'], `${where}.labels`, problems))) {
      if (!QUALIFIED_NAME.test(key)) problems.push(`${where}.labels: "${key}" is not a valid label key`);
      if (!LABEL_VALUE.test(value))
        problems.push(`${where}.labels.${key}: "${value}" is not a valid label value`);
    }
    const annotations = stringMap(fn['annotations'], `${where}.annotations`, problems);
    for (const key of Object.keys(annotations)) {
      if (!QUALIFIED_NAME.test(key))
        problems.push(`${where}.annotations: "${key}" is not a valid annotation key`);
    }
    for (const scaling of Object.keys(annotations).filter((k) => k.startsWith('com.openfaas.scale.'))) {
      problems.push(`${where}.annotations.${scaling}: scaling settings must be labels`);
    }
    if ((annotations['topic'] === undefined) !== (annotations['schedule'] === undefined)) {
      problems.push(`${where}.annotations: topic and schedule go together`);
    }
    if (annotations['schedule'] !== undefined) {
      if (annotations['topic'] !== 'cron-function')
        problems.push(`${where}.annotations.topic: must be cron-function`);
      if (!CRON_5_FIELDS.test(annotations['schedule'].trim()))
        problems.push(`${where}.annotations.schedule: not a 5-field cron`);
    }
    for (const key of ['limits', 'requests'] as const) {
      if (fn[key] === undefined) continue;
      if (!onlyKeys(fn[key], RESOURCES, `${where}.${key}`, problems)) continue;
      const resources = fn[key];
      if (resources['memory'] !== undefined && !MEMORY.test(String(resources['memory']))) {
        problems.push(`${where}.${key}.memory: use Ki/Mi/Gi`);
      }
      if (resources['cpu'] !== undefined && !CPU.test(String(resources['cpu'])))
        problems.push(`${where}.${key}.cpu: use e.g. 100m`);
    }
  }
  return problems;
}
