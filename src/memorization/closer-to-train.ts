import type { Rng } from '../rng.js';
import { labelPermutationTest, PERMUTATIONS } from './null-tests.js';

/**
 * Share of generated samples closer to the training set than to held-out real images, with a permutation null.
 *
 * Method: for each generated sample g, its nearest row in the pool T u H (training rows, all held-out rows);
 * `value` = share of g whose nearest row is a training row (strictly closer: ties go to held-out). If the training
 * and held-out rows are exchangeable (a seeded random partition such as `test~0[:8000]` / `test~0[8000:]`) and the
 * model did not memorise, which pool rows are "training" is a uniform random labelling as far as the samples are
 * concerned, so `value` estimates `null_expectation` p0 = |T| / (|T| + |H|) for ANY generator, good or bad.
 * `p_value` = the label-permutation p-value of value >= observed (null-tests.ts, `permutations` relabellings of the
 * pool): exact at any sample size, and it keeps the dependence of samples that share a nearest row, which the
 * binomial z of earlier versions ignored. `copying` when p_value <= alpha (default 0.001): the nominal
 * false-positive rate under that null.
 *
 * Baseline and shift check: the held-out set is split at random (seeded) into a query half A and a reference half
 * B; `baseline` = share of A closer to T than to B, expected `baseline_expectation` = |T| / (|T| + |B|) when T and H
 * are exchangeable. `baseline_p_lower` (the same permutation test, lower tail) <= alpha means held-out images are
 * pulled towards each other: the held-out set looks shifted from the training set (e.g. MNIST's `test[:8000]` and
 * `test[8000:]`, whose writers differ), the null above does not hold and `copying` may be a false positive; the
 * result then carries `warning`.
 *
 * @example
 * closerToTrainShare({ generated: { nearest: gNearest }, heldout: { nearest: aNearest }, trainSize: 8000, heldoutSize: 2000, referenceSize: 1000 }, rng);
 * // { value: 0.86, null_expectation: 0.8, p_value: 0.0002, alpha: 0.001, copying: true, baseline: 0.88, baseline_expectation: 0.889, baseline_p_lower: 0.33, ... }
 */
export interface NearestPool {
  /** Per query row: its nearest pool row (0..|T|-1: training rows, then reference rows). */
  readonly nearest: ArrayLike<number>;
}

export interface CloserToTrainInput {
  /** Generated rows against the pool T u H. */
  readonly generated: NearestPool;
  /** The held-out query half A against the pool T u B. */
  readonly heldout: NearestPool;
  readonly trainSize: number;
  /** Rows of H (the generated rows' reference). */
  readonly heldoutSize: number;
  /** Rows of the held-out reference half B (the baseline's reference). */
  readonly referenceSize: number;
  /** Verdict level (default 0.001). */
  readonly alpha?: number;
  readonly permutations?: number;
}

export interface CloserToTrainResult {
  readonly value: number;
  readonly null_expectation: number;
  /** Label-permutation p-value of a share at least this high when T and H are exchangeable. */
  readonly p_value: number;
  readonly alpha: number;
  readonly copying: boolean;
  readonly baseline: number;
  readonly baseline_expectation: number;
  /** Permutation p-value of a held-out baseline at least this LOW: small = held-out set shifted from training. */
  readonly baseline_p_lower: number;
  readonly permutations: number;
  readonly n_generated: number;
  readonly n_baseline: number;
  /** Set when the held-out set looks shifted from the training set. */
  readonly warning?: string;
}

export const CLOSER_ALPHA = 0.001;

export function closerToTrainShare(input: CloserToTrainInput, rng: Rng): CloserToTrainResult {
  const alpha = input.alpha ?? CLOSER_ALPHA;
  const permutations = input.permutations ?? PERMUTATIONS;
  const g = labelPermutationTest({ nearest: input.generated.nearest, trainSize: input.trainSize, referenceSize: input.heldoutSize, permutations }, rng.fork('generated'));
  const h = labelPermutationTest({ nearest: input.heldout.nearest, trainSize: input.trainSize, referenceSize: input.referenceSize, permutations }, rng.fork('baseline'));
  const shifted = h.p_lower <= alpha;
  return {
    value: g.share,
    null_expectation: g.expected,
    p_value: g.p_upper,
    alpha,
    copying: g.p_upper <= alpha,
    baseline: h.share,
    baseline_expectation: h.expected,
    baseline_p_lower: h.p_lower,
    permutations,
    n_generated: input.generated.nearest.length,
    n_baseline: input.heldout.nearest.length,
    ...(shifted ? { warning: shiftWarning(h.share, h.expected, h.p_lower) } : {}),
  };
}

/** The warning text for a held-out set that looks shifted from the training set. */
export function shiftWarning(baseline: number, expected: number, p: number): string {
  return `the held-out set looks shifted from the training set: only ${pct(baseline)} of held-out images are closer to the training set than to other held-out images (${pct(expected)} expected if they are exchangeable, permutation p = ${p.toPrecision(2)}), so closer_to_train_share and ct may flag copying that is not there; draw both from one seeded random partition, e.g. test~0[:8000] and test~0[8000:]`;
}

/**
 * Nearest pool row of each query from its nearest training row and nearest reference row: the training row when
 * strictly closer, else trainSize + the reference row.
 */
export function nearestInPool(s: { trainIndex: ArrayLike<number>; toTrain: ArrayLike<number>; referenceIndex: ArrayLike<number>; toReference: ArrayLike<number> }, trainSize: number): Int32Array {
  if (s.toTrain.length !== s.toReference.length) throw new RangeError(`closer-to-train: ${s.toTrain.length} train distances but ${s.toReference.length} held-out distances`);
  return Int32Array.from({ length: s.toTrain.length }, (_, i) => (s.toTrain[i]! < s.toReference[i]! ? s.trainIndex[i]! : trainSize + s.referenceIndex[i]!));
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
