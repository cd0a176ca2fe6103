import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile, quantileSorted, sampleVariance } from '../../src/stats/index.js';

describe('order statistics and the normal quantile', () => {
  it('quantiles interpolate like numpy, clamp q, keep equal infinite neighbours and refuse no values', () => {
    expect(quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5)).toBe(2.5);
    expect(quantileSorted(Float64Array.of(1, 2, 3, 4), 0)).toBe(1);
    expect(quantileSorted(Float64Array.of(1, 2, 3, 4), 1)).toBe(4);
    expect(quantileSorted(Float64Array.of(1, 2, 3, 4), 0.9)).toBeCloseTo(3.7, 12); // numpy.percentile(.., 90)
    expect(quantileSorted(Float64Array.of(1, 2), 7)).toBe(2);
    expect(quantileSorted([1, Infinity, Infinity], 0.75)).toBe(Infinity);
    expect(() => quantileSorted([], 0.5)).toThrow(/no values/);
  });

  it('sample variance uses ddof 1', () => {
    expect(sampleVariance([1, 2, 3, 4])).toBeCloseTo(5 / 3, 14);
  });

  it('normalQuantile inverts normalCdf (to the cdf approximation error) and is symmetric', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    for (const p of [1e-6, 0.01, 0.2, 0.7, 0.999]) {
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
      expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 8);
    }
  });
});
