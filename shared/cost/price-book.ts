// The price book: what a vCPU, a GiB of memory, a GPU, a GiB of storage and a load balancer cost,
// in one currency. OpenCost's defaults unless overridden, per node type (the
// node.kubernetes.io/instance-type label) or per node, from a ConfigMap or the ECO_PRICE_BOOK
// variable (the same JSON in both). A node priced by its total is split by OpenCost's CPU:RAM rule.

import { parseQuantity } from '../k8s/quantity.ts';
import {
  DEFAULT_CURRENCY,
  GIB,
  HOURS_PER_MONTH,
  INSTANCE_TYPE_LABEL,
  OPENCOST_DEFAULT_PRICES,
  SPOT_LABELS,
} from './defaults.ts';
import type { UnitPrices } from './defaults.ts';
import { cpuRamRatio, splitNodePrice } from './split.ts';

/** A node type's or a node's price: its total per hour (split by the ratio rule) or unit prices. */
export interface NodePriceOverride {
  hourly?: number;
  cpuCoreHour?: number;
  ramGiBHour?: number;
  gpuHour?: number;
}

/** The JSON a user writes (ECO_PRICE_BOOK or the ConfigMap's `price-book.json` key). */
export interface PriceBookConfig extends Partial<UnitPrices> {
  currency?: string;
  /** $ per GiB-month per StorageClass name. */
  storageClasses?: Record<string, number>;
  /** By the node.kubernetes.io/instance-type label value. */
  instanceTypes?: Record<string, NodePriceOverride>;
  /** By node name; wins over the instance type. */
  nodes?: Record<string, NodePriceOverride>;
}

/** What the book needs to know about a node. */
export interface PricedNode {
  name: string;
  labels?: Readonly<Record<string, string>>;
  /** Capacity, needed only to split a total price. */
  cpuCores?: number;
  memoryBytes?: number;
  gpus?: number;
}

export interface NodePrices {
  cpuCoreHour: number;
  ramGiBHour: number;
  gpuHour: number;
  /** Where the prices came from, for evidence: `default`, `spot-default`, `instance-type m5.large`, `node n1`. */
  source: string;
  /** Whether a total price was split by OpenCost's CPU:RAM ratio rule. */
  split: boolean;
}

export interface PriceBook {
  readonly currency: string;
  readonly prices: Readonly<UnitPrices>;
  /** vCPU : GiB price ratio of the defaults, used to split a node's total price. */
  readonly cpuRamRatio: number;
  nodePrices(node?: PricedNode): NodePrices;
  /** Cost per hour of cores and bytes of memory (and GPUs) on a node (defaults when none). */
  hourlyCost(cpuCores: number, memoryBytes: number, node?: PricedNode, gpus?: number): number;
  /** The same × 730 hours. */
  monthlyCost(cpuCores: number, memoryBytes: number, node?: PricedNode, gpus?: number): number;
  /** A volume of `bytes` for a month, at its StorageClass's price when the book has one. */
  pvMonthlyCost(bytes: number, storageClass?: string): number;
  loadBalancerMonthlyCost(count?: number): number;
  /** The book as data, for a report's evidence. */
  describe(): PriceBookConfig & { currency: string };
}

export class PriceBookError extends Error {
  override name = 'PriceBookError';
  /** Where the bad book came from: `ECO_PRICE_BOOK` or `ConfigMap <ns>/<name>`. */
  readonly source: string;
  readonly issues: string[];

  constructor(source: string, issues: string[]) {
    super(`price book from ${source} is invalid: ${issues.join('; ')}`);
    this.source = source;
    this.issues = issues;
  }
}

const UNIT_KEYS = [
  'cpuCoreHour',
  'ramGiBHour',
  'gpuHour',
  'spotCpuCoreHour',
  'spotRamGiBHour',
  'storageGiBMonth',
  'loadBalancerHour',
] as const satisfies ReadonlyArray<keyof UnitPrices>;

const OVERRIDE_KEYS = ['hourly', 'cpuCoreHour', 'ramGiBHour', 'gpuHour'] as const;

