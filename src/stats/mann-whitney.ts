import { ranks } from './rank.js';

/**
 * Mann-Whitney U statistic and the normal-approximation z-score used by the data-copying test (Meehan et al. 2020,
 * casey-meehan/data-copying `Zu`): U = rank sum of `x` minus m(m+1)/2, with midranks for ties, as scipy's
 * `mannwhitneyu(x, y).statistic`; Z = (U - (n m / 2 - 0.5)) / sqrt(n m (n + m + 1) / 12) with the reference code's
 * continuity shift and no tie correction. Negative Z: the `x` values tend to be smaller than the `y` values.
 *
 * @example
 * mannWhitneyU({ x: [1, 2], y: [3, 4, 5] });  // 0   (every x below every y)
 * mannWhitneyZ({ x: [1, 2], y: [3, 4, 5] });  // -1.443 = (0 - 2.5) / sqrt(2 * 3 * 6 / 12)
 */
export interface TwoSamples {
  /** The sample whose rank sum is taken (generated-to-train distances in C_T). */
  readonly x: ArrayLike<number>;
  /** The comparison sample (held-out-to-train distances in C_T). */
  readonly y: ArrayLike<number>;
}

/** U statistic of `x` (scipy `mannwhitneyu(x, y).statistic`): rank sum of x (midranks) minus m(m+1)/2. */
export function mannWhitneyU(s: TwoSamples): number {
  const m = s.x.length;
  const r = ranks([...Array.from(s.x), ...Array.from(s.y)]);
  let rankSumX = 0;
  for (let i = 0; i < m; i++) rankSumX += r[i]!;
  return rankSumX - (m * (m + 1)) / 2;
}

/**
 * The data-copying test's z-score of U (continuity-shifted mean n m / 2 - 0.5, variance n m (n + m + 1) / 12, no
 * tie correction), as casey-meehan/data-copying `Zu` computes it. NaN when either sample is empty.
 */
export function mannWhitneyZ(s: TwoSamples): number {
  const m = s.x.length;
  const n = s.y.length;
  if (m === 0 || n === 0) return Number.NaN;
  const u = mannWhitneyU(s);
  const mean = (n * m) / 2 - 0.5;
  const sd = Math.sqrt((n * m * (n + m + 1)) / 12);
  return (u - mean) / sd;
}
