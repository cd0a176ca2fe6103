import { twoProportionZ } from './normal.js';

/**
 * Share of generated samples closer to the training set than to held-out data, calibrated against held-out real
 * images themselves.
 *
 * Method: the held-out set is split at random (seeded, see halves.ts) into a query half A and a reference half B.
 * For each generated sample g: d_T(g) = distance to its nearest training row, d_B(g) = to its nearest row of B;
 * `value` = share of g with d_T(g) < d_B(g). The `baseline` is the same share for the held-out rows of A (real
 * images the model never saw, compared with the same two sets). If the model is independent of its training
 * images, each sample's nearest neighbour in T u B is equally likely to be any of those |T| + |B| rows (when T and B
 * are drawn from one distribution), so both shares estimate `null_expectation` p0 = |T| / (|T| + |B|); a model that
 * copies pushes `value` towards 1.
 *
 * Verdict: `z` tests value above `compared_with` = max(baseline, p0), one-sided (pooled two-proportion z against the
 * baseline, binomial z against p0); `copying` when z >= zThreshold (default 3). Why the max: when the training and
 * held-out splits differ (MNIST test rows 0-4999 and 5000-9999 come from different writers), held-out images are
 * pulled towards their own half B (baseline < p0) while a model of the training distribution is pulled towards T
 * (value a little above p0) without copying anything; without such a shift baseline and p0 agree.
 *
 * @example
 * closerToTrainShare({ generated: { toTrain, toHeldout }, heldout: { toTrain: hT, toHeldout: hB }, trainSize: 8000, referenceSize: 1000 });
 * // { value: 1, baseline: 0.71, null_expectation: 0.889, compared_with: 0.889, z: 5.0, copying: true, n_generated: 200, n_baseline: 1000 }
 */
export interface NearestPair {
  /** Distance of each row to its nearest training row. */
  readonly toTrain: ArrayLike<number>;
  /** Distance of each row to its nearest held-out reference (half B) row. */
  readonly toHeldout: ArrayLike<number>;
}

export interface CloserToTrainInput {
  readonly generated: NearestPair;
  /** The held-out query half A. */
  readonly heldout: NearestPair;
  readonly trainSize: number;
  /** Rows in the held-out reference half B. */
  readonly referenceSize: number;
  /** Verdict threshold on z (default 3). */
  readonly zThreshold?: number;
}

export interface CloserToTrainResult {
  readonly value: number;
  readonly baseline: number;
  readonly null_expectation: number;
  /** max(baseline, null_expectation): what `z` tests against. */
  readonly compared_with: number;
  readonly z: number | null;
  readonly copying: boolean;
  readonly n_generated: number;
  readonly n_baseline: number;
}

export const CLOSER_Z_THRESHOLD = 3;

export function closerToTrainShare(input: CloserToTrainInput): CloserToTrainResult {
  const value = shareCloser(input.generated);
  const baseline = shareCloser(input.heldout);
  const nG = input.generated.toTrain.length;
  const nB = input.heldout.toTrain.length;
  const p0 = input.trainSize / (input.trainSize + input.referenceSize);
  const z = baseline >= p0 ? twoProportionZ({ p1: value, n1: nG, p2: baseline, n2: nB }) : (value - p0) / Math.sqrt((p0 * (1 - p0)) / nG);
  return {
    value,
    baseline,
    null_expectation: p0,
    compared_with: Math.max(baseline, p0),
    z: Number.isNaN(z) ? null : z,
    copying: z >= (input.zThreshold ?? CLOSER_Z_THRESHOLD),
    n_generated: nG,
    n_baseline: nB,
  };
}

/** Share of rows strictly closer to the training set than to the held-out reference. */
export function shareCloser(p: NearestPair): number {
  if (p.toTrain.length !== p.toHeldout.length) throw new RangeError(`closer-to-train: ${p.toTrain.length} train distances but ${p.toHeldout.length} held-out distances`);
  if (p.toTrain.length === 0) throw new RangeError('closer-to-train: no rows');
  let c = 0;
  for (let i = 0; i < p.toTrain.length; i++) if (p.toTrain[i]! < p.toHeldout[i]!) c++;
  return c / p.toTrain.length;
}
