/**
 * Student's t distribution with an integer number of degrees of freedom, for intervals over a handful of seeds.
 *
 * Method: the two-sided probability A(t | nu) = P(|T| < t) by the finite trigonometric series of Abramowitz & Stegun
 * 26.7.3 (theta = atan(t / sqrt(nu)); odd nu: (2/pi)(theta + sin theta cos theta (1 + 2/3 cos^2 + ...)), even nu:
 * sin theta (1 + 1/2 cos^2 + 1.3/(2.4) cos^4 + ...)), exact for integer nu; quantiles by bisection on it to 1e-12.
 *
 * @example
 * tQuantile(0.975, 4);  // 2.77644510519... (the 95% two-sided critical value for 5 seeds)
 * tQuantile(0.975, 1);  // 12.7062047361...
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile needs 0 < p < 1, got ${p}`);
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`tQuantile needs an integer df >= 1, got ${df}`);
  if (p === 0.5) return 0;
  const target = Math.abs(2 * p - 1);
  let lo = 0;
  let hi = 1;
  while (twoSided(hi, df) < target) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (twoSided(mid, df) < target) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return p < 0.5 ? -t : t;
}

/** P(|T| < t) for t >= 0 (Abramowitz & Stegun 26.7.3). */
export function twoSided(t: number, df: number): number {
  const theta = Math.atan(t / Math.sqrt(df));
  const c2 = Math.cos(theta) ** 2;
  const s = Math.sin(theta);
  if (df % 2 === 1) {
    if (df === 1) return (2 * theta) / Math.PI;
    let term = 1;
    let sum = 1;
    for (let k = 3; k <= df - 2; k += 2) {
      term *= ((k - 1) / k) * c2;
      sum += term;
    }
    return (2 / Math.PI) * (theta + s * Math.cos(theta) * sum);
  }
  let term = 1;
  let sum = 1;
  for (let k = 2; k <= df - 2; k += 2) {
    term *= ((k - 1) / k) * c2;
    sum += term;
  }
  return s * sum;
}
