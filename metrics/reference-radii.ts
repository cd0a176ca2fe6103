import { GenbenchError } from '../src/errors.js';
import { kthNeighbourDistances } from '../src/nn/exact.js';
import type { FeatureSets } from './types.js';

/**
 * The k-NN radii of the reference rows for each k of `ks`: the ones `sets.referenceStats` holds (cached, or read
 * from a statistics file), the others computed by one exact search (src/nn/exact.ts kthNeighbourDistances: exact float64 distances, the row
 * itself counted as neighbour 0, so a stored radius is the same number a fresh pass gives).
 *
 * @example
 * const [r3, r5] = await referenceRadii({ generated, reference }, [3, 5]); // Float64Array(reference.rows) each
 */
export async function referenceRadii(sets: FeatureSets, ks: readonly number[]): Promise<Float64Array[]> {
  const known = sets.referenceStats?.radii;
  for (const [k, r] of known ?? []) {
    if (r.length !== sets.reference.rows) {
      throw new GenbenchError('INPUT', `reference statistics: ${r.length} k-NN radii for k = ${k} but the reference has ${sets.reference.rows} rows; recompute the statistics from these features`);
    }
  }
  const missing = [...new Set(ks.filter((k) => known?.get(k) === undefined))];
  const computed = missing.length === 0 ? [] : await kthNeighbourDistances(sets.reference, missing);
  return ks.map((k) => known?.get(k) ?? computed[missing.indexOf(k)]!);
}
