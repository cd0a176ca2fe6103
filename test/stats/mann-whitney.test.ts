import { describe, expect, it } from 'vitest';
import { mannWhitneyU, mannWhitneyZ } from '../../src/stats/mann-whitney.js';
import { twoProportionZ } from '../../src/memorization/two-proportion.js';
import { erfc, normalCdf } from '../../src/stats/normal.js';

describe('Mann-Whitney U and the data-copying z', () => {
  it('counts pairs: U = number of (x, y) pairs with x > y, ties counting one half (scipy convention)', () => {
    expect(mannWhitneyU({ x: [1, 2], y: [3, 4, 5] })).toBe(0);
    expect(mannWhitneyU({ x: [3, 4, 5], y: [1, 2] })).toBe(6);
    // brute force on values with ties
    const x = [0.5, 1, 1, 2, 7, 3];
    const y = [1, 2, 2, 0.1, 9];
    let pairs = 0;
    for (const a of x) for (const b of y) pairs += a > b ? 1 : a === b ? 0.5 : 0;
    expect(mannWhitneyU({ x, y })).toBe(pairs);
  });

  it('gives the reference code z: (U - (nm/2 - 0.5)) / sqrt(nm(n+m+1)/12), NaN for an empty sample', () => {
    expect(mannWhitneyZ({ x: [1, 2], y: [3, 4, 5] })).toBeCloseTo(-2.5 / Math.sqrt(3), 14);
    expect(mannWhitneyZ({ x: [], y: [1] })).toBeNaN();
  });

  it('normal tail and two-proportion z', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(-1.959963985)).toBeCloseTo(0.025, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 7);
    expect(twoProportionZ({ p1: 0.5, n1: 10, p2: 0.5, n2: 10 })).toBe(0);
    expect(twoProportionZ({ p1: 0, n1: 10, p2: 0, n2: 10 })).toBeNaN();
  });
});
