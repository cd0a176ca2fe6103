import { Rng } from '../rng.js';
import { percentileInterval } from '../stats/quantile.js';

/**
 * Percentile bootstraps: over raters (HYPE: 95% intervals from resampling evaluators with replacement; a rater's
 * answers are correlated, so resampling single votes would give intervals that are too narrow), and over raters and
 * images together for the published HYPE-infinity error rate (images are a sample too).
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
  const [lo, hi] = percentileInterval(values, level);
  return { estimate, lo, hi };
}

/** Sum of `f` over items. */
export function sum<T>(items: readonly T[], f: (t: T) => number): number {
  let s = 0;
  for (const t of items) s += f(t);
  return s;
}

/** One vote of a rater on an image; `error` 1 when the answer was wrong. */
export interface RaterImageVote {
  readonly rater: string;
  readonly image: string;
  /** Images are resampled within their stratum (real images among real, fakes among fakes). */
  readonly stratum: string;
  readonly error: number;
}

/**
 * Percentile interval of the pooled error rate when raters AND images are random (two-way "pigeonhole" bootstrap,
 * Owen 2007): each resample draws raters with replacement and, independently, images with replacement within their
 * stratum, and weighs each vote by its rater's count times its image's count. Wider than resampling raters alone,
 * since a few hard or easy images move every rater's errors together. The estimate is the plain pooled rate.
 *
 * @example
 * bootstrapRatersImages(votes, { iterations: 2000, seed: 0 }); // { estimate: 0.31, lo: 0.22, hi: 0.40 }
 */
export function bootstrapRatersImages(votes: readonly RaterImageVote[], opts: BootstrapOptions): Interval {
  if (votes.length === 0) throw new RangeError('bootstrap over no votes');
  const estimate = sum(votes, (v) => v.error) / votes.length;
  const raters = indexOf(votes.map((v) => v.rater));
  const images = indexOf(votes.map((v) => `${v.stratum}\u0000${v.image}`));
  const strata = new Map<string, number[]>();
  for (const [key, i] of images.ids) {
    const s = key.slice(0, key.indexOf('\u0000'));
    const members = strata.get(s);
    if (members === undefined) strata.set(s, [i]);
    else members.push(i);
  }
  if (opts.iterations <= 0 || (raters.ids.size === 1 && images.ids.size === 1)) return { estimate, lo: estimate, hi: estimate };
  const rng = new Rng(opts.seed);
  const wr = new Float64Array(raters.ids.size);
  const wi = new Float64Array(images.ids.size);
  const values: number[] = [];
  for (let b = 0; b < opts.iterations; b++) {
    wr.fill(0);
    wi.fill(0);
    for (let k = 0; k < wr.length; k++) wr[rng.int(wr.length)]! += 1;
    for (const members of strata.values()) for (let k = 0; k < members.length; k++) wi[members[rng.int(members.length)]!]! += 1;
    let num = 0;
    let den = 0;
    for (let v = 0; v < votes.length; v++) {
      const w = wr[raters.of[v]!]! * wi[images.of[v]!]!;
      num += w * votes[v]!.error;
      den += w;
    }
    if (den > 0) values.push(num / den); // a resample that keeps no vote says nothing and is left out
  }
  if (values.length === 0) return { estimate, lo: estimate, hi: estimate };
  const sorted = Float64Array.from(values).sort();
  const level = opts.level ?? 0.95;
  const [lo, hi] = percentileInterval(sorted, level);
  return { estimate, lo, hi };
}

function indexOf(keys: readonly string[]): { ids: Map<string, number>; of: Int32Array } {
  const ids = new Map<string, number>();
  const of = new Int32Array(keys.length);
  keys.forEach((k, i) => {
    let id = ids.get(k);
    if (id === undefined) ids.set(k, (id = ids.size));
    of[i] = id;
  });
  return { ids, of };
}