/** Checks a parsed JSON value against the book's shape; throws PriceBookError listing every problem. */
export function parsePriceBookConfig(value: unknown, source: string): PriceBookConfig {
  const issues: string[] = [];
  if (!isRecord(value)) throw new PriceBookError(source, ['must be a JSON object']);
  const known = new Set<string>([...UNIT_KEYS, 'currency', 'storageClasses', 'instanceTypes', 'nodes']);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) issues.push(`unknown field "${key}" (allowed: ${[...known].join(', ')})`);
  }
  const out: PriceBookConfig = {};
  if (value['currency'] !== undefined) {
    const currency = value['currency'];
    if (typeof currency === 'string' && /^[A-Z]{3}$/.test(currency)) out.currency = currency;
    else issues.push('currency must be a three-letter ISO 4217 code such as "USD" or "EUR"');
  }
  for (const key of UNIT_KEYS) {
    const price = checkPrice(value[key], key, issues);
    if (price !== undefined) out[key] = price;
  }
  const classes = value['storageClasses'];
  if (classes !== undefined) {
    if (!isRecord(classes)) issues.push('storageClasses must be an object of StorageClass name to price');
    else {
      out.storageClasses = {};
      for (const [name, raw] of Object.entries(classes)) {
        const price = checkPrice(raw, `storageClasses.${name}`, issues);
        if (price !== undefined) out.storageClasses[name] = price;
      }
    }
  }
  for (const group of ['instanceTypes', 'nodes'] as const) {
    const entries = value[group];
    if (entries === undefined) continue;
    if (!isRecord(entries)) {
      issues.push(`${group} must be an object of name to prices`);
      continue;
    }
    const parsed: Record<string, NodePriceOverride> = {};
    for (const [name, raw] of Object.entries(entries)) {
      const where = `${group}.${name}`;
      if (!isRecord(raw)) {
        issues.push(`${where} must be an object with hourly or cpuCoreHour/ramGiBHour`);
        continue;
      }
      const override: NodePriceOverride = {};
      for (const key of Object.keys(raw)) {
        if (!(OVERRIDE_KEYS as readonly string[]).includes(key)) {
          issues.push(`${where}: unknown field "${key}" (allowed: ${OVERRIDE_KEYS.join(', ')})`);
        }
      }
      for (const key of OVERRIDE_KEYS) {
        const price = checkPrice(raw[key], `${where}.${key}`, issues);
        if (price !== undefined) override[key] = price;
      }
      if (
        override.hourly !== undefined &&
        (override.cpuCoreHour !== undefined || override.ramGiBHour !== undefined)
      ) {
        issues.push(
          `${where}: give either hourly (split by the CPU:RAM rule) or cpuCoreHour/ramGiBHour, not both`,
        );
      }
      if (Object.keys(override).length === 0) issues.push(`${where} has no price`);
      parsed[name] = override;
    }
    out[group] = parsed;
  }
  if (issues.length > 0) throw new PriceBookError(source, issues);
  return out;
}

/** Parses JSON text (ECO_PRICE_BOOK or a ConfigMap key) into a checked config. */
export function parsePriceBookJson(text: string, source: string): PriceBookConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PriceBookError(source, [`not JSON: ${(error as Error).message}`]);
  }
  return parsePriceBookConfig(value, source);
}

/** Later configs win, field by field; the maps merge by key. */
export function mergePriceBookConfigs(
  ...configs: ReadonlyArray<PriceBookConfig | undefined>
): PriceBookConfig {
  const out: PriceBookConfig = {};
  for (const config of configs) {
    if (!config) continue;
    const { storageClasses, instanceTypes, nodes, ...scalars } = config;
    Object.assign(out, scalars);
    if (storageClasses) out.storageClasses = { ...out.storageClasses, ...storageClasses };
    if (instanceTypes) out.instanceTypes = { ...out.instanceTypes, ...instanceTypes };
    if (nodes) out.nodes = { ...out.nodes, ...nodes };
  }
  return out;
}

