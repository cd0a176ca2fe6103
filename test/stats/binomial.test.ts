import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../src/stats/index.js';

/** The Wilson score interval: published values, symmetry k <-> n - k, and refusal of impossible counts. */
describe('wilsonInterval', () => {
  it('gives the published 95% intervals and mirrors k and n - k', () => {
    const [lo0, hi0] = wilsonInterval(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.2775328, 6);
    const [lo5, hi5] = wilsonInterval(5, 10);
    expect([lo5, hi5].map((v) => Number(v.toFixed(4)))).toEqual([0.2366, 0.7634]);
    const [a, b] = wilsonInterval(17, 40);
    const [c, d] = wilsonInterval(23, 40);
    expect(a).toBeCloseTo(1 - d, 12);
    expect(b).toBeCloseTo(1 - c, 12);
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
  });
});
