import { describe, expect, it } from 'vitest';
import { metricTrend, ranks, spearman } from '../../src/harness/trend.js';

describe('spearman', () => {
  it('is 1 / -1 for monotone series and matches scipy.stats.spearmanr with ties', () => {
    expect(spearman([0, 1, 2, 3], [1, 5, 9, 100])).toBeCloseTo(1, 12);
    expect(spearman([0, 1, 2, 3], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([0, 1, 2, 3], [1.0, 2.5, 2.4, 9.0])).toBeCloseTo(0.8, 12);
    // scipy.stats.spearmanr([0,1,2,3], [0.6,0.6,0,0]) -> -0.8944271909999159
    expect(spearman([0, 1, 2, 3], [0.6, 0.6, 0, 0])).toBeCloseTo(-0.8944271909999159, 12);
    expect(spearman([0, 1, 2, 3], [5, 5, 5, 5])).toBeNull();
  });
  it('averages tied ranks', () => {
    expect(ranks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
  });
});

describe('metricTrend', () => {
  it('expects lower-is-better metrics to rise and higher-is-better ones to fall', () => {
    const fd = metricTrend([0, 8, 24, 64], [3, 5, 11, 40], false);
    expect(fd).toMatchObject({ expected: 'increase', spearman: 1, monotonic: true, verdict: 'detects' });
    const precision = metricTrend([0, 8, 24, 64], [0.6, 0.6, 0, 0], true);
    expect(precision).toMatchObject({ expected: 'decrease', monotonic: false, verdict: 'detects' });
    expect(metricTrend([0, 1, 2, 3], [9, 7, 5, 1], false).verdict).toBe('inverted');
    expect(metricTrend([0, 1, 2, 3], [1, 3, 2, 1.5], false).verdict).toBe('insensitive');
    expect(metricTrend([0, 1, 2, 3], [1, null, 2, 3], false)).toMatchObject({ spearman: null, monotonic: false, verdict: 'insensitive' });
  });
});
