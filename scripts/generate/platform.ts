import type { Tier } from '../../shared/bot/types.ts';

/**
 * The brief's platform conventions (its deployment templates and Prometheus configuration): its
 * Prometheus keeps pods labelled `domain: <BOT_DOMAIN>` and takes `bot_name` from the pod label
 * `bsw.bot-name`. The generators put these beside the project's own `eco.bsw-arch.org/*` labels.
 */
export const DEFAULT_DOMAIN = 'ECO';

/** The variable that sets the `domain` label value (the brief's BOT_DOMAIN). */
export const DOMAIN_VARIABLE = 'BOT_DOMAIN';

export const PLATFORM_LABELS = {
  domain: 'domain',
  bswDomain: 'bsw.domain',
  botName: 'bsw.bot-name',
  botCategory: 'bsw.bot-category',
  botFactory: 'bsw.bot-factory',
  fagamFree: 'bsw.fagam-free',
} as const;

export const PLATFORM_ANNOTATIONS = {
  resourceTier: 'bsw.resource-tier',
  containerSizeTarget: 'bsw.container-size-target',
} as const;

/** The brief's image size target, as its templates annotate it. */
export const CONTAINER_SIZE_TARGET = '<50MB';

/** A Kubernetes label value: at most 63 characters, alphanumerics with `-`, `_`, `.` inside. */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The domain from the environment (BOT_DOMAIN, default ECO); a value no label can carry is an error. */
export function domainFromEnv(env: Readonly<Record<string, string | undefined>>): string {
  const value = env[DOMAIN_VARIABLE];
  if (value === undefined || value === '') return DEFAULT_DOMAIN;
  if (!LABEL_VALUE.test(value)) {
    throw new Error(
      `${DOMAIN_VARIABLE}=${JSON.stringify(value)} is not a Kubernetes label value (letters, digits, -_. inside, at most 63)`,
    );
  }
  return value;
}

/**
 * Labels of one workload (a bot, or a compact-profile group function): the brief's scrape job keeps
 * pods by `domain` and names them by `bsw.bot-name`.
 */
export function workloadLabels(name: string, category: string, domain: string): Record<string, string> {
  return {
    [PLATFORM_LABELS.domain]: domain,
    [PLATFORM_LABELS.botName]: name,
    [PLATFORM_LABELS.botCategory]: category,
  };
}

export function workloadAnnotations(tier: Tier): Record<string, string> {
  return {
    [PLATFORM_ANNOTATIONS.resourceTier]: tier,
    [PLATFORM_ANNOTATIONS.containerSizeTarget]: CONTAINER_SIZE_TARGET,
  };
}

/** The brief's namespace labels. */
export function namespaceLabels(domain: string): Record<string, string> {
  return {
    [PLATFORM_LABELS.domain]: domain,
    [PLATFORM_LABELS.bswDomain]: domain,
    [PLATFORM_LABELS.botFactory]: 'true',
    [PLATFORM_LABELS.fagamFree]: 'true',
  };
}
