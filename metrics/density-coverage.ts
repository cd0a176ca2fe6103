/**
 * Density and coverage.
 *
 * Paper: M. F. Naeem, S. J. Oh, Y. Uh, Y. Choi, J. Yoo, "Reliable Fidelity and Diversity Metrics for Generative
 * Models", ICML 2020 (k = 5).
 * Checked against: clovaai/generative-evaluation-prdc @ e320c1d `prdc/prdc.py` `compute_prdc`, fixture
 * `fixtures/metrics/gauss-small` of the shared assets (GENBENCH_ASSETS; `prdc`).
 *
 * Conventions (clovaai prdc): radius of a reference sample = distance to its k-th nearest reference sample, itself
 * counted as neighbour 0 (`argpartition(k)[:, k]`); the ball test is strict `d < r` (`compare: '<='` switches).
 * density = (1/k) * mean over generated samples of the number of reference balls containing it (unbounded above);
 * coverage = share of reference samples whose ball contains at least one generated sample (nearest generated
 * sample closer than its radius). With the strict test, identical sets with duplicate points can give 0 (prdc#7).
 * Distances are exact float64 (radii: src/nn/exact.ts; ball tests: src/linalg/ball-counts.ts).
 *
 * @example
 * await densityCoverage({ generated, reference }); // { density: 0.2497, coverage: 0.658 }
 */
import { ballCounts, type BallCountOptions } from '../src/linalg/ball-counts.js';
import { checkFeatureSets } from './check.js';
import { referenceRadii } from './reference-radii.js';
import { countPositive, type BallCompare } from './precision-recall.js';
import type { FeatureSets } from './types.js';

export interface DensityCoverageOptions extends BallCountOptions {
  /** Neighbourhood size (default 5). */
  readonly k?: number;
  /** Ball test (default '<' as clovaai prdc). */
  readonly compare?: BallCompare;
}

export interface DensityCoverage {
  readonly density: number;
  readonly coverage: number;
}

export const DC_DEFAULTS = { k: 5, compare: '<' as BallCompare };

/** Density and coverage of `generated` against `reference` (see the module comment for the conventions). */
export async function densityCoverage(sets: FeatureSets, opts: DensityCoverageOptions = {}): Promise<DensityCoverage> {
  const k = opts.k ?? DC_DEFAULTS.k;
  checkFeatureSets(sets, k + 1);
  const [radii] = await referenceRadii(sets, [k]);
  const strict = (opts.compare ?? DC_DEFAULTS.compare) === '<';
  const [c] = await ballCounts(sets.generated, sets.reference, [{ radii: radii!, on: 'cols', strict }], opts);
  return densityCoverageFromCounts(c!.rowCounts, c!.colCounts, k);
}

/** From the reference-ball counts: per generated sample (balls containing it), per reference sample (samples inside). */
export function densityCoverageFromCounts(generatedInBalls: Int32Array, referenceBallHits: Int32Array, k: number): DensityCoverage {
  let total = 0;
  for (let i = 0; i < generatedInBalls.length; i++) total += generatedInBalls[i]!;
  return {
    density: total / (k * generatedInBalls.length),
    coverage: countPositive(referenceBallHits) / referenceBallHits.length,
  };
}
