/**
 * The leaderboard's rank-band rule (its Spearman correlation is src/stats/rank.ts `spearman`).
 *
 * Rank bands: a model's rank is 1 + the number of models that are *clearly* better, i.e. whose whole 95% interval
 * lies on the better side of this model's interval (no overlap). Models whose intervals overlap therefore share a
 * rank, and a rank says "no model below this number is distinguishable from this one". A model without an interval
 * uses its point value as a zero-width interval. This is the rule of LMSYS Chatbot Arena's rank (UB).
 *
 * @example
 * rankBands([{ lo: 1, hi: 2 }, { lo: 1.5, hi: 3 }, { lo: 5, hi: 6 }], false); // [1, 1, 3]
 */
export interface Span {
  readonly lo: number;
  readonly hi: number;
}

/** Rank of each interval by the rule in the module comment; `higherIsBetter` says which side is better. */
export function rankBands(spans: readonly Span[], higherIsBetter: boolean): number[] {
  return spans.map((s) => 1 + spans.filter((o) => (higherIsBetter ? o.lo > s.hi : o.hi < s.lo)).length);
}
