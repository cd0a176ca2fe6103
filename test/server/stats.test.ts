import { describe, expect, it } from 'vitest';
import { rankBands } from '../../src/server/stats.js';
import { ranks, spearman } from '../../src/stats/rank.js';

describe('spearman', () => {
  it('matches scipy.stats.spearmanr on small cases with and without ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic = 0.8207826816681233
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
    // scipy.stats.spearmanr([0.3, 0.1, 0.2], [30, 12, 5]).statistic = 0.5
    expect(spearman([0.3, 0.1, 0.2], [30, 12, 5])).toBeCloseTo(0.5, 12);
    expect(spearman([1, 2], [1, 2])).toBeNull();
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
  });
  it('gives ties the mean of their ranks', () => {
    expect(ranks([10, 20, 10, 30])).toEqual([1.5, 3, 1.5, 4]);
  });
});

describe('rankBands', () => {
  it('ranks 1 + the number of clearly better models; overlapping intervals share a rank', () => {
    // lower is better (FD): A [1,2], B [1.5,3] overlap -> both 1; C [5,6] is clearly worse than both -> 3
    expect(rankBands([{ lo: 1, hi: 2 }, { lo: 1.5, hi: 3 }, { lo: 5, hi: 6 }], false)).toEqual([1, 1, 3]);
    // a chain: A overlaps B, B overlaps C, A does not overlap C -> C is rank 2 (only A is clearly better)
    expect(rankBands([{ lo: 0, hi: 1 }, { lo: 0.9, hi: 2 }, { lo: 1.5, hi: 3 }], false)).toEqual([1, 1, 2]);
    // higher is better, points without intervals
    expect(rankBands([{ lo: 0.9, hi: 0.9 }, { lo: 0.5, hi: 0.5 }, { lo: 0.5, hi: 0.5 }], true)).toEqual([1, 2, 2]);
  });
});
