import { Rng } from '../rng.js';
import { quantileSorted } from '../stats/quantile.js';

/**
 * Percentile bootstrap over raters (HYPE: 95% intervals from resampling evaluators with replacement). The rater is
 * the resampling unit because a rater's answers are correlated: resampling single votes would give intervals that
 * are too narrow.
 */

/** A point estimate with its percentile interval. */
export interface Interval {
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
}

/** Bootstrap settings. */
export interface BootstrapOptions {
  readonly iterations: number;
  readonly seed: number;
  /** Interval coverage (default 0.95). */
  readonly level?: number;
}

/**
 * The statistic on all units, and the (1-level)/2 and (1+level)/2 percentiles of the statistic over `iterations`
 * resamples of the units drawn with replacement from `new Rng(seed)`. One unit gives a zero-width interval.
 *
 * @example
 * const raters = [{ errors: 3, n: 10 }, { errors: 5, n: 10 }, { errors: 4, n: 10 }];
 * bootstrapUnits(raters, (s) => sum(s, (r) => r.errors) / sum(s, (r) => r.n), { iterations: 2000, seed: 0 });
 * // { estimate: 0.4, lo: 0.3, hi: 0.5 }
 */
export function bootstrapUnits<T>(units: readonly T[], statistic: (sample: readonly T[]) => number, opts: BootstrapOptions): Interval {
  if (units.length === 0) throw new RangeError('bootstrap over no units');
  const estimate = statistic(units);
  if (units.length === 1 || opts.iterations <= 0) return { estimate, lo: estimate, hi: estimate };
  const rng = new Rng(opts.seed);
  const values = new Float64Array(opts.iterations);
  const sample: T[] = new Array<T>(units.length);
  for (let b = 0; b < opts.iterations; b++) {
    for (let i = 0; i < units.length; i++) sample[i] = units[rng.int(units.length)]!;
    values[b] = statistic(sample);
  }
  values.sort();
  const level = opts.level ?? 0.95;
  return { estimate, lo: quantileSorted(values, (1 - level) / 2), hi: quantileSorted(values, (1 + level) / 2) };
}

/** Sum of `f` over items. */
export function sum<T>(items: readonly T[], f: (t: T) => number): number {
  let s = 0;
  for (const t of items) s += f(t);
  return s;
}
