/**
 * Improved precision and recall.
 *
 * Paper: T. Kynkäänniemi, T. Karras, S. Laine, J. Lehtinen, T. Aila, "Improved Precision and Recall Metric for
 * Assessing Generative Models", NeurIPS 2019 (k = 3).
 * Checked against: torch-fidelity 0.4.0 `metric_prc.prc_features_to_metric` (toshas/torch-fidelity @ 5e211a9),
 * fixture `fixtures/metrics/gauss-small` in GENBENCH_ASSETS (`prc`).
 *
 * Conventions (torch-fidelity): the radius of a sample is the (k+1)-th smallest distance to its own set, the sample
 * itself counted (`kthvalue(k + 1)`); the ball test is `d <= r` (inclusive; `compare: '<'` switches to clovaai's
 * strict test). precision = share of generated samples inside at least one reference ball; recall = share of
 * reference samples inside at least one generated ball. Values are count / n in float64; torch-fidelity returns
 * the same fractions rounded to float32 (0.271 -> 0.2709999978542328).
 * Distances are exact float64 (radii: the exact search of src/nn/exact.ts; ball tests: src/linalg/ball-counts.ts, tiled expansion with exact
 * recheck near every radius).
 *
 * @example
 * await precisionRecall({ generated, reference }); // { precision: 0.271, recall: 0.7825, ... }
 */
import { ballCounts, type BallCountOptions } from '../src/linalg/ball-counts.js';
import { kthNeighbourDistances } from '../src/nn/exact.js';
import { checkFeatureSets } from './check.js';
import { referenceRadii } from './reference-radii.js';
import type { FeatureSets } from './types.js';

export type BallCompare = '<=' | '<';

export interface PrecisionRecallOptions extends BallCountOptions {
  /** Neighbourhood size (default 3). */
  readonly k?: number;
  /** Ball test (default '<=' as torch-fidelity). */
  readonly compare?: BallCompare;
}

export interface PrecisionRecall {
  readonly precision: number;
  readonly recall: number;
  /** F1 of precision and recall (torch-fidelity's `f_score`). */
  readonly fScore: number;
  readonly generatedInside: number;
  readonly referenceInside: number;
}

export const PR_DEFAULTS = { k: 3, compare: '<=' as BallCompare };

/** Precision and recall of `generated` against `reference` (see the module comment for the conventions). */
export async function precisionRecall(sets: FeatureSets, opts: PrecisionRecallOptions = {}): Promise<PrecisionRecall> {
  const k = opts.k ?? PR_DEFAULTS.k;
  checkFeatureSets(sets, k + 1);
  const [refRadii] = await referenceRadii(sets, [k]);
  const [genRadii] = await kthNeighbourDistances(sets.generated, [k]);
  const strict = (opts.compare ?? PR_DEFAULTS.compare) === '<';
  const [p, r] = await ballCounts(
    sets.generated,
    sets.reference,
    [
      { radii: refRadii!, on: 'cols', strict },
      { radii: genRadii!, on: 'rows', strict },
    ],
    opts,
  );
  return precisionRecallFromCounts(p!.rowCounts, r!.colCounts);
}

/** Fractions from per-sample ball counts: generated i in reference balls, reference j in generated balls. */
export function precisionRecallFromCounts(generatedInBalls: Int32Array, referenceInBalls: Int32Array): PrecisionRecall {
  const generatedInside = countPositive(generatedInBalls);
  const referenceInside = countPositive(referenceInBalls);
  const precision = generatedInside / generatedInBalls.length;
  const recall = referenceInside / referenceInBalls.length;
  const fScore = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, fScore, generatedInside, referenceInside };
}

export function countPositive(a: Int32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > 0) n++;
  return n;
}
