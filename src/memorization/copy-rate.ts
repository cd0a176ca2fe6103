import { twoProportionZ } from './two-proportion.js';
import { fisherUpperP } from './null-tests.js';

/**
 * Copy rate: the share of generated samples that look like copies of one training image.
 *
 * A sample is a copy when (a) the ratio test holds: d1 / d2 < `ratio` (default 0.5), d1 and d2 its distances to the
 * nearest and second-nearest training rows (a copy of training image t sits at d1 ~ 0 while d2 is t's own distance to
 * its nearest other training image; an ordinary sample has d1 / d2 near 1, as in Lowe's 2004 ratio test), or (b) d1
 * is within the near-duplicate distance `delta` = `dupFraction` (default 0.1) x the median nearest-training distance
 * of held-out real images (held-out images are by construction not copies; a tenth of their typical distance is a
 * near-duplicate). Both thresholds go into the recipe. The `baseline` is the same rate for the held-out query half
 * A. Verdict: `p_value` = one-sided Fisher exact test (hypergeometric upper tail, null-tests.ts) of the generated
 * copy count above the held-out one given their sum; `copying` when p_value <= alpha (default 0.001). Under the
 * null that generated rows are flagged at the held-out rate, independently, the test is exact and conservative, so
 * the nominal false-positive rate is at most alpha (the binomial z of earlier versions was not: 0 copies in 1000
 * held-out rows and 5 in 500 samples read z = 3.2, Fisher p = 0.004). `z` (pooled two-proportion z) stays as a descriptive effect size.
 *
 * @example
 * copyRate({ generated: { d1, d2 }, heldout: { d1: h1, d2: h2 } });
 * // { value: 1, baseline: 0.002, ratio: 0.5, delta: 0.61, z: 20.1, p_value: 1e-120, alpha: 0.001, copying: true, n_ratio: 200, n_within_delta: 200, ... }
 */
export interface TwoNearest {
  /** Distance to the nearest training row. */
  readonly d1: ArrayLike<number>;
  /** Distance to the second-nearest training row. */
  readonly d2: ArrayLike<number>;
}

export interface CopyRateInput {
  readonly generated: TwoNearest;
  /** The held-out query half A (calibration of delta and the baseline rate). */
  readonly heldout: TwoNearest;
  /** Ratio-test threshold on d1 / d2 (default 0.5). */
  readonly ratio?: number;
  /** Near-duplicate distance as a fraction of the held-out median d1 (default 0.1). */
  readonly dupFraction?: number;
  /** Verdict level of the Fisher test (default 0.001). */
  readonly alpha?: number;
}

export interface CopyRateResult {
  readonly value: number;
  readonly baseline: number;
  readonly ratio: number;
  readonly dup_fraction: number;
  readonly delta: number;
  readonly z: number | null;
  /** One-sided Fisher exact p-value of a copy count this high at the held-out rate. */
  readonly p_value: number;
  readonly alpha: number;
  readonly copying: boolean;
  /** Generated samples flagged by the ratio test / by the near-duplicate distance. */
  readonly n_ratio: number;
  readonly n_within_delta: number;
  readonly n_generated: number;
  readonly n_baseline: number;
}

export const COPY_DEFAULTS = { ratio: 0.5, dupFraction: 0.1, alpha: 0.001 } as const;

export function copyRate(input: CopyRateInput): CopyRateResult {
  const ratio = input.ratio ?? COPY_DEFAULTS.ratio;
  const dupFraction = input.dupFraction ?? COPY_DEFAULTS.dupFraction;
  const delta = dupFraction * median(input.heldout.d1);
  const g = flags(input.generated, ratio, delta);
  const h = flags(input.heldout, ratio, delta);
  const nG = input.generated.d1.length;
  const nB = input.heldout.d1.length;
  const z = twoProportionZ({ p1: g.copies / nG, n1: nG, p2: h.copies / nB, n2: nB });
  const pValue = fisherUpperP({ x1: g.copies, n1: nG, x2: h.copies, n2: nB });
  const alpha = input.alpha ?? COPY_DEFAULTS.alpha;
  return {
    value: g.copies / nG,
    baseline: h.copies / nB,
    ratio,
    dup_fraction: dupFraction,
    delta,
    z: Number.isNaN(z) ? null : z,
    p_value: pValue,
    alpha,
    copying: pValue <= alpha,
    n_ratio: g.ratio,
    n_within_delta: g.delta,
    n_generated: nG,
    n_baseline: nB,
  };
}

/** Whether each row is a copy by the ratio test or the near-duplicate distance. */
export function copyFlags(s: TwoNearest, ratio: number, delta: number): boolean[] {
  return Array.from({ length: s.d1.length }, (_, i) => isCopy(s.d1[i]!, s.d2[i]!, ratio, delta).any);
}

function isCopy(d1: number, d2: number, ratio: number, delta: number): { byRatio: boolean; byDelta: boolean; any: boolean } {
  const byRatio = d2 > 0 ? d1 / d2 < ratio : false; // d2 = 0: two identical training rows at the sample's distance 0
  const byDelta = d1 <= delta;
  return { byRatio, byDelta, any: byRatio || byDelta };
}

function flags(s: TwoNearest, ratio: number, delta: number): { copies: number; ratio: number; delta: number } {
  if (s.d1.length !== s.d2.length || s.d1.length === 0) throw new RangeError(`copy rate: need as many d1 as d2 distances (>0), got ${s.d1.length} and ${s.d2.length}`);
  const out = { copies: 0, ratio: 0, delta: 0 };
  for (let i = 0; i < s.d1.length; i++) {
    const c = isCopy(s.d1[i]!, s.d2[i]!, ratio, delta);
    out.copies += c.any ? 1 : 0;
    out.ratio += c.byRatio ? 1 : 0;
    out.delta += c.byDelta ? 1 : 0;
  }
  return out;
}

/** Median (mean of the two middle values for an even count). */
export function median(values: ArrayLike<number>): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
