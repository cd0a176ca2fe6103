/**
 * One-sided two-proportion z-score of p1 (n1 trials) above p2 (n2 trials) with the pooled variance; NaN when the
 * pooled proportion is 0 or 1 (no variation: nothing to test).
 *
 * @example
 * twoProportionZ({ p1: 0.9, n1: 200, p2: 0.5, n2: 1000 }); // 10.42
 */
export function twoProportionZ(s: { p1: number; n1: number; p2: number; n2: number }): number {
  const pooled = (s.p1 * s.n1 + s.p2 * s.n2) / (s.n1 + s.n2);
  const v = pooled * (1 - pooled) * (1 / s.n1 + 1 / s.n2);
  return v > 0 ? (s.p1 - s.p2) / Math.sqrt(v) : Number.NaN;
}
