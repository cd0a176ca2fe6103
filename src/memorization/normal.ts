/**
 * Standard normal distribution function Phi(z) = erfc(-z / sqrt 2) / 2, with erfc by the Chebyshev-fitted
 * approximation of Numerical Recipes (`erfcc`, fractional error below 1.2e-7 everywhere): ample for reporting
 * p-values of the memorisation checks.
 *
 * @example
 * normalCdf(0);      // 0.5
 * normalCdf(-1.96);  // 0.0250
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes erfcc, |relative error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

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
