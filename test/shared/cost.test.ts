// The price book against OpenCost's numbers (anchors: OpenCost configs/default.json and the
// CPU:RAM split of pkg/costmodel/costmodel.go): defaults, 730-hour months, the split of a node's
// total price (GPU taken off first), overrides per instance type and per node, spot defaults, and
// the validation of a user's book.
import { describe, expect, it } from 'vitest';
import {
  FALLBACK_CPU_RAM_RATIO,
  HOURS_PER_MONTH,
  PriceBookError,
  cpuRamRatio,
  createPriceBook,
  loadPriceBook,
  parsePriceBookJson,
  priceBookConfigMapRef,
  pricedNode,
  roundCost,
  splitNodePrice,
} from '../../shared/cost/index.ts';
import type { PricedNode } from '../../shared/cost/index.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
// OpenCost's default ratio: 0.031611 / 0.004237.
const RATIO = 7.460703327826292;

describe("OpenCost's defaults, 730 hours a month", () => {
  const book = createPriceBook();

  it('has the anchor prices, USD, and the CPU:RAM ratio of the defaults', () => {
    expect(book.currency).toBe('USD');
    expect(book.prices).toMatchObject({
      cpuCoreHour: 0.031611,
      ramGiBHour: 0.004237,
      gpuHour: 0.95,
      storageGiBMonth: 0.04,
      spotCpuCoreHour: 0.006655,
      spotRamGiBHour: 0.000892,
    });
    expect(HOURS_PER_MONTH).toBe(730);
    expect(book.cpuRamRatio).toBeCloseTo(RATIO, 12);
  });

  it.each([
    // cores, memory bytes, gpus, expected $/month
    [1, GiB, 0, (0.031611 + 0.004237) * 730], // 26.16904
    [0.5, 512 * MiB, 0, 13.08452],
    [0.25, 0, 0, 0.25 * 0.031611 * 730],
    [0, 4 * GiB, 0, 4 * 0.004237 * 730],
    [0, 0, 1, 693.5],
    [0, 0, 0, 0],
    [-1, -GiB, 0, 0], // nonsense input costs nothing rather than a negative figure
  ])('monthlyCost(%d cores, %d bytes, gpus %d) = %d', (cores, bytes, gpus, expected) => {
    expect(book.monthlyCost(cores, bytes, undefined, gpus)).toBeCloseTo(expected, 9);
    expect(book.hourlyCost(cores, bytes, undefined, gpus) * 730).toBeCloseTo(expected, 9);
  });

  it.each([
    [10 * GiB, undefined, 0.4],
    [100 * GiB, 'standard', 4],
    [512 * MiB, undefined, 0.02],
  ])('pvMonthlyCost(%d bytes, %s) = %d', (bytes, storageClass, expected) => {
    expect(book.pvMonthlyCost(bytes, storageClass)).toBeCloseTo(expected, 12);
  });

  it('prices a LoadBalancer for 730 hours', () => {
    expect(book.loadBalancerMonthlyCost()).toBeCloseTo(0.025 * 730, 12);
    expect(book.loadBalancerMonthlyCost(3)).toBeCloseTo(3 * 18.25, 12);
  });
});

describe("OpenCost's split of a node's total price", () => {
  it.each([
    // name, node total, expected per-core and per-GiB prices
    [
      '4 vCPU / 16 GiB at $0.20/h',
      { hourly: 0.2, cpuCores: 4, memoryGiB: 16, gpus: 0 },
      0.03254906402520645,
      0.004362733993698388,
    ],
    [
      '8 vCPU / 32 GiB / 1 GPU at $3/h: GPU ($0.95) off first',
      { hourly: 3, cpuCores: 8, memoryGiB: 32, gpus: 1 },
      0.16681395312918307,
      0.022359011717704238,
    ],
    [
      'GPU price above the total: nothing left for CPU and RAM',
      { hourly: 0.5, cpuCores: 2, memoryGiB: 8, gpus: 1 },
      0,
      0,
    ],
  ])('%s', (_, node, cpu, ram) => {
    const split = splitNodePrice(node, RATIO, 0.95);
    expect(split?.cpuCoreHour).toBeCloseTo(cpu, 12);
    expect(split?.ramGiBHour).toBeCloseTo(ram, 12);
    // The parts add up to the total (less the GPU) and keep the ratio.
    const gpuCost = Math.min(node.hourly, node.gpus * 0.95);
    expect(node.cpuCores * split!.cpuCoreHour + node.memoryGiB * split!.ramGiBHour + gpuCost).toBeCloseTo(
      node.hourly,
      12,
    );
    if (ram > 0) expect(split!.cpuCoreHour / split!.ramGiBHour).toBeCloseTo(RATIO, 9);
  });

  it('cannot split a node without capacity', () => {
    expect(splitNodePrice({ hourly: 1, cpuCores: 0, memoryGiB: 0, gpus: 0 }, RATIO, 0.95)).toBeUndefined();
  });

  it.each([
    [0.031611, 0.004237, RATIO],
    [0.04, 0, FALLBACK_CPU_RAM_RATIO],
    [0, 0, FALLBACK_CPU_RAM_RATIO],
  ])('ratio of %d and %d is %d (10 when it cannot be computed)', (cpu, ram, expected) => {
    expect(cpuRamRatio(cpu, ram)).toBeCloseTo(expected, 12);
  });
});

