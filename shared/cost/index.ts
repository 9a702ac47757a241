export {
  DEFAULT_CURRENCY,
  GIB,
  HOURS_PER_MONTH,
  INSTANCE_TYPE_LABEL,
  OPENCOST_DEFAULT_PRICES,
  SPOT_LABELS,
} from './defaults.ts';
export type { UnitPrices } from './defaults.ts';
export { FALLBACK_CPU_RAM_RATIO, cpuRamRatio, splitNodePrice } from './split.ts';
export type { NodeTotal, SplitPrices } from './split.ts';
export {
  PriceBookError,
  createPriceBook,
  isSpot,
  mergePriceBookConfigs,
  parsePriceBookConfig,
  parsePriceBookJson,
  pricedNode,
  roundCost,
} from './price-book.ts';
export type { NodePriceOverride, NodePrices, PricedNode, PriceBook, PriceBookConfig } from './price-book.ts';
export {
  PRICE_BOOK_CONFIGMAP_KEY,
  PRICE_BOOK_ENV_DOCS,
  loadPriceBook,
  priceBookConfigMapRef,
} from './load.ts';
export type { PriceBookSources } from './load.ts';
export { PRICE_BOOK_RBAC, PRICE_BOOK_SETTINGS, priceBookFor } from './settings.ts';
export type { PriceBookSettingValues } from './settings.ts';
