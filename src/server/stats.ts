import { spearman as trendSpearman } from '../harness/trend.js';

/**
 * Small statistics for the leaderboard: Spearman's rank correlation (Pearson correlation of average ranks, ties
 * sharing the mean of their ranks, as scipy.stats.spearmanr) and the rank-band rule.
 *
 * Rank bands: a model's rank is 1 + the number of models that are *clearly* better, i.e. whose whole 95% interval
 * lies on the better side of this model's interval (no overlap). Models whose intervals overlap therefore share a
 * rank, and a rank says "no model below this number is distinguishable from this one". A model without an interval
 * uses its point value as a zero-width interval. This is the rule of LMSYS Chatbot Arena's rank (UB).
 *
 * @example
 * spearman([1, 2, 3, 4], [10, 20, 30, 40]);  // 1
 * rankBands([{ lo: 1, hi: 2 }, { lo: 1.5, hi: 3 }, { lo: 5, hi: 6 }], false); // [1, 1, 3]
 */
/** Spearman's rho of paired samples (harness/trend.ts's); null below 3 pairs, where a leaderboard shows none. */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  return x.length < 3 ? null : trendSpearman(x, y);
}

export interface Span {
  readonly lo: number;
  readonly hi: number;
}

/** Rank of each interval by the rule in the module comment; `higherIsBetter` says which side is better. */
export function rankBands(spans: readonly Span[], higherIsBetter: boolean): number[] {
  return spans.map((s) => 1 + spans.filter((o) => (higherIsBetter ? o.lo > s.hi : o.hi < s.lo)).length);
}