describe('overrides per instance type and per node', () => {
  const book = createPriceBook({
    currency: 'EUR',
    storageClasses: { premium: 0.17 },
    instanceTypes: {
      'm5.xlarge': { hourly: 0.192 },
      'n2-custom': { cpuCoreHour: 0.05 },
    },
    nodes: { 'node-special': { cpuCoreHour: 0.1, ramGiBHour: 0.01 } },
  });
  const node = (
    name: string,
    labels: Record<string, string>,
    cpuCores?: number,
    memoryGiB?: number,
  ): PricedNode => ({
    name,
    labels,
    ...(cpuCores === undefined ? {} : { cpuCores }),
    ...(memoryGiB === undefined ? {} : { memoryBytes: memoryGiB * GiB }),
  });
  const type = (value: string): Record<string, string> => ({ 'node.kubernetes.io/instance-type': value });

  it.each([
    [
      'an unknown type gets the defaults',
      node('a', type('x9.huge'), 4, 16),
      0.031611,
      0.004237,
      'default',
      false,
    ],
    [
      'an hourly instance type is split by its capacity',
      node('b', type('m5.xlarge'), 4, 16),
      0.031247101464198197,
      0.004188224633950453,
      'instance-type m5.xlarge',
      true,
    ],
    [
      'a partial override keeps the default RAM price',
      node('c', type('n2-custom'), 2, 8),
      0.05,
      0.004237,
      'instance-type n2-custom',
      false,
    ],
    [
      'the node name wins over its type',
      node('node-special', type('m5.xlarge'), 4, 16),
      0.1,
      0.01,
      'node node-special',
      false,
    ],
    [
      'an hourly type without capacity cannot be split: defaults',
      node('d', type('m5.xlarge')),
      0.031611,
      0.004237,
      'default',
      false,
    ],
    [
      'a Karpenter spot node gets the spot defaults',
      node('e', { 'karpenter.sh/capacity-type': 'spot' }, 4, 16),
      0.006655,
      0.000892,
      'spot-default',
      false,
    ],
    [
      'a GKE spot node gets the spot defaults',
      node('f', { 'cloud.google.com/gke-spot': 'true' }),
      0.006655,
      0.000892,
      'spot-default',
      false,
    ],
  ])('%s', (_, priced, cpu, ram, source, split) => {
    const prices = book.nodePrices(priced);
    expect(prices.cpuCoreHour).toBeCloseTo(cpu, 12);
    expect(prices.ramGiBHour).toBeCloseTo(ram, 12);
    expect(prices.source).toBe(source);
    expect(prices.split).toBe(split);
  });

  it('costs a container on a split node: 2 cores and 4 GiB of an m5.xlarge at $0.192/h', () => {
    const m5 = node('b', type('m5.xlarge'), 4, 16);
    expect(book.monthlyCost(2, 4 * GiB, m5)).toBeCloseTo(57.85038406886469, 9);
    expect(book.currency).toBe('EUR');
  });

  it('prices a volume by its StorageClass, else the default', () => {
    expect(book.pvMonthlyCost(10 * GiB, 'premium')).toBeCloseTo(1.7, 12);
    expect(book.pvMonthlyCost(10 * GiB, 'other')).toBeCloseTo(0.4, 12);
  });

  it('reads a Node object: labels and capacity including GPUs', () => {
    const priced = pricedNode({
      metadata: { name: 'gpu-1', labels: type('a2-highgpu-1g') },
      status: { capacity: { cpu: '12', memory: '87490740Ki', 'nvidia.com/gpu': '1', pods: '110' } },
    });
    expect(priced).toEqual({
      name: 'gpu-1',
      labels: type('a2-highgpu-1g'),
      cpuCores: 12,
      memoryBytes: 87490740 * 1024,
      gpus: 1,
    });
  });
});

