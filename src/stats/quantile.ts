/**
 * Quantile of sorted values by linear interpolation between order statistics (Hyndman-Fan type 7, numpy's
 * default `percentile`), q in [0, 1] (clamped). Equal neighbours, even infinite ones, give that value.
 *
 * @example
 * quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5); // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  return quantileOf((k) => sorted[k]!, sorted.length, q);
}

/**
 * The same quantile of n values given by their order statistics: `at(k)` is the k-th smallest (0-based), so a
 * caller that can find order statistics without sorting (a histogram of integer levels) shares the rule.
 *
 * @example
 * quantileOf((k) => [1, 2, 3, 4][k]!, 4, 0.5); // 2.5
 */
export function quantileOf(at: (k: number) => number, n: number, q: number): number {
  if (n === 0) throw new RangeError('quantile of no values');
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = at(lo);
  const b = at(hi);
  return a === b ? a : a + (h - lo) * (b - a);
}

/**
 * The percentile interval at `level` of sorted bootstrap values: their (1 - level) / 2 and (1 + level) / 2
 * quantiles (quantileSorted).
 *
 * @example
 * percentileInterval(Float64Array.of(1, 2, 3, 4, 5), 0.5); // [2, 4]
 */
export function percentileInterval(sorted: ArrayLike<number>, level: number): [number, number] {
  return [quantileSorted(sorted, (1 - level) / 2), quantileSorted(sorted, (1 + level) / 2)];
}

/** Sample variance (ddof 1) of the values. */
export function sampleVariance(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i]!;
  m /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i]! - m) ** 2;
  return s / (v.length - 1);
}