export function createPriceBook(config: PriceBookConfig = {}): PriceBook {
  const {
    currency = DEFAULT_CURRENCY,
    storageClasses = {},
    instanceTypes = {},
    nodes = {},
    ...units
  } = config;
  const prices: UnitPrices = Object.freeze({ ...OPENCOST_DEFAULT_PRICES, ...units });
  // The ratio comes from the book's on-demand CPU and RAM prices, as OpenCost's comes from its defaults.
  const ratio = cpuRamRatio(prices.cpuCoreHour, prices.ramGiBHour);

  function fromOverride(
    override: NodePriceOverride,
    source: string,
    node: PricedNode,
  ): NodePrices | undefined {
    const gpuHour = override.gpuHour ?? prices.gpuHour;
    if (override.hourly !== undefined) {
      const split = splitNodePrice(
        {
          hourly: override.hourly,
          cpuCores: node.cpuCores ?? 0,
          memoryGiB: (node.memoryBytes ?? 0) / GIB,
          gpus: node.gpus ?? 0,
        },
        ratio,
        gpuHour,
      );
      // Without the node's capacity a total cannot be split: fall through to the next source.
      return split ? { ...split, source, split: true } : undefined;
    }
    return {
      cpuCoreHour: override.cpuCoreHour ?? prices.cpuCoreHour,
      ramGiBHour: override.ramGiBHour ?? prices.ramGiBHour,
      gpuHour,
      source,
      split: false,
    };
  }

  function nodePrices(node?: PricedNode): NodePrices {
    if (node) {
      const byName = nodes[node.name];
      const fromName = byName ? fromOverride(byName, `node ${node.name}`, node) : undefined;
      if (fromName) return fromName;
      const type = node.labels?.[INSTANCE_TYPE_LABEL];
      const byType = type === undefined ? undefined : instanceTypes[type];
      const fromType = byType ? fromOverride(byType, `instance-type ${type}`, node) : undefined;
      if (fromType) return fromType;
      if (isSpot(node.labels)) {
        return {
          cpuCoreHour: prices.spotCpuCoreHour,
          ramGiBHour: prices.spotRamGiBHour,
          gpuHour: prices.gpuHour,
          source: 'spot-default',
          split: false,
        };
      }
    }
    return {
      cpuCoreHour: prices.cpuCoreHour,
      ramGiBHour: prices.ramGiBHour,
      gpuHour: prices.gpuHour,
      source: 'default',
      split: false,
    };
  }

  function hourlyCost(cpuCores: number, memoryBytes: number, node?: PricedNode, gpus = 0): number {
    const unit = nodePrices(node);
    return (
      nonNegative(cpuCores) * unit.cpuCoreHour +
      (nonNegative(memoryBytes) / GIB) * unit.ramGiBHour +
      nonNegative(gpus) * unit.gpuHour
    );
  }

  return {
    currency,
    prices,
    cpuRamRatio: ratio,
    nodePrices,
    hourlyCost,
    monthlyCost: (cpuCores, memoryBytes, node, gpus) =>
      hourlyCost(cpuCores, memoryBytes, node, gpus) * HOURS_PER_MONTH,
    pvMonthlyCost: (bytes, storageClass) => {
      const perGiB =
        storageClass !== undefined && storageClasses[storageClass] !== undefined
          ? storageClasses[storageClass]
          : prices.storageGiBMonth;
      return (nonNegative(bytes) / GIB) * perGiB;
    },
    loadBalancerMonthlyCost: (count = 1) => nonNegative(count) * prices.loadBalancerHour * HOURS_PER_MONTH,
    describe: () => ({ currency, ...prices, storageClasses, instanceTypes, nodes }),
  };
}

/** Whether the node's labels mark it as spot/preemptible. */
export function isSpot(labels: Readonly<Record<string, string>> | undefined): boolean {
  if (!labels) return false;
  return SPOT_LABELS.some(([label, value]) => labels[label] === value);
}

/** A Node object's name, labels and capacity, as the book needs them. */
export function pricedNode(node: {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { capacity?: Record<string, string> };
}): PricedNode {
  const capacity = node.status?.capacity ?? {};
  const gpus =
    (parseQuantity(capacity['nvidia.com/gpu']) ?? 0) +
    (parseQuantity(capacity['amd.com/gpu']) ?? 0) +
    (parseQuantity(capacity['gpu.intel.com/i915']) ?? 0);
  const cpuCores = parseQuantity(capacity['cpu']);
  const memoryBytes = parseQuantity(capacity['memory']);
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    ...(cpuCores === undefined ? {} : { cpuCores }),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    gpus,
  };
}

/** Money rounded to cents, for messages and evidence (findings keep the rounded figure). */
export function roundCost(value: number): number {
  return Math.round(value * 100) / 100;
}

function checkPrice(raw: unknown, where: string, issues: string[]): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0) {
    issues.push(`${where} must be a number ≥ 0`);
    return undefined;
  }
  return raw;
}

function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
