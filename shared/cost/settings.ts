// The price-book settings every bot that puts money on findings declares, and the per-run book:
// OpenCost's defaults, then the ConfigMap ECO_PRICE_BOOK_CONFIGMAP names, then ECO_PRICE_BOOK.

import type { Context, RbacRule, ReportError } from '../bot/types.ts';
import { resources } from '../k8s/resources.ts';
import { setting } from '../settings/spec.ts';
import { PRICE_BOOK_CONFIGMAP_KEY } from './load.ts';
import {
  createPriceBook,
  mergePriceBookConfigs,
  parsePriceBookConfig,
  parsePriceBookJson,
  PriceBookError,
} from './price-book.ts';
import type { PriceBook, PriceBookConfig } from './price-book.ts';

export const PRICE_BOOK_SETTINGS = {
  priceBook: setting.json<PriceBookConfig>({
    env: 'ECO_PRICE_BOOK',
    meaning:
      'price book JSON (currency, cpuCoreHour, ramGiBHour, gpuHour, storageGiBMonth, loadBalancerHour, storageClasses, instanceTypes, nodes); unset: OpenCost defaults',
    check: (value) => parsePriceBookConfig(value, 'ECO_PRICE_BOOK'),
  }),
  priceBookConfigMap: setting.string({
    env: 'ECO_PRICE_BOOK_CONFIGMAP',
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/,
    meaning: `<namespace>/<name> of a ConfigMap whose "${PRICE_BOOK_CONFIGMAP_KEY}" key holds a price book (ECO_PRICE_BOOK wins field by field)`,
  }),
};

export interface PriceBookSettingValues {
  readonly priceBook: PriceBookConfig | undefined;
  readonly priceBookConfigMap: string | undefined;
}

/** What reading the price-book ConfigMap needs. */
export const PRICE_BOOK_RBAC: RbacRule = { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] };

/** The run's book; a missing or bad ConfigMap is a report error and the rest of the book still applies. */
export async function priceBookFor(
  ctx: Pick<Context, 'k8s'>,
  values: PriceBookSettingValues,
): Promise<{ book: PriceBook; errors: ReportError[] }> {
  const errors: ReportError[] = [];
  let fromMap: PriceBookConfig | undefined;
  if (values.priceBookConfigMap) {
    const [namespace, name] = values.priceBookConfigMap.split('/') as [string, string];
    try {
      const map = await ctx.k8s.get(resources.configmaps, name, namespace);
      const text = (map?.['data'] as Record<string, string> | undefined)?.[PRICE_BOOK_CONFIGMAP_KEY];
      if (!map)
        errors.push({
          code: 'price-book-missing',
          message: `ConfigMap ${values.priceBookConfigMap} not found: using the other prices`,
        });
      else if (text === undefined) {
        errors.push({
          code: 'price-book-missing',
          message: `ConfigMap ${values.priceBookConfigMap} has no "${PRICE_BOOK_CONFIGMAP_KEY}" key`,
        });
      } else fromMap = parsePriceBookJson(text, `ConfigMap ${values.priceBookConfigMap}`);
    } catch (error) {
      errors.push({
        code: error instanceof PriceBookError ? 'price-book-invalid' : 'price-book-unavailable',
        message: (error as Error).message,
      });
    }
  }
  return { book: createPriceBook(mergePriceBookConfigs(fromMap, values.priceBook)), errors };
}
