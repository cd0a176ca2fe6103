import { normalQuantile } from './normal.js';

/**
 * The Wilson score interval for a binomial proportion (Wilson 1927; Brown, Cai & DasGupta 2001 recommend it over the
 * normal "Wald" interval, which collapses to a point at 0 or n successes): with p = k / n and z the normal quantile
 * of (1 + level) / 2, centre (p + z^2 / 2n) / (1 + z^2 / n) and half-width z / (1 + z^2 / n) sqrt(p (1 - p) / n +
 * z^2 / 4n^2). Its tests check the published values (0 of 10: [0, 0.2775]; 5 of 10: [0.2366, 0.7634]).
 *
 * @example
 * wilsonInterval(0, 10);  // [0, 0.2775]
 * wilsonInterval(5, 10);  // [0.2366, 0.7634]
 */
export function wilsonInterval(successes: number, n: number, level = 0.95): [number, number] {
  if (!(Number.isInteger(n) && n > 0 && Number.isInteger(successes) && successes >= 0 && successes <= n)) {
    throw new RangeError(`wilsonInterval needs integers 0 <= successes <= n, n > 0; got ${successes} of ${n}`);
  }
  const z = normalQuantile((1 + level) / 2);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
