import { describe, expect, it } from 'vitest';
import { tQuantile, twoSided } from '../../src/stats/student-t.js';

describe('tQuantile', () => {
  it('matches scipy.stats.t.ppf for odd and even degrees of freedom', () => {
    // scipy.stats.t.ppf(p, df)
    const cases: [number, number, number][] = [
      [0.975, 1, 12.706204736174696],
      [0.975, 2, 4.302652729749464],
      [0.975, 3, 3.182446305284263],
      [0.975, 4, 2.7764451051977934],
      [0.975, 9, 2.2621571628540993],
      [0.975, 29, 2.045229642132703],
      [0.995, 4, 4.604094871415897],
      [0.95, 7, 1.894578605061305],
    ];
    for (const [p, df, want] of cases) expect(tQuantile(p, df)).toBeCloseTo(want, 9);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977934, 9);
    expect(tQuantile(0.5, 3)).toBe(0);
  });
  it('inverts the two-sided probability and rejects bad arguments', () => {
    expect(twoSided(tQuantile(0.975, 6), 6)).toBeCloseTo(0.95, 12);
    expect(() => tQuantile(1, 3)).toThrow(/0 < p < 1/);
    expect(() => tQuantile(0.9, 0)).toThrow(/integer df >= 1/);
  });
});
