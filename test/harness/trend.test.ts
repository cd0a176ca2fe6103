import { describe, expect, it } from 'vitest';
import { markUninformative, meanInterval, trendOverSeeds } from '../../src/harness/trend.js';
import { ranks, spearman } from '../../src/stats/rank.js';

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

describe('meanInterval', () => {
  it('is the Student-t interval of the mean (scipy.stats.t.interval), clipped to [-1, 1]', () => {
    // scipy.stats.t.interval(0.95, 4, loc=mean, scale=sem) for [0.2, 0.4, 0.6, 0.8, 0.4]: (0.1510..., 0.7289...)
    const r = meanInterval([0.2, 0.4, 0.6, 0.8, 0.4], 0.95);
    expect(r.mean).toBeCloseTo(0.48, 12);
    expect(r.ci[0]).toBeCloseTo(0.48 - 2.7764451051977934 * Math.sqrt(0.052 / 5), 9);
    expect(r.ci[1]).toBeCloseTo(0.48 + 2.7764451051977934 * Math.sqrt(0.052 / 5), 9);
    expect(meanInterval([0.8, 1, 1, 0.8, 1], 0.95).ci[1]).toBe(1);
    expect(meanInterval([1, 1, 1], 0.95)).toEqual({ mean: 1, ci: [1, 1] });
  });
});

describe('trendOverSeeds', () => {
  const strengths = [0, 8, 24, 64];
  it('detects a trend in the expected direction on every seed, with mean values and per-seed rho', () => {
    const fd = trendOverSeeds(strengths, [[3, 5, 11, 40], [2.9, 5.3, 10.8, 39], [3, 4.1, 12, 41.5]], false);
    expect(fd).toMatchObject({ expected: 'increase', monotonic: true, verdict: 'detects', spearman: { mean: 1, ci95: [1, 1], perSeed: [1, 1, 1] } });
    expect(fd.values[0]).toBeCloseTo(2.9667, 4);
    expect(fd.perSeed).toHaveLength(3);
    const precision = trendOverSeeds(strengths, [[0.6, 0.6, 0, 0], [0.7, 0.5, 0.1, 0]], true);
    expect(precision).toMatchObject({ expected: 'decrease', verdict: 'detects' });
  });
  it('calls a consistent wrong-way trend inverted and an inconsistent one no signal', () => {
    expect(trendOverSeeds(strengths, [[9, 7, 5, 1], [8, 7, 6, 2], [9, 6, 5, 5.5]], false).verdict).toBe('inverted');
    const mixed = trendOverSeeds(strengths, [[1, 2, 3, 4], [4, 3, 2, 1], [1, 3, 2, 4], [3, 1, 4, 2]], false);
    expect(mixed.verdict).toBe('no signal');
    expect(mixed.spearman.ci95![0]).toBeLessThan(0);
    expect(mixed.spearman.ci95![1]).toBeGreaterThan(0);
  });
  it('needs a wider interval at a higher level: a weak consistent trend is detected at 95% but not at 99.9%', () => {
    const weak = [[1, 2, 3, 4], [1, 3, 2, 4], [1, 3, 2, 4], [2, 3, 1, 4], [2, 1, 4, 3]]; // rho 1, 0.8, 0.8, 0.4, 0.6: t = 7.1
    expect(trendOverSeeds(strengths, weak, false).verdict).toBe('detects');
    expect(trendOverSeeds(strengths, weak, false, { level: 0.999 }).verdict).toBe('no signal');
  });
  it('gives rho 0 to a metric that does not move, leaves out seeds with missing values, and no signal below two', () => {
    expect(trendOverSeeds(strengths, [[5, 5, 5, 5], [5, 5, 5, 5]], false)).toMatchObject({ spearman: { mean: 0, ci95: [0, 0] }, verdict: 'no signal' });
    const gap = trendOverSeeds(strengths, [[1, null, 2, 3], [1, 2, 3, 4], [1, 2, 3, 5]], false);
    expect(gap).toMatchObject({ spearman: { perSeed: [null, 1, 1], mean: 1 }, verdict: 'detects', monotonic: false });
    expect(gap.values[1]).toBeNull();
    expect(gap.values[3]).toBeCloseTo(4, 12);
    expect(trendOverSeeds(strengths, [[1, 2, 3, 4], [1, null, 3, 4]], false)).toMatchObject({ spearman: { mean: null, ci95: null }, verdict: 'no signal' });
    expect(() => trendOverSeeds(strengths, [[1, 2, 3]], false)).toThrow(/3 values for 4 strengths/);
  });
  it('marks a trend uninformative with its reason, keeping the numbers', () => {
    const t = markUninformative(trendOverSeeds(strengths, [[1, 2, 3, 4], [1, 2, 3, 5]], true), 'IS reads ImageNet classes');
    expect(t).toMatchObject({ verdict: 'uninformative', uninformative: 'IS reads ImageNet classes', spearman: { mean: 1 } });
  });
});
