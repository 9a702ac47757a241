// Where a run's price book comes from: OpenCost's defaults, then a ConfigMap (cluster-wide prices a
// platform team edits without redeploying), then ECO_PRICE_BOOK (this deployment's override).

import { ConfigError } from '../errors/config-error.ts';
import type { PriceBook, PriceBookConfig } from './price-book.ts';
import { createPriceBook, mergePriceBookConfigs, parsePriceBookJson } from './price-book.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The ConfigMap key holding the book's JSON. */
export const PRICE_BOOK_CONFIGMAP_KEY = 'price-book.json';

export const PRICE_BOOK_ENV_DOCS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  {
    name: 'ECO_PRICE_BOOK',
    default: '(unset: OpenCost defaults)',
    meaning:
      'price book JSON: currency, cpuCoreHour, ramGiBHour, gpuHour, storageGiBMonth, loadBalancerHour, storageClasses, instanceTypes, nodes',
  },
  {
    name: 'ECO_PRICE_BOOK_CONFIGMAP',
    default: '(unset)',
    meaning: `<namespace>/<name> of a ConfigMap whose "${PRICE_BOOK_CONFIGMAP_KEY}" key holds a price book (ECO_PRICE_BOOK wins field by field)`,
  },
];

/** The ConfigMap the environment points at, if any; a ConfigError on a malformed reference. */
export function priceBookConfigMapRef(env: Env): { namespace: string; name: string } | undefined {
  const raw = env['ECO_PRICE_BOOK_CONFIGMAP']?.trim();
  if (!raw) return undefined;
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(raw);
  if (!match) throw new ConfigError('ECO_PRICE_BOOK_CONFIGMAP', `"${raw}" is not <namespace>/<name>`);
  return { namespace: match[1] as string, name: match[3] as string };
}

export interface PriceBookSources {
  env: Env;
  /** The ConfigMap's data, when the bot read one. */
  configMap?: { data?: Record<string, string>; ref: string };
}

/** Builds the book; throws PriceBookError naming the source of a bad book. */
export function loadPriceBook(sources: PriceBookSources): PriceBook {
  const layers: PriceBookConfig[] = [];
  const fromMap = sources.configMap?.data?.[PRICE_BOOK_CONFIGMAP_KEY];
  if (sources.configMap && fromMap !== undefined) {
    layers.push(parsePriceBookJson(fromMap, `ConfigMap ${sources.configMap.ref}`));
  }
  const fromEnv = sources.env['ECO_PRICE_BOOK']?.trim();
  if (fromEnv) layers.push(parsePriceBookJson(fromEnv, 'ECO_PRICE_BOOK'));
  return createPriceBook(mergePriceBookConfigs(...layers));
}
