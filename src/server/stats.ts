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
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error('internal: spearman needs paired samples');
  if (x.length < 3) return null;
  return pearson(averageRanks(x), averageRanks(y));
}

/** 1-based ranks, ties get the mean of the ranks they span. */
export function averageRanks(v: readonly number[]): number[] {
  const order = v.map((value, i) => ({ value, i })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(v.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    const mean = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = mean;
    start = end + 1;
  }
  return ranks;
}

export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

export interface Span {
  readonly lo: number;
  readonly hi: number;
}

/** Rank of each interval by the rule in the module comment; `higherIsBetter` says which side is better. */
export function rankBands(spans: readonly Span[], higherIsBetter: boolean): number[] {
  return spans.map((s) => 1 + spans.filter((o) => (higherIsBetter ? o.lo > s.hi : o.hi < s.lo)).length);
}
