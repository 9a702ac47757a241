import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../../shared/k8s/quantity.ts';

describe('parseQuantity', () => {
  it('parses CPU and memory quantities the way metrics.k8s.io and specs write them', () => {
    expect(parseQuantity('207233441n')).toBeCloseTo(0.207233441, 9);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('1346256Ki')).toBe(1346256 * 1024);
    expect(parseQuantity('128Mi')).toBe(134217728);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('250u')).toBeCloseTo(0.00025, 9);
    expect(parseQuantity(4)).toBe(4);
  });
  it('rejects malformed values', () => {
    for (const bad of ['', 'abc', '1Xi', '--1', '1 Gi', undefined, null])
      expect(parseQuantity(bad)).toBeUndefined();
  });
});