describe('loading and checking a book', () => {
  it('layers OpenCost defaults, then the ConfigMap, then ECO_PRICE_BOOK (field by field)', () => {
    const book = loadPriceBook({
      env: { ECO_PRICE_BOOK: JSON.stringify({ cpuCoreHour: 0.05, instanceTypes: { b: { hourly: 2 } } }) },
      configMap: {
        ref: 'eco/prices',
        data: {
          'price-book.json': JSON.stringify({
            currency: 'EUR',
            cpuCoreHour: 0.04,
            ramGiBHour: 0.005,
            instanceTypes: { a: { hourly: 1 } },
          }),
        },
      },
    });
    expect(book.currency).toBe('EUR');
    expect(book.prices.cpuCoreHour).toBe(0.05);
    expect(book.prices.ramGiBHour).toBe(0.005);
    expect(Object.keys(book.describe().instanceTypes ?? {})).toEqual(['a', 'b']);
  });

  it('uses the defaults when nothing is configured', () => {
    expect(loadPriceBook({ env: {} }).describe()).toMatchObject({ currency: 'USD', cpuCoreHour: 0.031611 });
  });

  it.each([
    ['{', /not JSON/],
    ['[]', /must be a JSON object/],
    ['{"cpu": 1}', /unknown field "cpu"/],
    ['{"currency": "dollars"}', /currency must be a three-letter ISO 4217 code/],
    ['{"cpuCoreHour": -1}', /cpuCoreHour must be a number ≥ 0/],
    ['{"ramGiBHour": "0.1"}', /ramGiBHour must be a number ≥ 0/],
    ['{"instanceTypes": {"m5": {"hourly": 1, "cpuCoreHour": 1}}}', /instanceTypes\.m5: give either hourly/],
    ['{"instanceTypes": {"m5": {"price": 1}}}', /instanceTypes\.m5: unknown field "price"/],
    ['{"nodes": {"n1": {}}}', /nodes\.n1 has no price/],
    ['{"storageClasses": {"gp3": null}}', /storageClasses\.gp3 must be a number ≥ 0/],
  ])('refuses %s naming the problem and the source', (text, pattern) => {
    const error = (() => {
      try {
        parsePriceBookJson(text, 'ECO_PRICE_BOOK');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PriceBookError);
    expect((error as Error).message).toMatch(/^price book from ECO_PRICE_BOOK is invalid: /);
    expect((error as Error).message).toMatch(pattern);
  });

  it('names the ConfigMap when its book is bad', () => {
    expect(() =>
      loadPriceBook({
        env: {},
        configMap: { ref: 'eco/prices', data: { 'price-book.json': '{"gpuHour":-2}' } },
      }),
    ).toThrow('price book from ConfigMap eco/prices is invalid: gpuHour must be a number ≥ 0');
  });

  it.each([
    [{}, undefined],
    [{ ECO_PRICE_BOOK_CONFIGMAP: 'eco-bots/price-book' }, { namespace: 'eco-bots', name: 'price-book' }],
  ])('ECO_PRICE_BOOK_CONFIGMAP %j', (env, expected) => {
    expect(priceBookConfigMapRef(env)).toEqual(expected);
  });

  it('refuses a ConfigMap reference that is not <namespace>/<name>', () => {
    expect(() => priceBookConfigMapRef({ ECO_PRICE_BOOK_CONFIGMAP: 'just-a-name' })).toThrow(
      /not <namespace>\/<name>/,
    );
  });

  it.each([
    [26.16904, 26.17],
    [0.004, 0],
    [18.245, 18.25],
  ])('roundCost(%d) = %d', (value, expected) => {
    expect(roundCost(value)).toBe(expected);
  });
});
